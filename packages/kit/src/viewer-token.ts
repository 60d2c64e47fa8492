import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short-lived viewer tokens: the platform, which checks a user's right to watch a channel, issues one per
 * (session, user); the media server only verifies it on WHEP. Format `<payload>.<signature>`, both base64url: the
 * payload is the JSON of the claims, the signature HMAC-SHA256 of the payload text with the secret both services
 * share (TESSERA_MEDIA_TOKEN_SECRET). One implementation here so both sides agree byte for byte.
 */
export interface ViewerTokenClaims {
  readonly sessionId: string;
  /** Who watches (user name or id), for logs and the access register. */
  readonly viewer: string;
  /** Expiry, Unix seconds. */
  readonly exp: number;
}

export type ViewerTokenRejection = 'malformed' | 'forged' | 'expired' | 'other-session';

export type ViewerTokenVerdict =
  | { ok: true; claims: ViewerTokenClaims }
  | { ok: false; reason: ViewerTokenRejection };

export interface VerifyViewerTokenOptions {
  readonly secret: string;
  /** The session the token must be for (the WHEP URL's); omitted = any. */
  readonly sessionId?: string;
  /** Milliseconds since the epoch; defaults to `Date.now()`. */
  readonly now?: number;
}

/** Longest token accepted: a bound on the work a hostile client can make us do. */
const MAX_TOKEN_LENGTH = 2048;

export function signViewerToken(claims: ViewerTokenClaims, secret: string): string {
  const payload = Buffer.from(
    JSON.stringify({ sessionId: claims.sessionId, viewer: claims.viewer, exp: claims.exp }),
  ).toString('base64url');
  return `${payload}.${sign(payload, secret)}`;
}

export function checkViewerToken(token: string, options: VerifyViewerTokenOptions): ViewerTokenVerdict {
  const dot = token.indexOf('.');
  if (token.length > MAX_TOKEN_LENGTH || dot <= 0 || dot !== token.lastIndexOf('.')) {
    return { ok: false, reason: 'malformed' };
  }
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(payload, options.secret), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'forged' };
  const claims = parseClaims(payload);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.exp * 1000 <= (options.now ?? Date.now())) return { ok: false, reason: 'expired' };
  if (options.sessionId !== undefined && claims.sessionId !== options.sessionId) {
    return { ok: false, reason: 'other-session' };
  }
  return { ok: true, claims };
}

function sign(payload: string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

function parseClaims(payload: string): ViewerTokenClaims | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { sessionId, viewer, exp } = value as Record<string, unknown>;
  if (typeof sessionId !== 'string' || typeof viewer !== 'string' || typeof exp !== 'number')
    return undefined;
  if (!Number.isFinite(exp)) return undefined;
  return { sessionId, viewer, exp };
}
