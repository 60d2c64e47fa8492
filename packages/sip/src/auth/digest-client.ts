import { randomBytes } from 'node:crypto';
import { SipAuthError } from '../errors';
import { quote } from '../message/lexer';
import { type DigestChallenge, parseChallenge } from './digest-challenge';
import { computeDigestResponse, type DigestSecret } from './digest-hash';

/** `password`, or `ha1` computed for the challenge's realm (the cascade: the platform keeps the password). */
export type DigestClientOptions = DigestSecret & DigestClientRequest;

interface DigestClientRequest {
  username: string;
  method: string;
  /** Digest `uri`: normally the Request-URI of the request being authorised. */
  uri: string;
  /** Client nonce; random when absent (tests pin it). */
  cnonce?: string;
  /** Nonce count, 1 for the first use of a nonce. */
  nc?: number;
  /** Request body, for qop=auth-int. */
  body?: Buffer;
}

/**
 * Answers a Digest challenge with an Authorization value: for our own REGISTER upward (cascade) and for the device
 * simulator. Prefers qop=auth when offered, falls back to auth-int, and uses the RFC 2069 form when no qop is
 * offered (SIPp's and many platforms' challenges have none). Throws SipAuthError for algorithms we cannot compute.
 */
export function buildAuthorization(
  challenge: string | DigestChallenge,
  options: DigestClientOptions,
): string {
  const parsed = typeof challenge === 'string' ? parseChallenge(challenge) : challenge;
  const offered = parsed.qop ?? [];
  let qop: 'auth' | 'auth-int' | undefined;
  if (offered.includes('auth')) qop = 'auth';
  else if (offered.includes('auth-int')) qop = 'auth-int';
  else if (offered.length > 0) throw new SipAuthError('unsupported-qop', `qop "${offered.join(',')}"`);
  const cnonce = qop === undefined ? undefined : (options.cnonce ?? randomBytes(8).toString('hex'));
  const nc = qop === undefined ? undefined : (options.nc ?? 1).toString(16).padStart(8, '0');
  const secret: DigestSecret =
    options.ha1 !== undefined ? { ha1: options.ha1 } : { password: options.password };
  const response = computeDigestResponse({
    ...secret,
    algorithm: parsed.algorithm,
    username: options.username,
    realm: parsed.realm,
    method: options.method,
    uri: options.uri,
    nonce: parsed.nonce,
    qop,
    nc,
    cnonce,
    body: options.body,
  });
  const parts = [
    `username=${quote(options.username)}`,
    `realm=${quote(parsed.realm)}`,
    `nonce=${quote(parsed.nonce)}`,
    `uri=${quote(options.uri)}`,
    `response=${quote(response)}`,
    `algorithm=${parsed.algorithm ?? 'MD5'}`,
  ];
  if (qop !== undefined) parts.push(`cnonce=${quote(cnonce!)}`, `qop=${qop}`, `nc=${nc}`);
  if (parsed.opaque !== undefined) parts.push(`opaque=${quote(parsed.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}
