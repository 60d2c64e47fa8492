import { checkViewerToken, type VerifyViewerTokenOptions, type ViewerTokenClaims } from '@tessera/kit';
import { AccessDeniedError } from '../errors';

/**
 * Viewer tokens are issued by the platform and only verified here; the format lives in `@tessera/kit` so both
 * sides share one implementation. This adapter turns a refusal into the media server's AccessDeniedError (403).
 */
export { signViewerToken, type ViewerTokenClaims, type VerifyViewerTokenOptions } from '@tessera/kit';

/** Returns the claims of a valid token; throws `AccessDeniedError` (malformed, forged, expired, other-session). */
export function verifyViewerToken(token: string, options: VerifyViewerTokenOptions): ViewerTokenClaims {
  const verdict = checkViewerToken(token, options);
  if (!verdict.ok) throw new AccessDeniedError(verdict.reason);
  return verdict.claims;
}
