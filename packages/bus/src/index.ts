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
  createBus,
  createKeyValueStore,
} from './factory';
export { MemoryBroker } from './memory/memory-broker';
export { MemoryBus, type MemoryBusOptions } from './memory/memory-bus';
export { MemoryKeyValueStore, type MemoryKeyValueStoreOptions } from './memory/memory-kv';
export type { BusMetrics, MeteredBus } from './metrics';
export { BUS_DEFAULTS, type BusTuning } from './options';
export { RedisBus, type RedisBusOptions } from './redis/redis-bus';
export { RedisKeyValueStore, type RedisKeyValueStoreOptions } from './redis/redis-kv';
export { redisKeys } from './redis/keys';
