import { z } from 'zod';
import { type SignedTokenRejection, signToken, verifySignedToken } from './signed-token';

/**
 * Short-lived viewer tokens: the platform, which checks a user's right to watch a channel, issues one per
 * (session, user); the media server only verifies it on WHEP. Format `<payload>.<signature>`, both base64url: the
 * payload is the JSON of the claims, the signature HMAC-SHA256 of the payload text with the secret both services
 * share (TESSERA_MEDIA_TOKEN_SECRET). Signed and verified by signed-token.ts, so both sides agree byte for byte.
 */
export interface ViewerTokenClaims {
  readonly sessionId: string;
  /** Who watches (user name or id), for logs and the access register. */
  readonly viewer: string;
  /** Expiry, Unix seconds. */
  readonly exp: number;
}

export type ViewerTokenRejection = SignedTokenRejection | 'other-session';

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

const ViewerTokenPayload = z.object({ sessionId: z.string(), viewer: z.string(), exp: z.number().finite() });

export function signViewerToken(claims: ViewerTokenClaims, secret: string): string {
  return signToken({ sessionId: claims.sessionId, viewer: claims.viewer, exp: claims.exp }, secret);
}

export function checkViewerToken(token: string, options: VerifyViewerTokenOptions): ViewerTokenVerdict {
  const verdict = verifySignedToken(token, options.secret, ViewerTokenPayload, options.now ?? Date.now());
  if (!verdict.ok) return verdict;
  if (options.sessionId !== undefined && verdict.payload.sessionId !== options.sessionId) {
    return { ok: false, reason: 'other-session' };
  }
  return { ok: true, claims: verdict.payload };
}
