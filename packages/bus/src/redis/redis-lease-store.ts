import type { Lease } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import type { Redis } from 'ioredis';
import { BusClosedError, BusInvalidPayloadError } from '../errors';
import {
  assertLeaseHolder,
  assertLeaseKey,
  assertLeasePrefix,
  createLeaseMetrics,
  frozenLease,
  type LeaseMetrics,
  leaseTtlMs,
  type MeteredLeaseStore,
} from '../lease';
import { closeConnection, connectRedis } from './connection';
import { escapeGlob, redisKeys } from './keys';

export interface RedisLeaseStoreOptions {
  url: string;
  namespace: string;
  logger: Logger;
  /** SCAN COUNT hint for `list()`. */
  scanCount?: number;
}

/*
 * Each operation is one Lua script, so check-and-set is atomic: two replicas acquiring at once cannot both
 * win. Times are the Redis server's (TIME) and expiry is set with PEXPIREAT at the `expiresAt` kept in the
 * hash, so the lease read back and the moment Redis drops it are the same millisecond.
 * KEYS[1] = `<ns>:lease:<key>` (hash holder/epoch/expiresAt); KEYS[2] = `<ns>:lease-epoch:<key>`.
 * ACQUIRE replies {status, holder, epoch, expiresAt}: status 0 = held by another, 1 = new tenure, 2 = renewed.
 */
const NOW_MS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const ACQUIRE = `${NOW_MS}
local expiresAt = now + tonumber(ARGV[2])
local cur = redis.call('HMGET', KEYS[1], 'holder', 'epoch', 'expiresAt')
if cur[1] and cur[2] and cur[3] then
  if cur[1] ~= ARGV[1] then return {0, cur[1], cur[2], cur[3]} end
  redis.call('HSET', KEYS[1], 'expiresAt', expiresAt)
  redis.call('PEXPIREAT', KEYS[1], expiresAt)
  return {2, cur[1], cur[2], tostring(expiresAt)}
end
local epoch = redis.call('INCR', KEYS[2])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'epoch', epoch, 'expiresAt', expiresAt)
redis.call('PEXPIREAT', KEYS[1], expiresAt)
return {1, ARGV[1], tostring(epoch), tostring(expiresAt)}`;

const RENEW = `${NOW_MS}
if redis.call('HGET', KEYS[1], 'holder') ~= ARGV[1] then return 0 end
local expiresAt = now + tonumber(ARGV[2])
redis.call('HSET', KEYS[1], 'expiresAt', expiresAt)
redis.call('PEXPIREAT', KEYS[1], expiresAt)
return 1`;

const RELEASE = `
if redis.call('HGET', KEYS[1], 'holder') ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`;

/** {holder, epoch, expiresAt}, or nil when free. */
const READ = `
local cur = redis.call('HMGET', KEYS[1], 'holder', 'epoch', 'expiresAt')
if not cur[1] and not cur[2] and not cur[3] then return nil end
return {cur[1] or '', cur[2] or '', cur[3] or ''}`;

/**
 * `LeaseStore` on Redis: `<ns>:lease:<key>` hashes with PX expiry, epochs in `<ns>:lease-epoch:<key>`
 * counters that never expire (an epoch must never repeat for a key, or a fenced write from a holder that
 * lost the lease could pass for the current holder's). Listing via SCAN (never KEYS).
 */
export class RedisLeaseStore implements MeteredLeaseStore {
  readonly metrics: LeaseMetrics = createLeaseMetrics();
  readonly #conn: Redis;
  readonly #keys: ReturnType<typeof redisKeys>;
  readonly #logger: Logger;
  readonly #scanCount: number;
  #closing: Promise<void> | undefined;

  constructor(options: RedisLeaseStoreOptions) {
    this.#keys = redisKeys(options.namespace);
    this.#logger = options.logger.child({ component: 'lease', impl: 'redis', namespace: options.namespace });
    this.#scanCount = options.scanCount ?? 500;
    this.#conn = connectRedis({
      url: options.url,
      name: `tessera-lease:${options.namespace}`,
      blocking: false,
      logger: this.#logger,
    });
  }

  async acquire(key: string, holder: string, ttlMs: number): Promise<Lease | null> {
    this.#assertOpen();
    assertLeaseKey(key);
    assertLeaseHolder(holder);
    const ttl = leaseTtlMs(ttlMs);
    const reply = await this.#conn.eval(
      ACQUIRE,
      2,
      this.#keys.leasePrefix + key,
      this.#keys.leaseEpochPrefix + key,
      holder,
      ttl,
    );
    if (!Array.isArray(reply)) throw this.#badReply(key, reply);
    const [status, ...fields] = reply;
    const lease = parseLease(key, fields);
    if (!lease || (status !== 0 && status !== 1 && status !== 2)) throw this.#badReply(key, reply);
    if (status === 0) {
      this.metrics.refused++;
      return null;
    }
    if (status === 1) this.metrics.acquired++;
    else this.metrics.renewed++;
    return lease;
  }

  async renew(key: string, holder: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    assertLeaseKey(key);
    assertLeaseHolder(holder);
    const ttl = leaseTtlMs(ttlMs);
    const renewed = (await this.#conn.eval(RENEW, 1, this.#keys.leasePrefix + key, holder, ttl)) === 1;
    if (renewed) this.metrics.renewed++;
    else this.metrics.lost++;
    return renewed;
  }

  async release(key: string, holder: string): Promise<boolean> {
    this.#assertOpen();
    assertLeaseKey(key);
    assertLeaseHolder(holder);
    const released = (await this.#conn.eval(RELEASE, 1, this.#keys.leasePrefix + key, holder)) === 1;
    if (released) this.metrics.released++;
    return released;
  }

  async holder(key: string): Promise<Lease | null> {
    this.#assertOpen();
    assertLeaseKey(key);
    return this.#read(key, await this.#conn.eval(READ, 1, this.#keys.leasePrefix + key));
  }

  /** SCAN with a literal-prefix MATCH, then one atomic read per key (a lease that expired meanwhile is left out); sorted by key. */
  async list(prefix: string): Promise<Lease[]> {
    this.#assertOpen();
    assertLeasePrefix(prefix);
    const base = this.#keys.leasePrefix;
    const match = `${escapeGlob(base + prefix)}*`;
    const found = new Map<string, Lease>();
    let cursor = '0';
    do {
      const [next, batch] = await this.#conn.scan(cursor, 'MATCH', match, 'COUNT', this.#scanCount);
      cursor = next;
      const keys = batch.map((k) => k.slice(base.length)).filter((k) => !found.has(k));
      if (keys.length === 0) continue;
      const pipeline = this.#conn.pipeline();
      for (const key of keys) pipeline.eval(READ, 1, base + key);
      const replies = (await pipeline.exec()) ?? [];
      keys.forEach((key, i) => {
        const [err, reply] = replies[i] ?? [new Error('no reply')];
        if (err) throw err;
        const lease = this.#read(key, reply);
        if (lease) found.set(key, lease);
      });
    } while (cursor !== '0');
    return [...found.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Idempotent. Leases held through this store stay until they expire (a holder that stops should `release`). */
  close(): Promise<void> {
    this.#closing ??= closeConnection(this.#conn, this.#logger);
    return this.#closing;
  }

  #read(key: string, reply: unknown): Lease | null {
    if (reply === null) return null;
    const lease = Array.isArray(reply) ? parseLease(key, reply) : null;
    if (!lease) throw this.#badReply(key, reply);
    return lease;
  }

  /** Redis answers are input too: a lease key someone else wrote with another shape is refused, typed. */
  #badReply(key: string, reply: unknown): BusInvalidPayloadError {
    this.#logger.error({ key, reply }, 'unexpected lease entry in Redis');
    return new BusInvalidPayloadError(`lease ${key}`, ['unexpected lease entry in Redis']);
  }

  #assertOpen(): void {
    if (this.#closing) throw new BusClosedError('lease store');
  }
}

/** [holder, epoch, expiresAt] as the scripts return them (hash fields: strings). */
function parseLease(key: string, fields: unknown[]): Lease | null {
  const [holder, epochText, expiresAtText] = fields;
  const epoch = typeof epochText === 'string' && /^\d{1,15}$/.test(epochText) ? Number(epochText) : 0;
  const expiresAt =
    typeof expiresAtText === 'string' && /^\d{1,15}$/.test(expiresAtText) ? Number(expiresAtText) : 0;
  if (typeof holder !== 'string' || holder === '' || epoch < 1 || expiresAt < 1) return null;
  return frozenLease(key, holder, epoch, expiresAt);
}
