import { z } from 'zod';
import { civilCodeOut, isoTime } from './fields';

export const LoginBody = z.object({
  username: z.string().min(1, { message: 'is required' }).max(64),
  password: z.string().min(1, { message: 'is required' }).max(1024),
});
export type LoginBody = z.infer<typeof LoginBody>;

export const TokenResponse = z.object({
  token: z.string().describe('Bearer token: base64url(payload).base64url(HMAC-SHA256)'),
  expiresAt: isoTime,
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const UserRole = z.enum(['admin', 'operator', 'viewer']);

export const UserResponse = z.object({
  id: z.string(),
  username: z.string(),
  role: UserRole,
  civilCode: civilCodeOut,
  disabled: z.boolean().describe('a disabled user cannot log in and has no live token'),
  createdAt: isoTime,
});
export type UserResponse = z.infer<typeof UserResponse>;
