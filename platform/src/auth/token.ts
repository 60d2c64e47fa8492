import { signToken, verifySignedToken } from '@tessera/kit';
import { z } from 'zod';

/**
 * Bearer tokens: `base64url(JSON payload).base64url(HMAC-SHA256(secret, payload part))`, signed and checked by
 * @tessera/kit's signed-token.ts (the format WHEP viewer tokens share). The signature
 * proves the platform issued it; `sid` names its row in `user_session`, read with the user on every request
 * (AuthService.authenticate), so logout revokes one token and disabling, deleting or a password change
 * revokes all of a user's tokens at once. `exp` is capped by TESSERA_TOKEN_TTL_SEC (at most 12 h, config.ts);
 * there is no refresh, so no token lives longer than that.
 */
const TokenPayload = z.object({
  sub: z.string(),
  sid: z.string(),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type TokenPayload = z.infer<typeof TokenPayload>;

export interface AuthSettings {
  secret: Buffer;
  ttlSec: number;
}

/** The `exp` a token issued at `nowMs` gets (whole seconds). */
export const tokenExpiry = (settings: AuthSettings, nowMs: number): number =>
  Math.floor(nowMs / 1000) + settings.ttlSec;

export function issueToken(
  settings: AuthSettings,
  session: { userId: string; sessionId: string; exp: number },
  nowMs: number,
): { token: string; exp: number } {
  const iat = Math.floor(nowMs / 1000);
  const payload: TokenPayload = { sub: session.userId, sid: session.sessionId, iat, exp: session.exp };
  return { token: signToken(payload, settings.secret), exp: payload.exp };
}

/** The payload of a well-formed, correctly signed, unexpired token; null otherwise. */
export function verifyToken(settings: AuthSettings, token: string, nowMs: number): TokenPayload | null {
  const verdict = verifySignedToken(token, settings.secret, TokenPayload, nowMs);
  return verdict.ok ? verdict.payload : null;
}
