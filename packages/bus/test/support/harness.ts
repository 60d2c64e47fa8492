import type { EventTopic, KeyValueStore } from '@tessera/contracts';
import { createLogger, ManualClock } from '@tessera/kit';
import type { Redis } from 'ioredis';
import {
  MemoryBroker,
  MemoryBus,
  MemoryKeyValueStore,
  MemoryLeaseStore,
  type MeteredBus,
  type MeteredLeaseStore,
  RedisBus,
  RedisKeyValueStore,
  RedisLeaseStore,
  redisKeys,
} from '../../src';
import { adminClient, deleteNamespace, REDIS_URL, uniqueNamespace } from './redis';

export const logger = createLogger('bus-test');

export interface BusOptions {
  commandConcurrency?: number;
}

/** One isolated "Redis": buses created here see each other, and nothing else. */
export interface BusBackend {
  bus(options?: BusOptions): MeteredBus;
  /** Appends a raw payload to a topic's stream, bypassing validation (XADD for Redis). */
  injectRawEvent(topic: EventTopic, raw: string): Promise<void>;
  /** Closes every bus created here and removes what they left. */
  dispose(): Promise<void>;
}

export interface BusImplementation {
  name: string;
  backend(): Promise<BusBackend>;
}

export const memoryBuses: BusImplementation = {
  name: 'MemoryBus',
  async backend() {
    const broker = new MemoryBroker();
    const buses: MeteredBus[] = [];
    return {
      bus(options) {
        const bus = new MemoryBus({ broker, logger, ...options });
        buses.push(bus);
        return bus;
      },
      async injectRawEvent(topic, raw) {
        broker.append(topic, raw, 1000);
      },
      async dispose() {
        await Promise.all(buses.map((b) => b.close()));
      },
    };
  },
};

export const redisBuses: BusImplementation = { name: 'RedisBus', backend: () => redisBackend() };

/** A redis backend with access to its namespace and admin connection, for Redis-only tests. */
export interface RedisBackend extends BusBackend {
  namespace: string;
  admin: Redis;
  redisBus(options?: Partial<ConstructorParameters<typeof RedisBus>[0]>): RedisBus;
}

export async function redisBackend(): Promise<RedisBackend> {
  const namespace = uniqueNamespace();
  const admin = adminClient();
  const buses: RedisBus[] = [];
  const redisBus = (options?: Partial<ConstructorParameters<typeof RedisBus>[0]>) => {
    const bus = new RedisBus({ url: REDIS_URL, namespace, logger, ...options });
    buses.push(bus);
    return bus;
  };
  return {
    namespace,
    admin,
    redisBus,
    bus: (options) => redisBus(options),
    async injectRawEvent(topic, raw) {
      await admin.xadd(redisKeys(namespace).stream(topic), '*', 'data', raw);
    },
    async dispose() {
      await Promise.all(buses.map((b) => b.close()));
      await deleteNamespace(admin, namespace);
      await admin.quit();
    },
  };
}

// Key/value stores ---------------------------------------------------------------------------------

export interface KvBackend {
  store(): KeyValueStore;
  /** Lets `ms` of store time pass: advances the manual clock (memory); real time passes by itself (Redis). */
  passTime(ms: number): void;
  dispose(): Promise<void>;
}

export interface KvImplementation {
  name: string;
  backend(): Promise<KvBackend>;
}

export const memoryStores: KvImplementation = {
  name: 'MemoryKeyValueStore',
  async backend() {
    const broker = new MemoryBroker();
    const clock = new ManualClock(1_000_000);
    const stores: KeyValueStore[] = [];
    return {
      store() {
        const store = new MemoryKeyValueStore({ broker, clock });
        stores.push(store);
        return store;
      },
      passTime: (ms) => clock.advance(ms),
      async dispose() {
        await Promise.all(stores.map((s) => s.close()));
      },
    };
  },
};

/** A Redis store backend with access to its namespace and admin connection, for Redis-only tests. */
export interface RedisKvBackend extends KvBackend {
  namespace: string;
  admin: Redis;
}

export async function redisKvBackend(): Promise<RedisKvBackend> {
  const namespace = uniqueNamespace();
  const admin = adminClient();
  const stores: KeyValueStore[] = [];
  return {
    namespace,
    admin,
    store() {
      const store = new RedisKeyValueStore({ url: REDIS_URL, namespace, logger });
      stores.push(store);
      return store;
    },
    passTime: () => {},
    async dispose() {
      await Promise.all(stores.map((s) => s.close()));
      await deleteNamespace(admin, namespace);
      await admin.quit();
    },
  };
}

export const redisStores: KvImplementation = { name: 'RedisKeyValueStore', backend: () => redisKvBackend() };

// Lease stores -------------------------------------------------------------------------------------

export interface LeaseBackend {
  /** A store on this backend: stores of one backend contend for the same leases (replicas). */
  store(): MeteredLeaseStore;
  /** Lets `ms` of store time pass: advances the manual clock (memory); real time passes by itself (Redis). */
  passTime(ms: number): void;
  dispose(): Promise<void>;
}

export interface LeaseImplementation {
  name: string;
  backend(): Promise<LeaseBackend>;
}

export const memoryLeases: LeaseImplementation = {
  name: 'MemoryLeaseStore',
  async backend() {
    const broker = new MemoryBroker();
    const clock = new ManualClock(1_000_000);
    const stores: MeteredLeaseStore[] = [];
    return {
      store() {
        const store = new MemoryLeaseStore({ broker, clock });
        stores.push(store);
        return store;
      },
      passTime: (ms) => clock.advance(ms),
      async dispose() {
        await Promise.all(stores.map((s) => s.close()));
      },
    };
  },
};

/** A Redis lease backend with access to its namespace and admin connection, for Redis-only tests. */
export interface RedisLeaseBackend extends LeaseBackend {
  namespace: string;
  admin: Redis;
}

export async function redisLeaseBackend(): Promise<RedisLeaseBackend> {
  const namespace = uniqueNamespace();
  const admin = adminClient();
  const stores: MeteredLeaseStore[] = [];
  return {
    namespace,
    admin,
    store() {
      const store = new RedisLeaseStore({ url: REDIS_URL, namespace, logger });
      stores.push(store);
      return store;
    },
    passTime: () => {},
    async dispose() {
      await Promise.all(stores.map((s) => s.close()));
      await deleteNamespace(admin, namespace);
      await admin.quit();
    },
  };
}

export const redisLeases: LeaseImplementation = {
  name: 'RedisLeaseStore',
  backend: () => redisLeaseBackend(),
};
