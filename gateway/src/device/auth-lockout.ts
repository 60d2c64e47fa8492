import type { Clock } from '@tessera/kit';

export interface AuthLockoutOptions {
  clock: Clock;
  /** Failures of one device ID from one source address within `windowMs` that lock that pair out. */
  maxFailures: number;
  windowMs: number;
  /** First lockout; each further lockout of the same key doubles it, up to `maxLockMs`. */
  lockMs: number;
  maxLockMs: number;
  /**
   * Failures from one source address over all device IDs within `windowMs` that lock the address out for every
   * device not known there (a guesser rotating device IDs). Default: 4 × `maxFailures`.
   */
  maxFailuresPerSource?: number;
  /**
   * Failures overall within `windowMs` above which every source a device is not known at is turned away for
   * `lockMs` (a guesser rotating addresses). Default 200.
   */
  maxFailuresGlobal?: number;
  /** Most keys remembered (failures and known addresses each); the oldest go first. Default 100,000. */
  maxEntries?: number;
}

/** Which lock turned a REGISTER away. */
export type LockScope = 'device' | 'source' | 'global';

export interface Lock {
  scope: LockScope;
  /** Milliseconds left. */
  ms: number;
}

export interface AuthAttempt {
  deviceId: string;
  /** Packet source address (no port: a guesser may rotate ports, a device behind NAT may move between them). */
  address: string;
}

/** The lockout as the registrar uses it: in this process (AuthLockout) or shared by replicas (SharedAuthLockout). */
export interface AuthLockoutPolicy {
  lockFor(attempt: AuthAttempt, registeredHere?: boolean): Lock | undefined | Promise<Lock | undefined>;
  recordFailure(attempt: AuthAttempt): void | Promise<void>;
  recordSuccess(attempt: AuthAttempt): void | Promise<void>;
}

interface Entry {
  failures: number[];
  lockedUntil: number;
  lockCount: number;
}

/**
 * Back-off after digest failures, so that a password guesser is slowed down without locking the real device out:
 *
 * - per (device ID, source address): `maxFailures` wrong answers lock that pair, doubling up to `maxLockMs`. A guess
 *   from elsewhere never locks the device at its own address (it used to: the lock was keyed by device ID alone).
 * - per source address, over all device IDs, and overall (the ceiling): a source past its limit, or everyone while
 *   the ceiling is hit, is turned away — except a device at an address it authenticated from before (or is
 *   registered at: the registrar says so), which still gets in.
 *
 * A success forgets that pair's failures and remembers the address as the device's. Memory is bounded by
 * `maxEntries`; a flood past the global ceiling is refused before any digest is checked, so it adds no entries.
 */
export class AuthLockout implements AuthLockoutPolicy {
  readonly #opts: AuthLockoutOptions;
  readonly #maxPerSource: number;
  readonly #maxGlobal: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, Entry>();
  /** Device ID → the address it last authenticated from, oldest first. */
  readonly #known = new Map<string, string>();
  #globalWindowStart = 0;
  #globalFailures = 0;
  #globalLockedUntil = 0;

  constructor(options: AuthLockoutOptions) {
    this.#opts = options;
    this.#maxPerSource = options.maxFailuresPerSource ?? options.maxFailures * 4;
    this.#maxGlobal = options.maxFailuresGlobal ?? 200;
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  /** Whether the device authenticated from this address before. */
  knows(attempt: AuthAttempt): boolean {
    return this.#known.get(attempt.deviceId) === attempt.address;
  }

  /**
   * The lock that applies to this attempt, or undefined when it may try. `registeredHere` is the registrar's word
   * that the device is online at this address.
   */
  lockFor(attempt: AuthAttempt, registeredHere = false): Lock | undefined {
    const now = this.#opts.clock.now();
    const own = this.#remaining(deviceKey(attempt), now);
    if (own > 0) return { scope: 'device', ms: own };
    if (registeredHere || this.knows(attempt)) return undefined;
    const source = this.#remaining(sourceKey(attempt.address), now);
    if (source > 0) return { scope: 'source', ms: source };
    const global = this.#globalLockedUntil - now;
    if (global > 0) return { scope: 'global', ms: global };
    return undefined;
  }

  recordFailure(attempt: AuthAttempt): void {
    const now = this.#opts.clock.now();
    this.#fail(deviceKey(attempt), this.#opts.maxFailures, now);
    this.#fail(sourceKey(attempt.address), this.#maxPerSource, now);
    if (now - this.#globalWindowStart >= this.#opts.windowMs) {
      this.#globalWindowStart = now;
      this.#globalFailures = 0;
    }
    this.#globalFailures++;
    if (this.#globalFailures >= this.#maxGlobal) {
      this.#globalLockedUntil = now + this.#opts.lockMs;
      this.#globalWindowStart = now;
      this.#globalFailures = 0;
    }
  }

  recordSuccess(attempt: AuthAttempt): void {
    this.#entries.delete(deviceKey(attempt));
    this.#known.delete(attempt.deviceId);
    this.#known.set(attempt.deviceId, attempt.address);
    if (this.#known.size > this.#maxEntries) this.#known.delete(this.#known.keys().next().value as string);
  }

  #remaining(key: string, now: number): number {
    const entry = this.#entries.get(key);
    return entry ? Math.max(0, entry.lockedUntil - now) : 0;
  }

  #fail(key: string, maxFailures: number, now: number): void {
    const entry = this.#entries.get(key) ?? { failures: [], lockedUntil: 0, lockCount: 0 };
    entry.failures = entry.failures.filter((t) => now - t < this.#opts.windowMs);
    entry.failures.push(now);
    if (entry.failures.length >= maxFailures) {
      const lock = Math.min(this.#opts.maxLockMs, this.#opts.lockMs * 2 ** entry.lockCount);
      entry.lockedUntil = now + lock;
      entry.lockCount += 1;
      entry.failures = [];
    }
    this.#entries.set(key, entry);
    if (this.#entries.size > this.#maxEntries) this.#prune(now);
  }

  #prune(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (entry.lockedUntil < now && entry.failures.every((t) => now - t >= this.#opts.windowMs)) {
        this.#entries.delete(key);
      }
    }
    // Still full of live entries: the oldest go (the global ceiling keeps turning a flood away meanwhile).
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries * 0.9) break;
      this.#entries.delete(key);
    }
  }
}

function deviceKey(attempt: AuthAttempt): string {
  return `d|${attempt.deviceId}|${attempt.address}`;
}

function sourceKey(address: string): string {
  return `s|${address}`;
}
