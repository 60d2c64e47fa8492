import type { KeyValueStore } from '@tessera/contracts';
import type { Clock, Logger } from '@tessera/kit';
import { MemoryBroker } from './memory/memory-broker';
import { MemoryBus } from './memory/memory-bus';
import { MemoryKeyValueStore } from './memory/memory-kv';
import type { MeteredLeaseStore } from './lease';
import { MemoryLeaseStore } from './memory/memory-lease-store';
import type { MeteredBus } from './metrics';
import { RedisBus, type RedisBusOptions } from './redis/redis-bus';
import { RedisKeyValueStore } from './redis/redis-kv';
import { RedisLeaseStore } from './redis/redis-lease-store';

export interface CreateBusOptions extends Omit<RedisBusOptions, 'url'> {
  /** Redis in production; without it (or empty) the in-process bus of `namespace` is used. */
  redisUrl?: string;
}

/**
 * Redis when a URL is given; otherwise a `MemoryBus` on `MemoryBroker.shared(namespace)`, so all services
 * started in one process (`npm start`) with the same namespace talk to each other as they would on Redis.
 */
export function createBus(options: CreateBusOptions): MeteredBus {
  const { redisUrl, ...rest } = options;
  if (redisUrl) return new RedisBus({ ...rest, url: redisUrl });
  return new MemoryBus({ ...rest, broker: MemoryBroker.shared(options.namespace) });
}

export interface CreateKeyValueStoreOptions {
  redisUrl?: string;
  namespace: string;
  logger: Logger;
  /** Memory store only: time source for TTLs. */
  clock?: Clock;
}

/** Redis when a URL is given; otherwise the in-process store of `namespace` (shared like `createBus`). */
export function createKeyValueStore(options: CreateKeyValueStoreOptions): KeyValueStore {
  if (options.redisUrl) {
    return new RedisKeyValueStore({
      url: options.redisUrl,
      namespace: options.namespace,
      logger: options.logger,
    });
  }
  return new MemoryKeyValueStore({ broker: MemoryBroker.shared(options.namespace), clock: options.clock });
}

export interface CreateLeaseStoreOptions {
  redisUrl?: string;
  namespace: string;
  logger: Logger;
  /** Memory store only: time source for expiry. */
  clock?: Clock;
}

/**
 * Redis when a URL is given; otherwise the in-process leases of `namespace` (shared like `createBus`, so the
 * services of `npm start` contend for the same leases as replicas on one Redis would).
 */
export function createLeaseStore(options: CreateLeaseStoreOptions): MeteredLeaseStore {
  if (options.redisUrl) {
    return new RedisLeaseStore({
      url: options.redisUrl,
      namespace: options.namespace,
      logger: options.logger,
    });
  }
  return new MemoryLeaseStore({ broker: MemoryBroker.shared(options.namespace), clock: options.clock });
}
