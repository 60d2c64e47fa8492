export {
  BusArgumentError,
  BusClosedError,
  BusInvalidPayloadError,
  BusRemoteError,
  BusTimeoutError,
} from './errors';
export {
  type CreateBusOptions,
  type CreateKeyValueStoreOptions,
  type CreateLeaseStoreOptions,
  createBus,
  createKeyValueStore,
  createLeaseStore,
} from './factory';
export { LeaseKeeper, type LeaseKeeperOptions, type LeaseLostReason } from './lease-keeper';
export { LEASE_LIMITS, type LeaseMetrics, type MeteredLeaseStore } from './lease';
export { MemoryBroker } from './memory/memory-broker';
export { MemoryBus, type MemoryBusOptions } from './memory/memory-bus';
export { MemoryKeyValueStore, type MemoryKeyValueStoreOptions } from './memory/memory-kv';
export { MemoryLeaseStore, type MemoryLeaseStoreOptions } from './memory/memory-lease-store';
export type { BusMetrics, MeteredBus } from './metrics';
export { BUS_DEFAULTS, type BusTuning } from './options';
export { RedisBus, type RedisBusOptions } from './redis/redis-bus';
export { RedisKeyValueStore, type RedisKeyValueStoreOptions } from './redis/redis-kv';
export { RedisLeaseStore, type RedisLeaseStoreOptions } from './redis/redis-lease-store';
export { redisKeys } from './redis/keys';
