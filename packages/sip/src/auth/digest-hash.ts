import { createHash } from 'node:crypto';
import { SipAuthError } from '../errors';

/**
 * The secret behind a digest: the clear password, or HA1 = MD5(username:realm:password) computed beforehand
 * (RFC 2617 §3.2.2.2) so the side that verifies need not hold the clear text. An HA1 is bound to its realm.
 */
export type DigestSecret = { password: string; ha1?: undefined } | { ha1: string; password?: undefined };

/** Inputs of the RFC 2617 §3.2.2.1 request-digest. */
export type DigestInput = DigestSecret & DigestRequestInput;

interface DigestRequestInput {
  /** `MD5` (default when absent) or `MD5-sess`. */
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

// TODO(gb28181-2022): SM3 digest (GB/T 28181-2022 §9.1 allows it; SIPp has reg_sm3_auth.xml). Node's OpenSSL build
// ships SM3 only in some distributions, so it needs its own implementation or a vetted package before we accept it.
const supportedAlgorithms = new Set(['md5', 'md5-sess']);

export function isSupportedAlgorithm(algorithm: string | undefined): boolean {
  return algorithm === undefined || supportedAlgorithms.has(algorithm.toLowerCase());
}

/** The hex request-digest a client puts in `response="…"`. */
export function computeDigestResponse(input: DigestInput): string {
  if (!isSupportedAlgorithm(input.algorithm)) {
    throw new SipAuthError('unsupported-algorithm', `digest algorithm ${input.algorithm}`);
  }
  let ha1 = input.ha1 ?? digestHa1(input.username, input.realm, input.password);
  if (input.algorithm?.toLowerCase() === 'md5-sess') ha1 = md5(`${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  const ha2 =
    input.qop === 'auth-int'
      ? md5(`${input.method}:${input.uri}:${md5(input.body ?? Buffer.alloc(0))}`)
      : md5(`${input.method}:${input.uri}`);
  if (input.qop === undefined) return md5(`${ha1}:${input.nonce}:${ha2}`);
  return md5(`${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`);
}

/** HA1 = MD5(username ":" realm ":" password), RFC 2617 §3.2.2.2. */
export function digestHa1(username: string, realm: string, password: string): string {
  return md5(`${username}:${realm}:${password}`);
}

function md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}
