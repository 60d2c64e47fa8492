import type { Clock } from '@tessera/kit';

export interface NonceUsesOptions {
  clock: Clock;
  /** A nonce's lifetime (HmacNonceIssuer's TTL): an entry is useless once its nonce is stale. */
  ttlMs: number;
  /** Most nonces remembered at once; beyond it the oldest is forgotten (and counted), see `use`. */
  maxEntries?: number;
  /** Called for every entry forgotten before its nonce expired (a metric). */
  onEvicted?: () => void;
}

export interface NonceUse {
  nonce: string;
  /** When the nonce was issued (HmacNonceIssuer.issuedAt). */
  issuedAt: number;
  /** The nonce count as sent (`00000001`); absent for the RFC 2069 form without qop. */
  nc: string | undefined;
  /**
   * What the first use of the nonce was for; a later use with another tag is `changed`. The registrar passes the
   * requested Expires, so changing it (de-registering with Expires: 0 included) takes a fresh challenge.
   */
  tag: string;
}

/**
 * - `first`: the nonce was never used.
 * - `next`: used before, now with a higher nc and the same tag (RFC 3261 §22.4 lets a client reuse credentials).
 * - `replay`: the same or a lower nc again, or a nonce without qop again (it has no nc to tell uses apart).
 * - `changed`: a higher nc but another tag than the first use.
 * - `forgotten`: the store was full and forgot nonces issued this early; treated as used (re-challenge).
 */
export type NonceUseVerdict = 'first' | 'next' | 'replay' | 'changed' | 'forgotten';

interface Entry {
  nc: number;
  tag: string;
  issuedAt: number;
  /** First use + TTL: the nonce is stale by then, whatever its issue time. */
  dropAt: number;
}

/**
 * Which verified nonces were used, and up to which nonce count (RFC 2617 §3.2.2: "the server … can detect request
 * replays by checking the nc-value"). Only nonces whose digest verified are recorded, so an attacker without the
 * password cannot fill it; still it is bounded: past `maxEntries` the oldest entry is forgotten and every nonce
 * issued no later than it reads `forgotten` — a forgotten nonce can never be replayed, the cost is at most one
 * extra challenge for a device. Per process: replicas behind one address each keep their own (a replay sent to
 * another replica still needs the victim's source address, which the nonce is bound to).
 */
export class NonceUses {
  readonly #opts: NonceUsesOptions;
  readonly #maxEntries: number;
  /** In first-use order, so the head is the oldest. */
  readonly #entries = new Map<string, Entry>();
  /** Nonces issued at or before this were possibly forgotten. */
  #forgottenUpTo = -1;

  constructor(options: NonceUsesOptions) {
    this.#opts = options;
    this.#maxEntries = options.maxEntries ?? 200_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  use(attempt: NonceUse): NonceUseVerdict {
    const now = this.#opts.clock.now();
    const nc = attempt.nc === undefined ? 0 : Number.parseInt(attempt.nc, 16);
    const entry = this.#entries.get(attempt.nonce);
    if (entry && entry.dropAt > now) {
      // RFC 2617 §3.2.2: the nc must grow with every use; without qop there is no nc, so one use only.
      if (attempt.nc === undefined || !(nc > entry.nc)) return 'replay';
      entry.nc = nc;
      return entry.tag === attempt.tag ? 'next' : 'changed';
    }
    if (attempt.issuedAt <= this.#forgottenUpTo) return 'forgotten';
    if (entry) this.#entries.delete(attempt.nonce);
    this.#makeRoom(now);
    this.#entries.set(attempt.nonce, {
      nc,
      tag: attempt.tag,
      issuedAt: attempt.issuedAt,
      dropAt: now + this.#opts.ttlMs,
    });
    return 'first';
  }

  #makeRoom(now: number): void {
    // The head is the oldest first use, so expired entries gather there.
    for (const [nonce, entry] of this.#entries) {
      if (entry.dropAt > now && this.#entries.size < this.#maxEntries) break;
      this.#entries.delete(nonce);
      if (entry.dropAt > now) {
        this.#forgottenUpTo = Math.max(this.#forgottenUpTo, entry.issuedAt);
        this.#opts.onEvicted?.();
      }
    }
  }
}
