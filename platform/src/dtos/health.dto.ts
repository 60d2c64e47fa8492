import { z } from 'zod/v4';

export const HealthResponse = z.object({
  status: z.enum(['ok', 'error']),
  database: z.object({
    ok: z.boolean(),
    engine: z.enum(['postgres', 'pglite']),
    timescaledbAvailable: z.boolean(),
  }),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
