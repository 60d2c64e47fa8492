import type { Clock } from '@tessera/kit';

export interface AuthLockoutOptions {
  clock: Clock;
  /** Failures within `windowMs` that lock the device out. */
  maxFailures: number;
  windowMs: number;
  /** First lockout; each further lockout doubles it, up to `maxLockMs`. */
  lockMs: number;
  maxLockMs: number;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
  lockCount: number;
}

/**
 * Back-off after repeated digest failures, keyed by device ID (a password guesser rotating source ports
 * is still one device). A success forgets the history.
 */
export class AuthLockout {
  readonly #opts: AuthLockoutOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: AuthLockoutOptions) {
    this.#opts = options;
  }

  /** Milliseconds left on a lockout, or 0 when the device may try. */
  lockedFor(key: string): number {
    const entry = this.#entries.get(key);
    if (!entry) return 0;
    return Math.max(0, entry.lockedUntil - this.#opts.clock.now());
  }

  recordFailure(key: string): void {
    const now = this.#opts.clock.now();
    const entry = this.#entries.get(key) ?? { failures: [], lockedUntil: 0, lockCount: 0 };
    entry.failures = entry.failures.filter((t) => now - t < this.#opts.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= this.#opts.maxFailures) {
      const lock = Math.min(this.#opts.maxLockMs, this.#opts.lockMs * 2 ** entry.lockCount);
      entry.lockedUntil = now + lock;
      entry.lockCount += 1;
      entry.failures = [];
    }
    this.#entries.set(key, entry);
    if (this.#entries.size > 100_000) this.#prune(now);
  }

  recordSuccess(key: string): void {
    this.#entries.delete(key);
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.lockedUntil < now && entry.failures.every((t) => now - t >= this.#opts.windowMs)) {
        this.#entries.delete(key);
      }
    }
  }
}
