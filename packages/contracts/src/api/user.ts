import { z } from 'zod';
import { civilCode } from './fields';
import { UserRole } from './auth';

/** The password policy: 8–1024 characters (scrypt takes any length; the cap bounds the work per request). */
export const NewPassword = z
  .string()
  .min(8, { message: 'must be at least 8 characters' })
  .max(1024, { message: 'must be at most 1024 characters' });

export const CreateUserBody = z
  .object({
    username: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, {
      message: 'must be 1–64 characters of letters, digits, _ . @ -',
    }),
    password: NewPassword,
    role: UserRole,
    civilCode,
  })
  .strict();
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const UpdateUserBody = z
  .object({
    role: UserRole.optional(),
    civilCode: civilCode.optional(),
    disabled: z.boolean().optional().describe('true: no login, every token of the user revoked'),
  })
  .strict()
  .refine((b) => b.role !== undefined || b.civilCode !== undefined || b.disabled !== undefined, {
    message: 'nothing to change: send role, civilCode or disabled',
  });
export type UpdateUserBody = z.infer<typeof UpdateUserBody>;

/** The caller changes their own password: the current one proves it is them, not a borrowed token. */
export const ChangePasswordBody = z
  .object({ current: z.string().min(1, { message: 'is required' }).max(1024), new: NewPassword })
  .strict();
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

/** An admin sets a user's password (a reset): every token of that user is revoked. */
export const ResetPasswordBody = z.object({ password: NewPassword }).strict();
export type ResetPasswordBody = z.infer<typeof ResetPasswordBody>;

/** A user's id (a UUID, app_user.id). */
export const UserId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, { message: 'must be a UUID' });
