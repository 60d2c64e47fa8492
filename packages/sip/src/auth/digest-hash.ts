import { createHash } from 'node:crypto';
import { SipAuthError } from '../errors';

/**
 * The secret behind a digest: the clear password, or HA1 = H(username:realm:password) computed beforehand
 * (RFC 2617 §3.2.2.2) so the side that verifies need not hold the clear text. An HA1 is bound to its realm and to
 * its hash (MD5 or SM3).
 */
export type DigestSecret = { password: string; ha1?: undefined } | { ha1: string; password?: undefined };

/** Inputs of the RFC 2617 §3.2.2.1 request-digest. */
export type DigestInput = DigestSecret & DigestRequestInput;

interface DigestRequestInput {
  /** `MD5` (default when absent), `MD5-sess`, `SM3` or `SM3-sess` (GB/T 28181-2022 §9.1). */
  algorithm?: string;
  username: string;
  realm: string;
  method: string;
  /** The `uri` parameter of the Authorization header: SIPp sends `sip:<ip>:<port>`, not the Request-URI. */
  uri: string;
  nonce: string;
  /** Absent for the RFC 2069 form GB/T 28181 devices still send. */
  qop?: 'auth' | 'auth-int';
  /** 8 hex digits, e.g. `00000001`. Required with qop. */
  nc?: string;
  cnonce?: string;
  /** Entity body, hashed into HA2 for qop=auth-int. */
  body?: Buffer;
}

/**
 * The digest algorithms we compute: RFC 2617's MD5 and GB/T 28181-2022 §9.1's SM3 (GB/T 32905, 256-bit), each with
 * its `-sess` variant. RFC 7616 §3.4 makes every step (HA1, HA2, response) use the hash the `algorithm` parameter
 * names; the token is case-insensitive. Node's OpenSSL build ships SM3 (`createHash('sm3')`).
 */
const algorithmHashes = new Map<string, DigestHash>([
  ['md5', 'md5'],
  ['md5-sess', 'md5'],
  ['sm3', 'sm3'],
  ['sm3-sess', 'sm3'],
]);

/** The hash functions behind the digest algorithms we support. */
export type DigestHash = 'md5' | 'sm3';

export function isSupportedAlgorithm(algorithm: string | undefined): boolean {
  return algorithm === undefined || algorithmHashes.has(algorithm.toLowerCase());
}

/** The hash an `algorithm` parameter names (absent: MD5, RFC 2617 §3.2.1); undefined when we do not support it. */
export function digestHashOf(algorithm: string | undefined): DigestHash | undefined {
  return algorithm === undefined ? 'md5' : algorithmHashes.get(algorithm.toLowerCase());
}

/** The hex request-digest a client puts in `response="…"`. */
export function computeDigestResponse(input: DigestInput): string {
  if (!isSupportedAlgorithm(input.algorithm)) {
    throw new SipAuthError('unsupported-algorithm', `digest algorithm ${input.algorithm}`);
  }
  const name = digestHashOf(input.algorithm)!;
  const h = (data: string | Buffer): string => createHash(name).update(data).digest('hex');
  // An HA1 handed in must be for this algorithm's hash (64 hex digits for SM3): the caller picks it.
  let ha1 = input.ha1 ?? digestHa1(input.username, input.realm, input.password, name);
  if (input.algorithm?.toLowerCase().endsWith('-sess'))
    ha1 = h(`${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  const ha2 =
    input.qop === 'auth-int'
      ? h(`${input.method}:${input.uri}:${h(input.body ?? Buffer.alloc(0))}`)
      : h(`${input.method}:${input.uri}`);
  if (input.qop === undefined) return h(`${ha1}:${input.nonce}:${ha2}`);
  return h(`${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`);
}

/** HA1 = H(username ":" realm ":" password), RFC 2617 §3.2.2.2 with RFC 7616 §3.4.2's choice of H (MD5 default). */
export function digestHa1(
  username: string,
  realm: string,
  password: string,
  hash: DigestHash = 'md5',
): string {
  return createHash(hash).update(`${username}:${realm}:${password}`).digest('hex');
}
