import type { KeyValueStore } from '@tessera/contracts';
import type { NonceUse, NonceUseVerdict } from '@tessera/sip';

/**
 * `NonceUses` (packages/sip/src/auth/nonce-uses.ts) in the key/value store shared by gateway replicas, so that a
 * REGISTER's credentials used at one replica are a replay at every other (RFC 2617 §3.2.2: the server detects
 * replays by the nc-value). Same verdicts as the in-process store but `forgotten`: the store's TTLs bound it.
 *
 * Two atomic steps, each one command: `nonce-tag:<nonce>` keeps the first use's tag (SET NX), `nonce-nc:<nonce>`
 * the highest nc seen (raise). Both live one nonce lifetime from the first use: the nonce is stale by then. Two
 * replicas racing with the same (nonce, nc) cannot both pass: only one raise finds the nc lower.
 */
export class SharedNonceUses {
  readonly #store: KeyValueStore;
  readonly #ttlSec: number;

  constructor(store: KeyValueStore, ttlMs: number) {
    this.#store = store;
    this.#ttlSec = ttlMs / 1000;
  }

  async use(attempt: NonceUse): Promise<NonceUseVerdict> {
    // No qop, no nc: 0, which no later use can exceed, so a second use is a replay (one use only).
    const nc = attempt.nc === undefined ? 0 : Number.parseInt(attempt.nc, 16);
    // RFC 2617 §3.2.2: nc is 8 hex digits; anything else cannot be ordered, so it is not let through.
    if (!Number.isSafeInteger(nc)) return 'replay';
    const firstTag = await this.#store.setIfAbsent(`nonce-tag:${attempt.nonce}`, attempt.tag, this.#ttlSec);
    const previous = await this.#store.raise(`nonce-nc:${attempt.nonce}`, nc, this.#ttlSec);
    const sameTag = firstTag === null || firstTag === attempt.tag;
    if (previous === null) return sameTag ? 'first' : 'changed';
    if (attempt.nc === undefined || !(nc > previous)) return 'replay';
    return sameTag ? 'next' : 'changed';
  }
}
