import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived viewer tokens, issued by the platform when a user may watch a session and checked by the media
 * server on WHEP. Bound to one session; HMAC-SHA256 over the payload with a secret both services share.
 * Format: base64url(JSON {sid, sub, exp}) "." base64url(mac).
 */
export interface ViewerGrant {
  sessionId: string;
  /** Who watches (user id or name), for the access register. */
  viewer: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
}

export type ViewerTokenVerdict =
  | { ok: true; grant: ViewerGrant }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' | 'wrong-session' };

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function signViewerToken(grant: ViewerGrant, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({ sid: grant.sessionId, sub: grant.viewer, exp: grant.expiresAt }),
  ).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

export function verifyViewerToken(
  token: string,
  options: { secret: string; sessionId: string; now: number },
): ViewerTokenVerdict {
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(options.secret, payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'bad-signature' };
  }
  let claims: { sid?: unknown; sub?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof claims.sid !== 'string' || typeof claims.sub !== 'string' || typeof claims.exp !== 'number') {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.exp <= options.now) return { ok: false, reason: 'expired' };
  if (claims.sid !== options.sessionId) return { ok: false, reason: 'wrong-session' };
  return { ok: true, grant: { sessionId: claims.sid, viewer: claims.sub, expiresAt: claims.exp } };
}
