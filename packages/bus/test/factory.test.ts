import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createBus,
  createKeyValueStore,
  createLeaseStore,
  MemoryBus,
  MemoryKeyValueStore,
  MemoryLeaseStore,
  RedisBus,
  RedisKeyValueStore,
  RedisLeaseStore,
} from '../src';
import { logger } from './support/harness';
import { policy } from './support/payloads';
import { adminClient, deleteNamespace, REDIS_URL, uniqueNamespace } from './support/redis';

describe('createBus / createKeyValueStore / createLeaseStore', () => {
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

    const gatewayA = createLeaseStore({ namespace, logger });
    const gatewayB = createLeaseStore({ namespace, logger });
    expect(gatewayA).toBeInstanceOf(MemoryLeaseStore);
    expect(await gatewayA.acquire('device:d1', 'gw-a', 30_000)).toMatchObject({ epoch: 1 });
    expect(await gatewayB.acquire('device:d1', 'gw-b', 30_000)).toBeNull();
    expect(
      await createLeaseStore({ namespace: `${namespace}-other`, logger }).acquire(
        'device:d1',
        'gw-b',
        30_000,
      ),
    ).toMatchObject({ holder: 'gw-b', epoch: 1 });
  });

  it('uses Redis when a URL is given', async () => {
    const namespace = uniqueNamespace();
    const bus = createBus({ namespace, logger, redisUrl: REDIS_URL });
    const store = createKeyValueStore({ namespace, logger, redisUrl: REDIS_URL });
    const leases = createLeaseStore({ namespace, logger, redisUrl: REDIS_URL });
    const admin = adminClient();
    try {
      expect(bus).toBeInstanceOf(RedisBus);
      expect(store).toBeInstanceOf(RedisKeyValueStore);
      await store.set('presence:d1', 'online');
      expect(await admin.get(`${namespace}:kv:presence:d1`)).toBe('online');
      expect(leases).toBeInstanceOf(RedisLeaseStore);
      await leases.acquire('device:d1', 'gw-a', 30_000);
      expect(await admin.hget(`${namespace}:lease:device:d1`, 'holder')).toBe('gw-a');
    } finally {
      await Promise.all([bus.close(), store.close(), leases.close()]);
      await deleteNamespace(admin, namespace);
      await admin.quit();
    }
  });
});
