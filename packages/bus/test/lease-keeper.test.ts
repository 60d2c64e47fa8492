import type { Lease, LeaseStore } from '@tessera/contracts';
import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { BusArgumentError, LeaseKeeper, type LeaseLostReason, MemoryBroker, MemoryLeaseStore } from '../src';
import { logger, redisLeaseBackend } from './support/harness';
import { Deferred, until } from './support/wait';

function memoryStores(clock: ManualClock) {
  const broker = new MemoryBroker();
  return { broker, store: () => new MemoryLeaseStore({ broker, clock }) };
}

describe('LeaseKeeper', () => {
  it('renews the lease every third of its TTL, keeping it (same epoch) long past the TTL, and releases it on close', async () => {
    const clock = new ManualClock(1_000_000);
    const stores = memoryStores(clock);
    const store = stores.store();
    const keeper = await LeaseKeeper.acquire({
      store,
      key: 'stream:c1',
      holder: 'media-a',
      ttlMs: 3_000,
      clock,
      logger,
    });
    expect(keeper!.lease).toMatchObject({
      key: 'stream:c1',
      holder: 'media-a',
      epoch: 1,
      expiresAt: 1_003_000,
    });
    for (let i = 1; i <= 6; i++) {
      clock.advance(1_000);
      await until(`renewal ${i}`, () => store.metrics.renewed === i);
    }
    expect(keeper!.held).toBe(true);
    expect(keeper!.lease).toMatchObject({ epoch: 1, expiresAt: 1_009_000 });
    expect(await stores.store().acquire('stream:c1', 'media-b', 3_000)).toBeNull();

    await Promise.all([keeper!.close(), keeper!.close()]);
    expect(keeper!.held).toBe(false);
    expect(await store.holder('stream:c1')).toBeNull();
    clock.advance(10_000);
    expect(store.metrics.renewed).toBe(6);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('is null when another holder has the lease', async () => {
    const clock = new ManualClock(0);
    const stores = memoryStores(clock);
    await stores.store().acquire('stream:c1', 'media-b', 3_000);
    const keeper = await LeaseKeeper.acquire({
      store: stores.store(),
      key: 'stream:c1',
      holder: 'media-a',
      ttlMs: 3_000,
      clock,
      logger,
    });
    expect(keeper).toBeNull();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports "taken" once when its process was paused past the TTL and another node took the lease', async () => {
    const storeClock = new ManualClock(0);
    const processClock = new ManualClock(0); // stands still while the process is paused
    const stores = memoryStores(storeClock);
    const lost = new Deferred<[Lease, LeaseLostReason]>();
    const calls: LeaseLostReason[] = [];
    const keeper = await LeaseKeeper.acquire({
      store: stores.store(),
      key: 'device:d1',
      holder: 'gw-a',
      ttlMs: 3_000,
      clock: processClock,
      logger,
      onLost: (lease, reason) => {
        calls.push(reason);
        lost.resolve([lease, reason]);
      },
    });
    storeClock.advance(3_000);
    const other = await stores.store().acquire('device:d1', 'gw-b', 30_000);
    expect(other).toMatchObject({ epoch: 2 });

    processClock.advance(1_000); // the process resumes: its renewal finds the lease taken
    const [lease, reason] = await lost.promise;
    expect(reason).toBe('taken');
    expect(lease).toMatchObject({ holder: 'gw-a', epoch: 1 });
    expect(keeper!.held).toBe(false);
    processClock.advance(10_000);
    await keeper!.close();
    expect(calls).toEqual(['taken']);
    expect(await stores.store().holder('device:d1')).toEqual(other); // close released nothing of gw-b's
  });

  it('reports "expired" at the expiry when renewals hang (store unreachable), without waiting for them', async () => {
    const clock = new ManualClock(0);
    const memory = memoryStores(clock).store();
    // A store whose renewals never answer, as a Redis behind a dead link: the keeper must not wait for it.
    const unreachable: LeaseStore = {
      acquire: (...args) => memory.acquire(...args),
      renew: () => new Promise<boolean>(() => {}),
      release: (...args) => memory.release(...args),
      holder: (key) => memory.holder(key),
      list: (prefix) => memory.list(prefix),
    };
    const reasons: LeaseLostReason[] = [];
    const keeper = await LeaseKeeper.acquire({
      store: unreachable,
      key: 'link:up1',
      holder: 'gw-a',
      ttlMs: 3_000,
      clock,
      logger,
      onLost: (_, reason) => reasons.push(reason),
    });
    clock.advance(2_999);
    expect(reasons).toEqual([]);
    expect(keeper!.held).toBe(true);
    clock.advance(1);
    expect(reasons).toEqual(['expired']);
    expect(keeper!.held).toBe(false);
  });

  it('refuses a renewal period that is not below the TTL', async () => {
    const clock = new ManualClock(0);
    const store = memoryStores(clock).store();
    for (const renewEveryMs of [0, -1, 3_000, 5_000, Number.NaN]) {
      await expect(
        LeaseKeeper.acquire({ store, key: 'k', holder: 'gw-a', ttlMs: 3_000, renewEveryMs, clock, logger }),
      ).rejects.toBeInstanceOf(BusArgumentError);
    }
    expect(await store.list('')).toEqual([]);
  });

  it('keeps a lease on Redis past its TTL and hands it over on close', async () => {
    const backend = await redisLeaseBackend();
    try {
      const [store, other] = [backend.store(), backend.store()];
      const keeper = await LeaseKeeper.acquire({
        store,
        key: 'stream:c1',
        holder: 'media-a',
        ttlMs: 1_000,
        renewEveryMs: 100,
        logger,
      });
      // A generous TTL against the renewal period: timers run late on a loaded machine.
      await until('more than a TTL of renewals', () => store.metrics.renewed >= 12);
      expect(await other.acquire('stream:c1', 'media-b', 30_000)).toBeNull();
      expect(keeper!.held).toBe(true);
      await keeper!.close();
      expect(await other.acquire('stream:c1', 'media-b', 30_000)).toMatchObject({ epoch: 2 });
    } finally {
      await backend.dispose();
    }
  });
});
