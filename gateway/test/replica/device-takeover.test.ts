import type { EventPayload } from '@tessera/contracts';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore, MemoryLeaseStore } from '@tessera/bus';
import { createLogger, ManualClock } from '@tessera/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { EventOutbox } from '../../src/device/event-outbox';
import { type DeviceAddress, PresenceTracker } from '../../src/device/presence';
import { DeviceTakeover } from '../../src/replica/device-takeover';
import { NodeLease } from '../../src/replica/node-lease';

const logger = createLogger('test', 'silent');
const DEVICE = '43010200001320000001';
const T0 = Date.UTC(2026, 0, 1);
const LEASE_TTL_MS = 10_000;
const REPORT_EVERY_MS = 30_000;
const udp: DeviceAddress = { transport: 'udp', address: '127.0.0.1', port: 5060, connectionId: null };

/** Lets queued bus deliveries and store promises run. */
const settle = () => new Promise((r) => setTimeout(r, 5));

/**
 * Gateway replicas in one process: each has its own clock (a dead one's stops), and they share the store and the
 * leases (whose clock is the world's).
 */
function world() {
  const broker = new MemoryBroker();
  const clock = new ManualClock(T0);
  const store = new MemoryKeyValueStore({ broker, clock });
  const leases = new MemoryLeaseStore({ broker, clock });
  const observer = new MemoryBus({ broker, logger });
  const replicas: Replica[] = [];
  const closers: (() => unknown)[] = [() => observer.close()];

  interface Replica {
    node: string;
    clock: ManualClock;
    presence: PresenceTracker;
    takeover: DeviceTakeover;
    alive: boolean;
  }

  async function replica(node: string): Promise<Replica> {
    const own = new ManualClock(clock.now());
    const bus = new MemoryBus({ broker, logger });
    const outbox = new EventOutbox({ bus, clock: own, logger });
    const presence = new PresenceTracker({
      clock: own,
      store,
      outbox,
      logger,
      keyPrefix: 'gw',
      reportEveryMs: REPORT_EVERY_MS,
      node,
      restore: 'own',
    });
    const nodes = new NodeLease({
      leases,
      store,
      node,
      keyPrefix: 'gw',
      ttlMs: LEASE_TTL_MS,
      clock: own,
      logger,
    });
    const takeover = new DeviceTakeover({ nodes, leases, presence, keyPrefix: 'gw', clock: own, logger });
    await presence.start();
    await nodes.start();
    await takeover.start();
    const r = { node, clock: own, presence, takeover, alive: true };
    replicas.push(r);
    closers.push(() => {
      takeover.close();
      presence.close();
      outbox.close();
      return bus.close();
    });
    return r;
  }

  /** Time passes, a second at a time, for the world and the live replicas. */
  async function advance(ms: number): Promise<void> {
    for (let step = 0; step < ms; step += 1_000) {
      clock.advance(1_000);
      for (const r of replicas) if (r.alive) r.clock.advance(1_000);
      await settle();
    }
  }

  async function offlineEvents(): Promise<EventPayload<'device.offline'>[]> {
    const seen: EventPayload<'device.offline'>[] = [];
    await observer.subscribe('device.offline', (payload) => {
      seen.push(payload);
    });
    return seen;
  }

  return { clock, store, replica, advance, offlineEvents, close: () => Promise.all(closers.map((c) => c())) };
}

const registration = {
  deviceId: DEVICE,
  remote: udp,
  expiresSec: 3600,
  gbVersion: '2016' as const,
  userAgent: 'IP Camera',
  charset: null,
  keepaliveIntervalSec: 60,
  keepaliveCount: 3,
};

describe('device offline timers across gateway replicas (lease-based ownership)', () => {
  const worlds: ReturnType<typeof world>[] = [];
  afterEach(async () => {
    for (const w of worlds.splice(0)) await w.close();
  });

  it("a dead replica's device is adopted by exactly one survivor and goes offline after interval × count of silence, never before", async () => {
    const w = world();
    worlds.push(w);
    const offline = await w.offlineEvents();
    const a = await w.replica('gw-a');
    const b = await w.replica('gw-b');
    const c = await w.replica('gw-c');
    await a.presence.registered(registration);
    await w.advance(20_000);
    // The last keepalive the device ever sends; under reportEvery, so the store still says the REGISTER's time.
    const lastKeepaliveAt = w.clock.now();
    expect(a.presence.keepalive(DEVICE)).toBe(true);
    await w.advance(5_000);
    a.alive = false; // kill -9: no more renewals, no sweep, no release

    // Its node lease lapses, one survivor wins the adoption lease and runs the device's timer.
    await w.advance(LEASE_TTL_MS + 10_000);
    const owners = [b, c].filter((r) => r.presence.get(DEVICE) !== undefined);
    expect(owners).toHaveLength(1);
    expect(owners[0]?.presence.get(DEVICE)?.node).toBe(owners[0]?.node);

    // interval × count = 180 s after the last keepalive: not a second before.
    const deadline = lastKeepaliveAt + 180_000;
    await w.advance(deadline - w.clock.now() - 1_000);
    expect(offline).toEqual([]);
    await w.advance(REPORT_EVERY_MS + 2_000);
    expect(offline).toEqual([expect.objectContaining({ deviceId: DEVICE, reason: 'keepalive-timeout' })]);
    expect(Date.parse(offline[0]?.at ?? '')).toBeGreaterThanOrEqual(deadline);
    expect(await w.store.get(`gw:presence:${DEVICE}`)).toBeNull();
  });

  it('a device whose packets now reach another replica moves there; the former owner lets go without reporting it offline', async () => {
    const w = world();
    worlds.push(w);
    const offline = await w.offlineEvents();
    const a = await w.replica('gw-a');
    const b = await w.replica('gw-b');
    await a.presence.registered(registration);
    await w.advance(10_000);
    // What ManscdpInbox does with a keepalive for a device it does not own: load, check the source, take.
    const stored = await b.presence.load(DEVICE);
    expect(stored?.node).toBe('gw-a');
    b.presence.take(stored!);
    await settle();
    expect((await b.presence.load(DEVICE))?.node).toBe('gw-b');

    // Keepalives reach B only, for longer than A's interval × count: A must not call the device offline.
    for (let i = 0; i < 5; i++) {
      await w.advance(50_000);
      expect(b.presence.keepalive(DEVICE)).toBe(true);
    }
    expect(offline).toEqual([]);
    expect(a.presence.get(DEVICE)).toBeUndefined();

    // Silence: B, the owner, reports it once.
    await w.advance(182_000);
    expect(offline).toEqual([expect.objectContaining({ deviceId: DEVICE, reason: 'keepalive-timeout' })]);
  });

  it('a replica restarted with its node id takes back its own devices; a dead one with another id is adopted at start', async () => {
    const w = world();
    worlds.push(w);
    const a = await w.replica('gw-a');
    await a.presence.registered(registration);
    a.alive = false;
    await w.advance(LEASE_TTL_MS + 1_000);
    const b = await w.replica('gw-b');
    expect(b.presence.get(DEVICE)?.node).toBe('gw-b');
  });
});
