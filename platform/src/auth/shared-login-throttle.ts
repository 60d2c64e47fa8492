import type { KeyValueStore } from '@tessera/contracts';
import type { Clock } from '@tessera/kit';
import type { LoginLimits, LoginThrottleSettings, ThrottleReason, ThrottleVerdict } from './login-throttle';

/**
 * `LoginThrottle`'s policy (login-throttle.ts) with its counters in the key/value store shared by platform
 * replicas, so that guesses spread over the replicas behind one address count once. Keys (`login:` prefix, each
 * with a TTL):
 * - `rate:<source>:<minute>` attempts from a source in that clock minute (a fixed window where the in-process
 *   throttle refills a bucket continuously);
 * - `fail:p|<user>|<source>`, `fail:u|<user>` failures, forgotten `lockoutSec` after the first (in process: after
 *   the last);
 * - `until:p|<user>|<source>`, `until:u|<user>` epoch ms a lockout ends.
 * The increment that reaches a limit is the one that locks (exactly one replica sees that count).
 */
export class SharedLoginThrottle implements LoginLimits {
  readonly #store: KeyValueStore;
  readonly #settings: Omit<LoginThrottleSettings, 'maxEntries'>;
  readonly #clock: Pick<Clock, 'now'>;

  constructor(
    store: KeyValueStore,
    settings: Omit<LoginThrottleSettings, 'maxEntries'>,
    clock: Pick<Clock, 'now'>,
  ) {
    this.#store = store;
    this.#settings = settings;
    this.#clock = clock;
  }

  async check(username: string, source: string): Promise<ThrottleVerdict> {
    const now = this.#clock.now();
    const user = await this.#remaining(userScope(username), now);
    if (user > 0) return refuse('user-locked', user);
    const pair = await this.#remaining(pairScope(username, source), now);
    if (pair > 0) return refuse('source-locked', pair);
    const minute = Math.floor(now / 60_000);
    const attempts = await this.#store.increment(`login:rate:${source}:${minute}`, 60);
    if (attempts > this.#settings.sourcePerMinute) return refuse('source-rate', (minute + 1) * 60_000 - now);
    return { allowed: true };
  }

  async recordFailure(username: string, source: string): Promise<Array<'source' | 'user'>> {
    const started: Array<'source' | 'user'> = [];
    if (await this.#fail(pairScope(username, source), this.#settings.failuresPerSource))
      started.push('source');
    if (await this.#fail(userScope(username), this.#settings.failuresPerUser)) started.push('user');
    return started;
  }

  async recordSuccess(username: string, source: string): Promise<void> {
    await this.#store.delete(`login:fail:${pairScope(username, source)}`);
  }

  async unlock(username: string): Promise<void> {
    const pairs = pairScope(username, '');
    const keys = [
      ...(await this.#store.keys(`login:fail:${pairs}`)),
      ...(await this.#store.keys(`login:until:${pairs}`)),
      `login:fail:${userScope(username)}`,
      `login:until:${userScope(username)}`,
    ];
    for (const key of keys) await this.#store.delete(key);
  }

  async #remaining(scope: string, now: number): Promise<number> {
    const until = Number((await this.#store.get(`login:until:${scope}`)) ?? 0);
    return Number.isFinite(until) ? Math.max(0, until - now) : 0;
  }

  /** Counts a failure; true when it is the one that starts a lockout. */
  async #fail(scope: string, limit: number): Promise<boolean> {
    const lockoutSec = this.#settings.lockoutSec;
    if ((await this.#store.increment(`login:fail:${scope}`, lockoutSec)) !== limit) return false;
    await this.#store.delete(`login:fail:${scope}`);
    await this.#store.set(`login:until:${scope}`, String(this.#clock.now() + lockoutSec * 1000), lockoutSec);
    return true;
  }
}

function refuse(reason: ThrottleReason, ms: number): ThrottleVerdict {
  return { allowed: false, reason, retryAfterSec: Math.max(1, Math.ceil(ms / 1000)) };
}

/** The username is URI-encoded, so it holds no `|`: `unlock`'s prefix for `ab` never matches `ab|c`'s keys. */
function pairScope(username: string, source: string): string {
  return `p|${encodeURIComponent(username)}|${source}`;
}

function userScope(username: string): string {
  return `u|${encodeURIComponent(username)}`;
}
