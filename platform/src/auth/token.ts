import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Stateless bearer tokens: `base64url(JSON payload).base64url(HMAC-SHA256(secret, payload part))`.
 * No session table: a token is valid until `exp`; the user row is read on every request, so a deleted
 * user, or a changed role or jurisdiction, takes effect at once. Revoking one token before expiry needs
 * a secret rotation (which revokes all) — acceptable for an operator console with 12-hour tokens.
 */
const TokenPayload = z.object({ sub: z.string(), iat: z.number().int(), exp: z.number().int() });
export type TokenPayload = z.infer<typeof TokenPayload>;

export interface AuthSettings {
  secret: Buffer;
  ttlSec: number;
}

const sign = (secret: Buffer, data: string): Buffer => createHmac('sha256', secret).update(data).digest();

export function issueToken(
  settings: AuthSettings,
  userId: string,
  nowMs: number,
): { token: string; exp: number } {
  const iat = Math.floor(nowMs / 1000);
  const payload: TokenPayload = { sub: userId, iat, exp: iat + settings.ttlSec };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return { token: `${body}.${sign(settings.secret, body).toString('base64url')}`, exp: payload.exp };
}

/** The payload of a well-formed, correctly signed, unexpired token; null otherwise. */
export function verifyToken(settings: AuthSettings, token: string, nowMs: number): TokenPayload | null {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return null;
  const expected = sign(settings.secret, body);
  const actual = Buffer.from(signature, 'base64url');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  const payload = TokenPayload.safeParse(json);
  if (!payload.success || payload.data.exp * 1000 <= nowMs) return null;
  return payload.data;
}
