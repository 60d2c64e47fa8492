import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createBus,
  createKeyValueStore,
  MemoryBus,
  MemoryKeyValueStore,
  RedisBus,
  RedisKeyValueStore,
} from '../src';
import { logger } from './support/harness';
import { policy } from './support/payloads';
import { adminClient, deleteNamespace, REDIS_URL, uniqueNamespace } from './support/redis';

describe('createBus / createKeyValueStore', () => {
  it('uses memory without a Redis URL, shared by every bus of the namespace in this process', async () => {
    const namespace = `factory-${randomUUID()}`;
    const gateway = createBus({ namespace, logger });
    const platform = createBus({ namespace, logger, redisUrl: '' });
    const elsewhere = createBus({ namespace: `${namespace}-other`, logger });
    expect(gateway).toBeInstanceOf(MemoryBus);
    await platform.handle('inventory.device-policy', async () => policy('0'.repeat(32)));
    await expect(
      gateway.request('inventory.device-policy', { deviceId: 'd1' }, { timeoutMs: 5_000 }),
    ).resolves.toEqual(policy('0'.repeat(32)));
    await expect(
      elsewhere.request('inventory.device-policy', { deviceId: 'd1' }, { timeoutMs: 50 }),
    ).rejects.toMatchObject({ name: 'BusTimeoutError' });
    await Promise.all([gateway.close(), platform.close(), elsewhere.close()]);

    const a = createKeyValueStore({ namespace, logger });
    const b = createKeyValueStore({ namespace, logger });
    expect(a).toBeInstanceOf(MemoryKeyValueStore);
    await a.set('presence:d1', 'online');
    expect(await b.get('presence:d1')).toBe('online');
    expect(
      await createKeyValueStore({ namespace: `${namespace}-other`, logger }).get('presence:d1'),
    ).toBeNull();
  });

  it('uses Redis when a URL is given', async () => {
    const namespace = uniqueNamespace();
    const bus = createBus({ namespace, logger, redisUrl: REDIS_URL });
    const store = createKeyValueStore({ namespace, logger, redisUrl: REDIS_URL });
    const admin = adminClient();
    try {
      expect(bus).toBeInstanceOf(RedisBus);
      expect(store).toBeInstanceOf(RedisKeyValueStore);
      await store.set('presence:d1', 'online');
      expect(await admin.get(`${namespace}:kv:presence:d1`)).toBe('online');
    } finally {
      await Promise.all([bus.close(), store.close()]);
      await deleteNamespace(admin, namespace);
      await admin.quit();
    }
  });
});
