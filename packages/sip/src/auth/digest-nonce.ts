import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '@tessera/kit';

export type NonceState = 'valid' | 'stale' | 'invalid';

/**
 * Decides whether a nonce quoted back by a client is one we issued, to the same client (`scope`), and whether it is
 * still fresh.
 */
export interface NonceValidator {
  check(nonce: string, realm: string, scope?: string): NonceState;
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
/** Random salt: two challenges to one address within a millisecond (a NVR's channels, a NAT site) differ. */
const saltDigits = 8;
const macDigits = 32;
// A nonce stamped slightly in the future (clock steps between replicas) is still ours.
const allowedSkewMs = 5_000;

/**
 * Stateless nonces: `<issue time, 12 hex digits><salt, 8 hex digits><HMAC-SHA256(time salt:realm:scope), 32 hex
 * digits>`. Nothing is stored: a nonce costs no memory per device, survives a restart (given the same secret), and
 * carries its own age, which is what lets the verifier answer `stale=true`. The salt makes every nonce unique, which
 * replay tracking keys on.
 *
 * `scope` binds a nonce to whom it was issued: the registrar passes the packet source (transport and address, not
 * the port, which NAT may move between the 401 and the retry), so an Authorization captured on the wire does not
 * verify from another address. Reuse of a nonce within its TTL is for `NonceUses` (nonce-uses.ts) to track.
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

  /** How long a nonce stays valid after it was issued. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  issue(realm: string, scope = ''): string {
    const time = Math.max(0, Math.floor(this.#clock.now())).toString(16).padStart(timestampDigits, '0');
    const stamp = `${time}${randomBytes(saltDigits / 2).toString('hex')}`;
    return `${stamp}${this.#mac(stamp, realm, scope)}`;
  }

  check(nonce: string, realm: string, scope = ''): NonceState {
    if (nonce.length !== timestampDigits + saltDigits + macDigits || !/^[0-9a-f]+$/.test(nonce))
      return 'invalid';
    const stamp = nonce.slice(0, timestampDigits + saltDigits);
    const expected = Buffer.from(this.#mac(stamp, realm, scope), 'latin1');
    const given = Buffer.from(nonce.slice(timestampDigits + saltDigits), 'latin1');
    if (!timingSafeEqual(expected, given)) return 'invalid';
    const age = this.#clock.now() - this.issuedAt(nonce);
    if (age < -allowedSkewMs) return 'invalid';
    return age > this.#ttlMs ? 'stale' : 'valid';
  }

  /** When a nonce of ours was issued (ms), read from its stamp; check it first, this does not verify the MAC. */
  issuedAt(nonce: string): number {
    return Number.parseInt(nonce.slice(0, timestampDigits), 16);
  }

  #mac(stamp: string, realm: string, scope: string): string {
    const input = scope === '' ? `${stamp}:${realm}` : `${stamp}:${realm}:${scope}`;
    return createHmac('sha256', this.#secret).update(input).digest('hex').slice(0, macDigits);
  }
}
