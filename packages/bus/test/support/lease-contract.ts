import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusArgumentError, BusClosedError } from '../../src';
import type { LeaseBackend, LeaseImplementation } from './harness';
import { until } from './wait';

/** The `LeaseStore` contract: the same cases against every implementation. */
export function leaseContract(impl: LeaseImplementation): void {
  describe(`${impl.name} contract`, () => {
    let backend: LeaseBackend;

    beforeEach(async () => {
      backend = await impl.backend();
    });

    afterEach(async () => {
      await backend.dispose();
    });

    /** Waits until `key`'s lease has expired (store time passes; Redis expires it by itself). */
    async function expire(key: string, ttlMs: number): Promise<void> {
      const store = backend.store();
      backend.passTime(ttlMs);
      await until(`lease ${key} to expire`, async () => (await store.holder(key)) === null);
    }

    it('acquires a free lease, renews it for its holder, refuses it to another', async () => {
      const [a, b] = [backend.store(), backend.store()];
      const lease = await a.acquire('stream:c1', 'media-a', 30_000);
      expect(lease).toMatchObject({ key: 'stream:c1', holder: 'media-a', epoch: 1 });
      expect(lease!.expiresAt).toBeGreaterThan(0);
      expect(await b.holder('stream:c1')).toEqual(lease);

      backend.passTime(10_000);
      const again = await a.acquire('stream:c1', 'media-a', 30_000);
      expect(again).toMatchObject({ holder: 'media-a', epoch: 1 });
      expect(again!.expiresAt).toBeGreaterThanOrEqual(lease!.expiresAt);

      expect(await b.acquire('stream:c1', 'media-b', 30_000)).toBeNull();
      expect(await b.renew('stream:c1', 'media-b', 30_000)).toBe(false);
      expect(await b.release('stream:c1', 'media-b')).toBe(false);
      expect(await b.holder('stream:c1')).toMatchObject({ holder: 'media-a', epoch: 1 });
      expect(a.metrics).toMatchObject({ acquired: 1, renewed: 1 });
      expect(b.metrics).toMatchObject({ refused: 1, lost: 1, released: 0 });
    });

    it('keeps a renewed lease past its first TTL', async () => {
      const store = backend.store();
      await store.acquire('link:up1', 'gw-a', 1_000);
      backend.passTime(600);
      expect(await store.renew('link:up1', 'gw-a', 1_000)).toBe(true);
      backend.passTime(600);
      expect(await store.holder('link:up1')).toMatchObject({ holder: 'gw-a', epoch: 1 });
      const held = await store.holder('link:up1');
      expect(held!.expiresAt).toBeGreaterThan(0);
    });

    it('lets another holder take an expired lease with a higher epoch; the old holder can no longer renew or release it', async () => {
      const [a, b] = [backend.store(), backend.store()];
      expect(await a.acquire('device:d1', 'gw-a', 100)).toMatchObject({ epoch: 1 });
      await expire('device:d1', 100);
      expect(await a.holder('device:d1')).toBeNull();

      const taken = await b.acquire('device:d1', 'gw-b', 30_000);
      expect(taken).toMatchObject({ key: 'device:d1', holder: 'gw-b', epoch: 2 });
      expect(await a.renew('device:d1', 'gw-a', 30_000)).toBe(false);
      expect(await a.release('device:d1', 'gw-a')).toBe(false);
      expect(await a.acquire('device:d1', 'gw-a', 30_000)).toBeNull();
      expect(await a.holder('device:d1')).toEqual(taken);
    });

    it('fails to renew an expired lease nobody took, and starts a new epoch when it is acquired again', async () => {
      const store = backend.store();
      await store.acquire('device:d1', 'gw-a', 100);
      await expire('device:d1', 100);
      expect(await store.renew('device:d1', 'gw-a', 30_000)).toBe(false);
      expect(await store.acquire('device:d1', 'gw-a', 30_000)).toMatchObject({ holder: 'gw-a', epoch: 2 });
    });

    it('releases a lease for its holder only; epochs never go back across releases and holders', async () => {
      const [a, b] = [backend.store(), backend.store()];
      const epochs: number[] = [];
      for (const [store, holder] of [
        [a, 'gw-a'],
        [b, 'gw-b'],
        [a, 'gw-a'],
        [a, 'gw-a'],
      ] as const) {
        const lease = await store.acquire('link:up1', holder, 30_000);
        epochs.push(lease!.epoch);
        expect(await store.release('link:up1', holder)).toBe(true);
        expect(await store.release('link:up1', holder)).toBe(false);
        expect(await store.holder('link:up1')).toBeNull();
      }
      expect(epochs).toEqual([1, 2, 3, 4]);
      expect(await b.acquire('link:other', 'gw-b', 30_000)).toMatchObject({ epoch: 1 });
      expect(a.metrics.released).toBe(3);
    });

    it('lists live leases by literal prefix, sorted by key, without expired ones', async () => {
      const store = backend.store();
      await store.acquire('stream:c2', 'media-a', 30_000);
      await store.acquire('stream:c1', 'media-b', 30_000);
      await store.acquire('stream:c3', 'media-a', 100);
      await store.acquire('device:d1', 'gw-a', 30_000);
      await store.acquire('odd*[key]?:1', 'gw-a', 30_000);
      await expire('stream:c3', 100);
      const streams = await store.list('stream:');
      expect(streams.map((l) => [l.key, l.holder, l.epoch])).toEqual([
        ['stream:c1', 'media-b', 1],
        ['stream:c2', 'media-a', 1],
      ]);
      expect((await store.list('odd*[key]?')).map((l) => l.key)).toEqual(['odd*[key]?:1']);
      expect(await store.list('missing:')).toEqual([]);
      expect((await store.list('')).map((l) => l.key)).toEqual([
        'device:d1',
        'odd*[key]?:1',
        'stream:c1',
        'stream:c2',
      ]);
    });

    it('gives a lease raced for by two stores to exactly one of them, every time', async () => {
      const [a, b] = [backend.store(), backend.store()];
      const keys = Array.from({ length: 100 }, (_, i) => `stream:race${i}`);
      const results = await Promise.all(
        keys.map((key) =>
          Promise.all([a.acquire(key, 'media-a', 30_000), b.acquire(key, 'media-b', 30_000)]),
        ),
      );
      for (const [i, [fromA, fromB]] of results.entries()) {
        const winners = [fromA, fromB].filter((l) => l !== null);
        expect(winners).toHaveLength(1);
        expect(winners[0]!.epoch).toBe(1);
        expect(await a.holder(keys[i]!)).toEqual(winners[0]);
      }
      expect(a.metrics.acquired + b.metrics.acquired).toBe(100);
      expect(a.metrics.refused + b.metrics.refused).toBe(100);
    });

    it('isolates backends (namespaces) from each other', async () => {
      const other = await impl.backend();
      try {
        await backend.store().acquire('stream:c1', 'media-a', 30_000);
        const foreign = other.store();
        expect(await foreign.holder('stream:c1')).toBeNull();
        expect(await foreign.list('')).toEqual([]);
        expect(await foreign.acquire('stream:c1', 'media-b', 30_000)).toMatchObject({ epoch: 1 });
      } finally {
        await other.dispose();
      }
    });

    it('refuses bad arguments with BusArgumentError', async () => {
      const store = backend.store();
      const badKeys = ['', 'k'.repeat(513), 'a\nb', 'a\u0000b', 42 as unknown as string];
      const badHolders = ['', 'h'.repeat(257), 'gw\r', undefined as unknown as string];
      const badTtls = [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '100' as unknown as number];
      for (const key of badKeys) {
        await expect(store.acquire(key, 'gw-a', 1_000)).rejects.toBeInstanceOf(BusArgumentError);
        await expect(store.renew(key, 'gw-a', 1_000)).rejects.toBeInstanceOf(BusArgumentError);
        await expect(store.release(key, 'gw-a')).rejects.toBeInstanceOf(BusArgumentError);
        await expect(store.holder(key)).rejects.toBeInstanceOf(BusArgumentError);
      }
      for (const holder of badHolders) {
        await expect(store.acquire('k', holder, 1_000)).rejects.toBeInstanceOf(BusArgumentError);
        await expect(store.renew('k', holder, 1_000)).rejects.toBeInstanceOf(BusArgumentError);
        await expect(store.release('k', holder)).rejects.toBeInstanceOf(BusArgumentError);
      }
      for (const ttl of badTtls) {
        await expect(store.acquire('k', 'gw-a', ttl)).rejects.toBeInstanceOf(BusArgumentError);
        await expect(store.renew('k', 'gw-a', ttl)).rejects.toBeInstanceOf(BusArgumentError);
      }
      await expect(store.list('p'.repeat(513))).rejects.toBeInstanceOf(BusArgumentError);
      await expect(store.list(null as unknown as string)).rejects.toBeInstanceOf(BusArgumentError);
      expect(await store.list('')).toEqual([]);
      expect(store.metrics).toMatchObject({ acquired: 0, renewed: 0, refused: 0, lost: 0, released: 0 });
    });

    it('closes idempotently and refuses calls after close', async () => {
      const store = backend.store();
      await Promise.all([store.close(), store.close()]);
      await store.close();
      await expect(store.acquire('k', 'gw-a', 1_000)).rejects.toBeInstanceOf(BusClosedError);
      await expect(store.renew('k', 'gw-a', 1_000)).rejects.toBeInstanceOf(BusClosedError);
      await expect(store.release('k', 'gw-a')).rejects.toBeInstanceOf(BusClosedError);
      await expect(store.holder('k')).rejects.toBeInstanceOf(BusClosedError);
      await expect(store.list('')).rejects.toBeInstanceOf(BusClosedError);
    });
  });
}
