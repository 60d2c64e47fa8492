import { describe, expect, it } from 'vitest';
import { redisKeys } from '../src';
import { memoryStores, redisKvBackend, redisStores } from './support/harness';
import { keyValueContract } from './support/kv-contract';

keyValueContract(memoryStores);
keyValueContract(redisStores);

describe('RedisKeyValueStore on Redis', () => {
  it('stores <ns>:kv:<key> with a millisecond TTL, and none when set without one', async () => {
    const backend = await redisKvBackend();
    try {
      const store = backend.store();
      const key = `${redisKeys(backend.namespace).kvPrefix}presence:d1`;
      await store.set('presence:d1', 'online', 30);
      expect(await backend.admin.get(key)).toBe('online');
      const ttl = await backend.admin.pttl(key);
      expect(ttl).toBeGreaterThan(29_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
      await store.set('presence:d1', 'pinned');
      expect(await backend.admin.pttl(key)).toBe(-1);
    } finally {
      await backend.dispose();
    }
  });

  it('lists keys with SCAN across many keys (more than one SCAN page)', async () => {
    const backend = await redisKvBackend();
    try {
      const store = backend.store();
      const expected = Array.from({ length: 1_200 }, (_, i) => `presence:d${String(i).padStart(4, '0')}`);
      const pipeline = backend.admin.pipeline();
      for (const key of expected) pipeline.set(`${redisKeys(backend.namespace).kvPrefix}${key}`, 'x');
      await pipeline.exec();
      await store.set('lockout:d1', 'x');
      expect(await store.keys('presence:')).toEqual(expected);
    } finally {
      await backend.dispose();
    }
  });
});
