import { SipAuthError } from '../errors';
import { isSupportedAlgorithm } from './digest-hash';
import { parseAuthHeader } from '../message/auth-header';
import { quote } from '../message/lexer';

/** A WWW-Authenticate / Proxy-Authenticate Digest challenge (RFC 2617 §3.2.1). */
export interface DigestChallenge {
  realm: string;
  nonce: string;
  /** Offered qop values; empty or absent means the RFC 2069 form without qop. */
  qop?: string[];
  algorithm?: string;
  opaque?: string;
  stale?: boolean;
}

/**
 * Writes a challenge in the shape wvp sends and GB/T 28181 devices are known to accept:
 * `Digest realm="3402000000", qop="auth", nonce="…", algorithm=MD5`. qop defaults to `auth`; pass `qop: []` for a
 * device that only does RFC 2069 digests.
 */
export function buildChallenge(challenge: DigestChallenge): string {
  const qop = challenge.qop ?? ['auth'];
  const parts = [`realm=${quote(challenge.realm)}`];
  if (qop.length > 0) parts.push(`qop=${quote(qop.join(','))}`);
  parts.push(`nonce=${quote(challenge.nonce)}`);
  if (challenge.opaque !== undefined) parts.push(`opaque=${quote(challenge.opaque)}`);
  // RFC 2617: stale is a bare token, and only worth sending when true.
  if (challenge.stale) parts.push('stale=TRUE');
  parts.push(`algorithm=${challenge.algorithm ?? 'MD5'}`);
  return `Digest ${parts.join(', ')}`;
}

/** Reads a Digest challenge; throws SipParseError on bad syntax and SipAuthError when it is not Digest. */
export function parseChallenge(value: string): DigestChallenge {
  const { scheme, params } = parseAuthHeader(value);
  if (scheme.toLowerCase() !== 'digest') throw new SipAuthError('not-digest', `scheme ${scheme}`);
  const challenge: DigestChallenge = { realm: params.get('realm') ?? '', nonce: params.get('nonce') ?? '' };
  const qop = params.get('qop');
  if (qop !== undefined) {
    challenge.qop = qop
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter(Boolean);
  }
  const algorithm = params.get('algorithm');
  if (algorithm !== undefined) challenge.algorithm = algorithm;
  const opaque = params.get('opaque');
  if (opaque !== undefined) challenge.opaque = opaque;
  if (params.get('stale')?.toLowerCase() === 'true') challenge.stale = true;
  return challenge;
}

/**
 * Of several challenges in one response (one WWW-Authenticate per algorithm, listed in the server's order of
 * preference, RFC 8760 §2.4 / RFC 7616 §3.7), the first whose algorithm we compute. Throws SipAuthError
 * `unsupported-algorithm` when there is none, SipParseError when the chosen one is malformed.
 */
export function pickChallenge(values: readonly string[]): DigestChallenge {
  let refused: string | undefined;
  for (const value of values) {
    let challenge: DigestChallenge;
    try {
      challenge = parseChallenge(value);
    } catch (error) {
      // Another scheme beside Digest is not ours to answer; a malformed Digest is.
      if (error instanceof SipAuthError) continue;
      throw error;
    }
    if (isSupportedAlgorithm(challenge.algorithm)) return challenge;
    refused ??= challenge.algorithm;
  }
  throw new SipAuthError('unsupported-algorithm', `digest algorithm ${refused ?? '(no challenge)'}`);
}
