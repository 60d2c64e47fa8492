import type { Clock } from '@tessera/kit';

export interface LoginThrottleSettings {
  /** Login attempts one source address may make per minute, whatever the username (a token bucket). */
  sourcePerMinute: number;
  /** Failed logins in a row on one username from one source before that source is locked out of it. */
  failuresPerSource: number;
  /** Failed logins on one username from all sources, within `lockoutSec`, before the username is locked. */
  failuresPerUser: number;
  /** How long a lockout lasts; also how long failures are remembered. */
  lockoutSec: number;
  /** Remembered sources and usernames, each map; the least recently touched is forgotten past this. */
  maxEntries: number;
}

export type ThrottleReason = 'source-rate' | 'source-locked' | 'user-locked';

export type ThrottleVerdict =
  | { allowed: true }
  | { allowed: false; reason: ThrottleReason; retryAfterSec: number };

/** The login limits as AuthService uses them: in this process (LoginThrottle) or shared (SharedLoginThrottle). */
export interface LoginLimits {
  check(username: string, source: string): ThrottleVerdict | Promise<ThrottleVerdict>;
  recordFailure(
    username: string,
    source: string,
  ): Array<'source' | 'user'> | Promise<Array<'source' | 'user'>>;
  recordSuccess(username: string, source: string): void | Promise<void>;
  unlock(username: string): void | Promise<void>;
}

interface Bucket {
  tokens: number;
  at: number;
}

interface Failures {
  count: number;
  /** Last failure; the count is forgotten `lockoutSec` after it. */
  at: number;
  lockedUntil: number;
}

/**
 * Login rate limit and lockout, in memory (per platform process; a restart forgets). Replicas on Redis count in
 * the store instead (shared-login-throttle.ts). The policy:
 * - a source address gets `sourcePerMinute` attempts a minute, refilled continuously — caps guessing from one
 *   address across usernames, and the scrypt work one address can cause;
 * - `failuresPerSource` failures in a row on one username from one source lock THAT source out of that
 *   username for `lockoutSec`: other sources — the real user at their own desk — still log in, so an
 *   attacker cannot lock a user out by guessing;
 * - `failuresPerUser` failures on one username from all sources together (a distributed guess) lock the
 *   username for everyone for `lockoutSec`; an admin lifts it with POST /api/v1/users/{id}/unlock.
 * A success clears that source's failures on the username. Unknown usernames are throttled alike, so the
 * answers do not tell which usernames exist.
 */
export class LoginThrottle implements LoginLimits {
  readonly #sources = new Map<string, Bucket>();
  /** username → source → failures from that source. */
  readonly #pairs = new Map<string, Map<string, Failures>>();
  readonly #users = new Map<string, Failures>();

  constructor(
    private readonly settings: LoginThrottleSettings,
    private readonly clock: Pick<Clock, 'now'>,
  ) {}

  /** Called before the password is checked; takes one attempt from the source's budget when allowed. */
  check(username: string, source: string): ThrottleVerdict {
    const now = this.clock.now();
    const user = this.#users.get(username);
    if (user && user.lockedUntil > now) return this.#refuse('user-locked', user.lockedUntil - now);
    const pair = this.#pairs.get(username)?.get(source);
    if (pair && pair.lockedUntil > now) return this.#refuse('source-locked', pair.lockedUntil - now);
    const bucket = this.#bucket(source, now);
    if (bucket.tokens < 1) {
      const perMs = this.settings.sourcePerMinute / 60_000;
      return this.#refuse('source-rate', (1 - bucket.tokens) / perMs);
    }
    bucket.tokens -= 1;
    return { allowed: true };
  }

  /** A wrong password (or unknown username). Returns the lockouts this failure started. */
  recordFailure(username: string, source: string): Array<'source' | 'user'> {
    const now = this.clock.now();
    const started: Array<'source' | 'user'> = [];
    let bySource = this.#pairs.get(username);
    if (!bySource) {
      bySource = new Map();
      remember(this.#pairs, username, bySource, this.settings.maxEntries);
    }
    const pair = this.#count(bySource.get(source), now);
    if (pair.count >= this.settings.failuresPerSource) {
      pair.count = 0;
      pair.lockedUntil = now + this.settings.lockoutSec * 1000;
      started.push('source');
    }
    remember(bySource, source, pair, this.settings.maxEntries);
    const user = this.#count(this.#users.get(username), now);
    if (user.count >= this.settings.failuresPerUser) {
      user.count = 0;
      user.lockedUntil = now + this.settings.lockoutSec * 1000;
      started.push('user');
    }
    remember(this.#users, username, user, this.settings.maxEntries);
    return started;
  }

  recordSuccess(username: string, source: string): void {
    const bySource = this.#pairs.get(username);
    bySource?.delete(source);
    if (bySource?.size === 0) this.#pairs.delete(username);
  }

  /** Lifts every lockout and forgets every failure on the username (an admin's unlock). */
  unlock(username: string): void {
    this.#pairs.delete(username);
    this.#users.delete(username);
  }

  #count(previous: Failures | undefined, now: number): Failures {
    const fresh = !previous || now - previous.at > this.settings.lockoutSec * 1000;
    const lockedUntil = previous?.lockedUntil ?? 0;
    return { count: (fresh ? 0 : previous.count) + 1, at: now, lockedUntil };
  }

  #bucket(source: string, now: number): Bucket {
    const capacity = this.settings.sourcePerMinute;
    const previous = this.#sources.get(source);
    const tokens = previous
      ? Math.min(capacity, previous.tokens + ((now - previous.at) * capacity) / 60_000)
      : capacity;
    const bucket = { tokens, at: now };
    remember(this.#sources, source, bucket, this.settings.maxEntries);
    return bucket;
  }

  #refuse(reason: ThrottleReason, ms: number): ThrottleVerdict {
    return { allowed: false, reason, retryAfterSec: Math.max(1, Math.ceil(ms / 1000)) };
  }
}

/** Sets the entry as the most recently touched; forgets the least recently touched past `max`. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done) break;
    map.delete(oldest.value);
  }
}
