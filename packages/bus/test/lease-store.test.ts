import { describe, expect, it } from 'vitest';
import { redisKeys } from '../src';
import { memoryLeases, redisLeaseBackend, redisLeases } from './support/harness';
import { leaseContract } from './support/lease-contract';

leaseContract(memoryLeases);
leaseContract(redisLeases);

describe('RedisLeaseStore on Redis', () => {
  it('keeps <ns>:lease:<key> with a millisecond TTL and the epoch in <ns>:lease-epoch:<key>, which never expires', async () => {
    const backend = await redisLeaseBackend();
    try {
      const store = backend.store();
      const keys = redisKeys(backend.namespace);
      const lease = await store.acquire('stream:c1', 'media-a', 30_000);
      const key = `${keys.leasePrefix}stream:c1`;
      expect(await backend.admin.hgetall(key)).toEqual({
        holder: 'media-a',
        epoch: '1',
        expiresAt: String(lease!.expiresAt),
      });
      const ttl = await backend.admin.pttl(key);
      expect(ttl).toBeGreaterThan(29_000);
      expect(ttl).toBeLessThanOrEqual(30_000);
      // expiresAt is on the Redis server's clock, the one PX expiry runs on.
      const [sec, usec] = await backend.admin.time();
      const serverNow = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
      expect(lease!.expiresAt).toBeGreaterThan(serverNow + 29_000);
      expect(lease!.expiresAt).toBeLessThanOrEqual(serverNow + 30_000);

      const epochKey = `${keys.leaseEpochPrefix}stream:c1`;
      expect(await backend.admin.get(epochKey)).toBe('1');
      expect(await backend.admin.pttl(epochKey)).toBe(-1);
      expect(await store.release('stream:c1', 'media-a')).toBe(true);
      expect(await backend.admin.exists(key)).toBe(0);
      expect(await backend.admin.get(epochKey)).toBe('1');
    } finally {
      await backend.dispose();
    }
  });

  it('gives a lease to exactly one of five replicas racing on their own connections, 200 times, epochs counting up', async () => {
    const backend = await redisLeaseBackend();
    try {
      const replicas = Array.from({ length: 5 }, () => backend.store());
      for (let round = 1; round <= 200; round++) {
        const results = await Promise.all(replicas.map((r, i) => r.acquire('device:d1', `gw-${i}`, 30_000)));
        const winners = results.filter((l) => l !== null);
        expect(winners).toHaveLength(1);
        const winner = winners[0]!;
        expect(winner.epoch).toBe(round);
        expect(await replicas[0]!.holder('device:d1')).toEqual(winner);
        const index = Number(winner.holder.slice('gw-'.length));
        expect(await replicas[index]!.release('device:d1', winner.holder)).toBe(true);
      }
      const totals = replicas.map((r) => r.metrics);
      expect(totals.reduce((n, m) => n + m.acquired, 0)).toBe(200);
      expect(totals.reduce((n, m) => n + m.refused, 0)).toBe(800);
    } finally {
      await backend.dispose();
    }
  });

  it('lists leases across more than one SCAN page', async () => {
    const backend = await redisLeaseBackend();
    try {
      const store = backend.store();
      const expected = Array.from({ length: 700 }, (_, i) => `stream:c${String(i).padStart(4, '0')}`);
      await Promise.all(expected.map((key) => store.acquire(key, 'media-a', 30_000)));
      await store.acquire('device:d1', 'gw-a', 30_000);
      const listed = await store.list('stream:');
      expect(listed.map((l) => l.key)).toEqual(expected);
      expect(listed.every((l) => l.holder === 'media-a' && l.epoch === 1)).toBe(true);
    } finally {
      await backend.dispose();
    }
  });

  it('refuses a lease key of another shape, typed, instead of trusting it', async () => {
    const backend = await redisLeaseBackend();
    try {
      const store = backend.store();
      const key = `${redisKeys(backend.namespace).leasePrefix}stream:c1`;
      await backend.admin.hset(key, 'holder', 'media-a', 'epoch', 'not-a-number', 'expiresAt', '1');
      await backend.admin.pexpire(key, 30_000);
      await expect(store.holder('stream:c1')).rejects.toMatchObject({ name: 'BusInvalidPayloadError' });
      await expect(store.acquire('stream:c1', 'media-b', 30_000)).rejects.toMatchObject({
        name: 'BusInvalidPayloadError',
      });
    } finally {
      await backend.dispose();
    }
  });
});
