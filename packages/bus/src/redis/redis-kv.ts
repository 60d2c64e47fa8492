import type { KeyValueStore } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import type { Redis } from 'ioredis';
import { BusArgumentError, BusClosedError } from '../errors';
import { ttlToMs } from '../kv-ttl';
import { closeConnection, connectRedis } from './connection';
import { escapeGlob, redisKeys } from './keys';

export interface RedisKeyValueStoreOptions {
  url: string;
  namespace: string;
  logger: Logger;
  /** SCAN COUNT hint for `keys()`. */
  scanCount?: number;
}

/** INCR, and the TTL when INCR created the key (a window from the first increment). */
const INCREMENT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/** Raises the integer to ARGV[1] if absent or lower; returns the previous value (false -> nil when absent). */
const RAISE = `
local previous = redis.call('GET', KEYS[1])
if not previous then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
elseif tonumber(previous) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
end
return previous`;

function requiredTtlMs(ttlSec: number): number {
  return ttlToMs(ttlSec) as number;
}

function assertInteger(value: number): void {
  if (!Number.isSafeInteger(value)) throw new BusArgumentError(`value must be a safe integer, got ${value}`);
}

/** `KeyValueStore` on Redis: `<ns>:kv:<key>` strings, TTL via SET PX, listing via SCAN (never KEYS). */
export class RedisKeyValueStore implements KeyValueStore {
  readonly #conn: Redis;
  readonly #prefix: string;
  readonly #logger: Logger;
  readonly #scanCount: number;
  #closing: Promise<void> | undefined;

  constructor(options: RedisKeyValueStoreOptions) {
    this.#prefix = redisKeys(options.namespace).kvPrefix;
    this.#logger = options.logger.child({ component: 'kv', impl: 'redis', namespace: options.namespace });
    this.#scanCount = options.scanCount ?? 500;
    this.#conn = connectRedis({
      url: options.url,
      name: `tessera-kv:${options.namespace}`,
      blocking: false,
      logger: this.#logger,
    });
  }

  async get(key: string): Promise<string | null> {
    this.#assertOpen();
    return this.#conn.get(this.#prefix + key);
  }

  /** Without `ttlSec` the key never expires (SET clears an earlier TTL). */
  async set(key: string, value: string, ttlSec?: number): Promise<void> {
    this.#assertOpen();
    const ttlMs = ttlToMs(ttlSec);
    if (ttlMs === undefined) await this.#conn.set(this.#prefix + key, value);
    else await this.#conn.set(this.#prefix + key, value, 'PX', ttlMs);
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    await this.#conn.del(this.#prefix + key);
  }

  /** SET NX GET (Redis 7): stores when absent and answers the value already there, in one command. */
  async setIfAbsent(key: string, value: string, ttlSec: number): Promise<string | null> {
    this.#assertOpen();
    const ttlMs = requiredTtlMs(ttlSec);
    return this.#conn.call('SET', this.#prefix + key, value, 'PX', ttlMs, 'NX', 'GET') as Promise<
      string | null
    >;
  }

  async increment(key: string, ttlSec: number): Promise<number> {
    this.#assertOpen();
    const ttlMs = requiredTtlMs(ttlSec);
    return Number(await this.#conn.eval(INCREMENT, 1, this.#prefix + key, ttlMs));
  }

  async raise(key: string, value: number, ttlSec: number): Promise<number | null> {
    this.#assertOpen();
    assertInteger(value);
    const ttlMs = requiredTtlMs(ttlSec);
    const previous = (await this.#conn.eval(RAISE, 1, this.#prefix + key, value, ttlMs)) as string | null;
    return previous === null ? null : Number(previous);
  }

  /** SCAN with a literal-prefix MATCH; deduplicated (SCAN may repeat keys) and sorted. */
  async keys(prefix: string): Promise<string[]> {
    this.#assertOpen();
    const match = `${escapeGlob(this.#prefix + prefix)}*`;
    const found = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await this.#conn.scan(cursor, 'MATCH', match, 'COUNT', this.#scanCount);
      for (const key of batch) found.add(key.slice(this.#prefix.length));
      cursor = next;
    } while (cursor !== '0');
    return [...found].sort();
  }

  /** Idempotent. */
  close(): Promise<void> {
    this.#closing ??= closeConnection(this.#conn, this.#logger);
    return this.#closing;
  }

  #assertOpen(): void {
    if (this.#closing) throw new BusClosedError('key/value store');
  }
}
