import type { KeyValueStore } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import type { Redis } from 'ioredis';
import { BusClosedError } from '../errors';
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
