import { timingSafeEqual } from 'node:crypto';
import { SipParseError } from '../errors';
import { parseAuthHeader } from '../message/auth-header';
import { computeDigestResponse, type DigestSecret, isSupportedAlgorithm } from './digest-hash';
import type { NonceValidator } from './digest-nonce';

/** The parameters of an `Authorization: Digest …` header (RFC 2617 §3.2.2). */
export interface DigestCredentials {
  username: string;
  realm: string;
  nonce: string;
  uri: string;
  response: string;
  algorithm?: string;
  qop?: string;
  nc?: string;
  cnonce?: string;
  opaque?: string;
}

/** Reads an Authorization / Proxy-Authorization value; throws SipParseError unless it is a complete Digest. */
export function parseCredentials(value: string): DigestCredentials {
  const { scheme, params } = parseAuthHeader(value);
  if (scheme.toLowerCase() !== 'digest') throw new SipParseError('bad-auth-header', `scheme ${scheme}`);
  const need = (name: string): string => {
    const found = params.get(name);
    if (found === undefined) throw new SipParseError('bad-auth-header', `no ${name} parameter`);
    return found;
  };
  const credentials: DigestCredentials = {
    username: need('username'),
    realm: need('realm'),
    nonce: need('nonce'),
    uri: need('uri'),
    response: need('response'),
  };
  for (const name of ['algorithm', 'qop', 'nc', 'cnonce', 'opaque'] as const) {
    const found = params.get(name);
    if (found !== undefined) credentials[name] = found;
  }
  return credentials;
}

/** `password` or `ha1`: the secret on file for `credentials.username` (an HA1 must be for `realm`). */
export type VerifyDigestOptions = DigestSecret & {
  /** Request method (`REGISTER`); HA2 uses it with the credentials' own `uri`. */
  method: string;
  realm: string;
  nonces: NonceValidator;
  /** Whom the nonce must have been issued to (see HmacNonceIssuer): the registrar passes the packet source. */
  scope?: string;
  /** Request body, needed only for qop=auth-int. */
  body?: Buffer;
};

/**
 * Why a digest was refused. `stale-nonce` means the password was right but the nonce expired: challenge again with
 * `stale: true` (RFC 2617 §3.2.1) so the device retries silently; `wrong-response` is a wrong password (wvp answers
 * 403); the others are malformed or foreign credentials (challenge again).
 */
export type DigestRejection =
  | 'wrong-realm'
  | 'unsupported-algorithm'
  | 'unsupported-qop'
  | 'missing-cnonce'
  | 'unknown-nonce'
  | 'stale-nonce'
  | 'wrong-response';

export type DigestVerdict = { ok: true; username: string } | { ok: false; reason: DigestRejection };

/**
 * Checks a digest. HA2 is computed over the `uri` the client put in the header, not our Request-URI: SIPp and
 * several devices quote a different URI, and RFC 2617 only asks that it identify the same resource. The response is
 * checked before the nonce so that an expired nonce with a right password reads as `stale-nonce`.
 */
export function verifyDigest(credentials: DigestCredentials, options: VerifyDigestOptions): DigestVerdict {
  if (credentials.realm !== options.realm) return { ok: false, reason: 'wrong-realm' };
  if (!isSupportedAlgorithm(credentials.algorithm)) return { ok: false, reason: 'unsupported-algorithm' };
  const qop = credentials.qop?.toLowerCase();
  if (qop !== undefined && qop !== 'auth' && qop !== 'auth-int')
    return { ok: false, reason: 'unsupported-qop' };
  if (qop !== undefined && (credentials.cnonce === undefined || credentials.nc === undefined)) {
    return { ok: false, reason: 'missing-cnonce' };
  }
  const secret: DigestSecret =
    options.ha1 !== undefined ? { ha1: options.ha1 } : { password: options.password };
  const expected = computeDigestResponse({
    ...credentials,
    ...secret,
    qop,
    method: options.method,
    body: options.body,
  });
  if (!sameHex(expected, credentials.response)) return { ok: false, reason: 'wrong-response' };
  const nonce = options.nonces.check(credentials.nonce, options.realm, options.scope);
  if (nonce === 'invalid') return { ok: false, reason: 'unknown-nonce' };
  if (nonce === 'stale') return { ok: false, reason: 'stale-nonce' };
  return { ok: true, username: credentials.username };
}

function sameHex(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(given.toLowerCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}
