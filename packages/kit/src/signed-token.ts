import { createHmac, timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';

/**
 * Tokens signed with a shared secret: `base64url(JSON payload).base64url(HMAC-SHA256(secret, payload part))`.
 * The one format of the repository's tokens — WHEP viewer tokens (viewer-token.ts) and the platform's console/API
 * tokens (platform/src/auth/token.ts) — so the signing, the constant-time comparison, the expiry and the bound on
 * length live in one place; each user keeps its own payload schema and claims. The payload must carry `exp`
 * (Unix seconds).
 */
export type SignedTokenRejection = 'malformed' | 'forged' | 'expired';

export type SignedTokenVerdict<T> = { ok: true; payload: T } | { ok: false; reason: SignedTokenRejection };

/** Longest token accepted: a bound on the work a hostile client can make us do. */
export const MAX_SIGNED_TOKEN_LENGTH = 2048;

export type TokenSecret = string | Buffer;

/** `payload` as a token; its JSON is signed as written, so callers fix the key order. */
export function signToken<T extends { readonly exp: number }>(payload: T, secret: TokenSecret): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${hmac(body, secret).toString('base64url')}`;
}

/**
 * The payload of a well-formed, correctly signed, unexpired token, as `schema` reads it. The signature is checked
 * before the payload is parsed, so a forger's JSON is never read. `nowMs`: milliseconds since the epoch.
 */
export function verifySignedToken<T extends { exp: number }>(
  token: string,
  secret: TokenSecret,
  schema: z.ZodType<T, unknown>,
  nowMs: number,
): SignedTokenVerdict<T> {
  const dot = token.indexOf('.');
  if (token.length > MAX_SIGNED_TOKEN_LENGTH || dot <= 0 || dot !== token.lastIndexOf('.')) {
    return { ok: false, reason: 'malformed' };
  }
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = hmac(body, secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'forged' };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  if (parsed.data.exp * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, payload: parsed.data };
}

function hmac(body: string, secret: TokenSecret): Buffer {
  return createHmac('sha256', secret).update(body).digest();
}
