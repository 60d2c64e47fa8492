import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BusArgumentError, BusClosedError } from '../../src';
import type { KvBackend, KvImplementation } from './harness';
import { until } from './wait';

/** The `KeyValueStore` contract: the same cases against every implementation. */
export function keyValueContract(impl: KvImplementation): void {
  describe(`${impl.name} contract`, () => {
    let backend: KvBackend;

    beforeEach(async () => {
      backend = await impl.backend();
    });

    afterEach(async () => {
      await backend.dispose();
    });

    it('gets, overwrites and deletes values; a missing key is null', async () => {
      const store = backend.store();
      expect(await store.get('presence:d1')).toBeNull();
      await store.set('presence:d1', 'online');
      expect(await store.get('presence:d1')).toBe('online');
      await store.set('presence:d1', 'offline');
      expect(await store.get('presence:d1')).toBe('offline');
      await store.delete('presence:d1');
      await store.delete('presence:d1');
      expect(await store.get('presence:d1')).toBeNull();
    });

    it('lists keys by literal prefix, sorted', async () => {
      const store = backend.store();
      for (const key of ['presence:d2', 'presence:d1', 'lockout:d1', 'odd*[key]?:1', 'odd-other']) {
        await store.set(key, 'x');
      }
      expect(await store.keys('presence:')).toEqual(['presence:d1', 'presence:d2']);
      expect(await store.keys('odd*[key]?')).toEqual(['odd*[key]?:1']);
      expect(await store.keys('missing:')).toEqual([]);
      expect(await store.keys('')).toEqual([
        'lockout:d1',
        'odd*[key]?:1',
        'odd-other',
        'presence:d1',
        'presence:d2',
      ]);
    });

    it('expires a key after its TTL (and stops listing it)', async () => {
      const store = backend.store();
      await store.set('presence:d1', 'online', 1);
      await store.set('presence:d2', 'online');
      expect(await store.get('presence:d1')).toBe('online');
      backend.passTime(1_000);
      await until('presence:d1 to expire', async () => (await store.get('presence:d1')) === null);
      expect(await store.keys('presence:')).toEqual(['presence:d2']);
    });

    it('clears an earlier TTL when a key is set again without one', async () => {
      const store = backend.store();
      await store.set('presence:d1', 'online', 1);
      await store.set('presence:d1', 'pinned');
      backend.passTime(2_000);
      expect(await store.get('presence:d1')).toBe('pinned');
    });

    it('shares entries between stores of one backend (replicas)', async () => {
      const [a, b] = [backend.store(), backend.store()];
      await a.set('presence:d1', 'online');
      expect(await b.get('presence:d1')).toBe('online');
    });

    it('isolates backends (namespaces) from each other', async () => {
      const other = await impl.backend();
      try {
        await backend.store().set('presence:d1', 'online');
        const foreign = other.store();
        expect(await foreign.get('presence:d1')).toBeNull();
        expect(await foreign.keys('')).toEqual([]);
      } finally {
        await other.dispose();
      }
    });

    it('setIfAbsent stores once: a second store (replica) gets the first value back until it expires', async () => {
      const [a, b] = [backend.store(), backend.store()];
      expect(await a.setIfAbsent('nonce:n1', 'first', 1)).toBeNull();
      expect(await b.setIfAbsent('nonce:n1', 'second', 1)).toBe('first');
      expect(await b.get('nonce:n1')).toBe('first');
      backend.passTime(1_000);
      await until('nonce:n1 to expire', async () => (await a.get('nonce:n1')) === null);
      expect(await b.setIfAbsent('nonce:n1', 'again', 1)).toBeNull();
    });

    it('increment counts across stores; the window starts at the first increment and is not extended', async () => {
      const [a, b] = [backend.store(), backend.store()];
      expect(await a.increment('fail:k', 1)).toBe(1);
      expect(await b.increment('fail:k', 1)).toBe(2);
      expect(await a.increment('fail:k', 60)).toBe(3);
      backend.passTime(1_000);
      await until('fail:k to expire', async () => (await a.get('fail:k')) === null);
      expect(await b.increment('fail:k', 1)).toBe(1);
    });

    it('concurrent increments and setIfAbsent from two stores each count once', async () => {
      const [a, b] = [backend.store(), backend.store()];
      const counts = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).increment('fail:race', 60)),
      );
      expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      const firsts = await Promise.all([a.setIfAbsent('once', 'a', 60), b.setIfAbsent('once', 'b', 60)]);
      expect(firsts.filter((v) => v === null)).toHaveLength(1);
    });

    it('raise keeps the highest value and answers the previous one; the TTL runs from creation', async () => {
      const [a, b] = [backend.store(), backend.store()];
      expect(await a.raise('nc:n1', 1, 1)).toBeNull();
      expect(await b.raise('nc:n1', 1, 60)).toBe(1);
      expect(await b.raise('nc:n1', 3, 60)).toBe(1);
      expect(await a.raise('nc:n1', 2, 60)).toBe(3);
      expect(await a.get('nc:n1')).toBe('3');
      backend.passTime(1_000);
      await until('nc:n1 to expire', async () => (await a.get('nc:n1')) === null);
      expect(await a.raise('nc:n1', 0, 1)).toBeNull();
    });

    it('refuses a TTL that is not a positive number', async () => {
      const store = backend.store();
      await expect(store.set('k', 'v', 0)).rejects.toBeInstanceOf(BusArgumentError);
      await expect(store.set('k', 'v', -1)).rejects.toBeInstanceOf(BusArgumentError);
      await expect(store.set('k', 'v', Number.NaN)).rejects.toBeInstanceOf(BusArgumentError);
      await expect(store.setIfAbsent('k', 'v', 0)).rejects.toBeInstanceOf(BusArgumentError);
      await expect(store.increment('k', -1)).rejects.toBeInstanceOf(BusArgumentError);
      await expect(store.raise('k', 1, 0)).rejects.toBeInstanceOf(BusArgumentError);
      await expect(store.raise('k', 1.5, 1)).rejects.toBeInstanceOf(BusArgumentError);
    });

    it('closes idempotently and refuses calls after close', async () => {
      const store = backend.store();
      await Promise.all([store.close(), store.close()]);
      await store.close();
      await expect(store.get('k')).rejects.toBeInstanceOf(BusClosedError);
      await expect(store.set('k', 'v')).rejects.toBeInstanceOf(BusClosedError);
      await expect(store.keys('')).rejects.toBeInstanceOf(BusClosedError);
    });
  });
}
