import type { EventPayload, EventTopic } from '@tessera/contracts';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { createLogger, ManualClock } from '@tessera/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { EventOutbox } from '../../src/device/event-outbox';
import { type DeviceAddress, PresenceTracker } from '../../src/device/presence';

const logger = createLogger('test', 'silent');
const DEVICE = '43010200001320000001';
const udp = (port: number): DeviceAddress => ({
  transport: 'udp',
  address: '127.0.0.1',
  port,
  connectionId: null,
});

function setup(broker = new MemoryBroker(), clock = new ManualClock(Date.UTC(2026, 0, 1))) {
  const bus = new MemoryBus({ broker, logger });
  const store = new MemoryKeyValueStore({ broker, clock });
  const outbox = new EventOutbox({ bus, clock, logger });
  const tracker = new PresenceTracker({
    clock,
    store,
    outbox,
    logger,
    keyPrefix: 'gw1',
    reportEveryMs: 30_000,
  });
  return { broker, clock, bus, store, tracker };
}

async function record<T extends EventTopic>(bus: MemoryBus, topic: T): Promise<EventPayload<T>[]> {
  const seen: EventPayload<T>[] = [];
  await bus.subscribe(topic, (payload) => {
    seen.push(payload);
  });
  return seen;
}

/** Lets queued bus deliveries run. */
const settle = () => new Promise((r) => setTimeout(r, 20));

const facts = (remote: DeviceAddress, expiresSec = 3600) => ({
  deviceId: DEVICE,
  remote,
  expiresSec,
  gbVersion: '2016' as const,
  userAgent: 'IP Camera',
  charset: null,
  keepaliveIntervalSec: 60,
  keepaliveCount: 3,
});

describe('PresenceTracker', () => {
  const closers: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('goes offline after interval × count without keepalives, not before', async () => {
    const { clock, bus, tracker } = setup();
    closers.push(
      () => tracker.close(),
      () => bus.close(),
    );
    const online = await record(bus, 'device.online');
    const offline = await record(bus, 'device.offline');
    await tracker.start();
    await tracker.registered(facts(udp(5060)));
    clock.advance(179_000);
    await settle();
    expect(offline).toHaveLength(0);
    expect(tracker.keepalive(DEVICE)).toBe(true);
    clock.advance(179_000);
    await settle();
    expect(offline).toHaveLength(0);
    clock.advance(2_000);
    await settle();
    expect(online.map((e) => e.deviceId)).toEqual([DEVICE]);
    expect(offline).toEqual([expect.objectContaining({ deviceId: DEVICE, reason: 'keepalive-timeout' })]);
    expect(tracker.keepalive(DEVICE)).toBe(false);
  });

  it('goes offline when the registration expires even if keepalives continue', async () => {
    const { clock, bus, tracker } = setup();
    closers.push(
      () => tracker.close(),
      () => bus.close(),
    );
    const offline = await record(bus, 'device.offline');
    await tracker.start();
    await tracker.registered(facts(udp(5060), 100));
    for (let t = 0; t < 4; t++) {
      clock.advance(30_000);
      tracker.keepalive(DEVICE);
    }
    await settle();
    expect(offline).toEqual([expect.objectContaining({ reason: 'registration-expired' })]);
  });

  it('a keepalive never moves the device and throttles its reports', async () => {
    const { clock, bus, tracker } = setup();
    closers.push(
      () => tracker.close(),
      () => bus.close(),
    );
    const keepalives = await record(bus, 'device.keepalive');
    await tracker.start();
    await tracker.registered(facts(udp(5060)));
    for (let i = 0; i < 10; i++) {
      clock.advance(1_000);
      tracker.keepalive(DEVICE);
    }
    await settle();
    expect(keepalives).toHaveLength(0);
    clock.advance(30_000);
    tracker.keepalive(DEVICE);
    await settle();
    expect(keepalives.map((k) => k.remoteAddress)).toEqual(['127.0.0.1:5060']);
    expect(tracker.get(DEVICE)?.remote.port).toBe(5060);
  });

  it('a keepalive override applies to the live record: the new interval × count decides', async () => {
    const { clock, bus, tracker } = setup();
    closers.push(
      () => tracker.close(),
      () => bus.close(),
    );
    const offline = await record(bus, 'device.offline');
    await tracker.start();
    await tracker.registered(facts(udp(5060)));
    expect(await tracker.keepalivePolicy(DEVICE, { keepaliveIntervalSec: 10, keepaliveCount: 2 })).toBe(true);
    expect(
      await tracker.keepalivePolicy('34020000001329999999', { keepaliveIntervalSec: 10, keepaliveCount: 2 }),
    ).toBe(false);
    clock.advance(19_000);
    await settle();
    expect(offline).toHaveLength(0);
    clock.advance(2_000);
    await settle();
    expect(offline).toEqual([expect.objectContaining({ deviceId: DEVICE, reason: 'keepalive-timeout' })]);
  });

  it('unregister and a closed TCP connection take the device offline with the reason', async () => {
    const { bus, tracker } = setup();
    closers.push(
      () => tracker.close(),
      () => bus.close(),
    );
    const offline = await record(bus, 'device.offline');
    await tracker.start();
    await tracker.registered(facts(udp(5060)));
    await tracker.unregistered(DEVICE);
    await tracker.registered(
      facts({ transport: 'tcp', address: '127.0.0.1', port: 40001, connectionId: 'c1' }),
    );
    await tracker.connectionClosed('c2');
    await tracker.connectionClosed('c1');
    await settle();
    expect(offline.map((o) => o.reason)).toEqual(['unregistered', 'connection-closed']);
  });

  it('a restarted gateway restores online devices without marking them offline', async () => {
    const broker = new MemoryBroker();
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    const first = setup(broker, clock);
    await first.tracker.start();
    await first.tracker.registered(facts(udp(5060)));
    first.tracker.close();

    clock.advance(60_000);
    const second = setup(broker, clock);
    closers.push(
      () => second.tracker.close(),
      () => second.bus.close(),
      () => first.bus.close(),
    );
    const offline = await record(second.bus, 'device.offline');
    await second.tracker.start();
    expect(second.tracker.get(DEVICE)?.remote.port).toBe(5060);
    expect(second.tracker.keepalive(DEVICE)).toBe(true);
    clock.advance(100_000);
    await settle();
    expect(offline).toHaveLength(0);
    // Still enforced after the restart.
    clock.advance(181_000);
    await settle();
    expect(offline).toHaveLength(1);
  });
});
