import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@tessera/kit';

export type NonceState = 'valid' | 'stale' | 'invalid';

/** Decides whether a nonce quoted back by a client is one we issued, and whether it is still fresh. */
export interface NonceValidator {
  check(nonce: string, realm: string): NonceState;
}

export interface HmacNonceIssuerOptions {
  clock: Clock;
  /**
   * HMAC key. Replicas behind one load balancer must share it, or a device challenged by one replica is rejected by
   * the next. Defaults to a random per-process key.
   */
  secret?: Buffer | string;
  /** How long a nonce stays valid. Devices answer a 401 within a second; five minutes covers slow re-REGISTERs. */
  ttlMs?: number;
}

const timestampDigits = 12;
const macDigits = 32;
// A nonce stamped slightly in the future (clock steps between replicas) is still ours.
const allowedSkewMs = 5_000;

/**
 * Stateless nonces: `<issue time, 12 hex digits><HMAC-SHA256(time:realm), 32 hex digits>`. Nothing is stored: a
 * nonce costs no memory per device, survives a restart (given the same secret), and carries its own age, which is
 * what lets the verifier answer `stale=true`. Not tracked: nonce-count replay within the TTL.
 */
export class HmacNonceIssuer implements NonceValidator {
  readonly #clock: Clock;
  readonly #secret: Buffer;
  readonly #ttlMs: number;

  constructor(options: HmacNonceIssuerOptions) {
    this.#clock = options.clock;
    this.#secret = options.secret === undefined ? randomBytes(32) : Buffer.from(options.secret);
    this.#ttlMs = options.ttlMs ?? 5 * 60_000;
  }

  issue(realm: string): string {
    const stamp = Math.max(0, Math.floor(this.#clock.now())).toString(16).padStart(timestampDigits, '0');
    return `${stamp}${this.#mac(stamp, realm)}`;
  }

  check(nonce: string, realm: string): NonceState {
    if (nonce.length !== timestampDigits + macDigits || !/^[0-9a-f]+$/.test(nonce)) return 'invalid';
    const stamp = nonce.slice(0, timestampDigits);
    const expected = Buffer.from(this.#mac(stamp, realm), 'latin1');
    const given = Buffer.from(nonce.slice(timestampDigits), 'latin1');
    if (!timingSafeEqual(expected, given)) return 'invalid';
    const age = this.#clock.now() - Number.parseInt(stamp, 16);
    if (age < -allowedSkewMs) return 'invalid';
    return age > this.#ttlMs ? 'stale' : 'valid';
  }

  #mac(stamp: string, realm: string): string {
    return createHmac('sha256', this.#secret).update(`${stamp}:${realm}`).digest('hex').slice(0, macDigits);
  }
}
