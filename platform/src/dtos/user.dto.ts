import { z } from 'zod/v4';
import { civilCode } from '../common/zod';
import { UserRole } from './auth.dto';

export const CreateUserBody = z
  .object({
    username: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, {
      message: 'must be 1–64 characters of letters, digits, _ . @ -',
    }),
    password: z.string().min(8, { message: 'must be at least 8 characters' }).max(1024),
    role: UserRole,
    civilCode,
  })
  .strict();
export type CreateUserBody = z.infer<typeof CreateUserBody>;
