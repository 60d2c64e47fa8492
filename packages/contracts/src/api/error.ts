import { z } from 'zod';

export const ErrorResponse = z.object({
  statusCode: z.number().int(),
  error: z.string().describe('stable error code, e.g. not-found, forbidden, validation'),
  message: z.string(),
});
export type ErrorResponse = z.infer<typeof ErrorResponse>;
