import type { KeyValueStore } from '@tessera/contracts';
import type { AuthAttempt, AuthLockoutOptions, AuthLockoutPolicy, Lock } from './auth-lockout';

/** How long the number of locks on a scope (the doubling) is kept, from the first lock. */
const LOCKS_TTL_SEC = 24 * 3600;

/** How long a device's last good address is remembered; every successful REGISTER (a refresh too) renews it. */
const KNOWN_TTL_SEC = 24 * 3600;

/**
 * `AuthLockout`'s policy (auth-lockout.ts) with its counters in the key/value store shared by gateway replicas, so
 * that guesses spread over the replicas behind one address count once: the same number of failures locks a
 * (device, address) pair, a source or everyone as against one gateway.
 *
 * Keys (`lockout:` prefix; every one with a TTL, so the store needs no pruning):
 * - `fail:<scope>` failures in a window of `windowMs` from the first one (atomic increment; a fixed window where the
 *   in-process lockout slides it);
 * - `until:<scope>` epoch ms the lock ends (TTL = the lock);
 * - `locks:<scope>` how many locks so far, for the doubling (kept a day from the first; a success clears it);
 * - `known:<device>` the address the device last authenticated from.
 * The increment that reaches the limit is the one that locks (exactly one replica sees that count).
 */
export class SharedAuthLockout implements AuthLockoutPolicy {
  readonly #opts: AuthLockoutOptions;
  readonly #store: KeyValueStore;
  readonly #maxPerSource: number;
  readonly #maxGlobal: number;

  constructor(store: KeyValueStore, options: AuthLockoutOptions) {
    this.#store = store;
    this.#opts = options;
    this.#maxPerSource = options.maxFailuresPerSource ?? options.maxFailures * 4;
    this.#maxGlobal = options.maxFailuresGlobal ?? 200;
  }

  async knows(attempt: AuthAttempt): Promise<boolean> {
    return (await this.#store.get(`lockout:known:${attempt.deviceId}`)) === attempt.address;
  }

  async lockFor(attempt: AuthAttempt, registeredHere = false): Promise<Lock | undefined> {
    const own = await this.#remaining(deviceScope(attempt));
    if (own > 0) return { scope: 'device', ms: own };
    if (registeredHere || (await this.knows(attempt))) return undefined;
    const source = await this.#remaining(sourceScope(attempt.address));
    if (source > 0) return { scope: 'source', ms: source };
    const global = await this.#remaining(GLOBAL_SCOPE);
    if (global > 0) return { scope: 'global', ms: global };
    return undefined;
  }

  async recordFailure(attempt: AuthAttempt): Promise<void> {
    await this.#fail(deviceScope(attempt), this.#opts.maxFailures, true);
    await this.#fail(sourceScope(attempt.address), this.#maxPerSource, true);
    // The ceiling does not double: it turns away everyone unknown, so it stays as short as configured.
    await this.#fail(GLOBAL_SCOPE, this.#maxGlobal, false);
  }

  async recordSuccess(attempt: AuthAttempt): Promise<void> {
    const scope = deviceScope(attempt);
    await this.#store.delete(`lockout:fail:${scope}`);
    await this.#store.delete(`lockout:locks:${scope}`);
    await this.#store.set(`lockout:known:${attempt.deviceId}`, attempt.address, KNOWN_TTL_SEC);
  }

  async #remaining(scope: string): Promise<number> {
    const until = Number((await this.#store.get(`lockout:until:${scope}`)) ?? 0);
    return Number.isFinite(until) ? Math.max(0, until - this.#opts.clock.now()) : 0;
  }

  async #fail(scope: string, maxFailures: number, doubling: boolean): Promise<void> {
    const o = this.#opts;
    const failures = await this.#store.increment(`lockout:fail:${scope}`, o.windowMs / 1000);
    if (failures !== maxFailures) return;
    await this.#store.delete(`lockout:fail:${scope}`);
    let lockMs = o.lockMs;
    if (doubling) {
      const locks = await this.#store.increment(`lockout:locks:${scope}`, LOCKS_TTL_SEC);
      lockMs = Math.min(o.maxLockMs, o.lockMs * 2 ** (locks - 1));
    }
    await this.#store.set(`lockout:until:${scope}`, String(o.clock.now() + lockMs), lockMs / 1000);
  }
}

const GLOBAL_SCOPE = 'global';

function deviceScope(attempt: AuthAttempt): string {
  return `d|${attempt.deviceId}|${attempt.address}`;
}

function sourceScope(address: string): string {
  return `s|${address}`;
}
