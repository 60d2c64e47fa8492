import { MemoryBroker, MemoryBus } from '@tessera/bus';
import type { Bus, EventPayload, EventTopic } from '@tessera/contracts';
import { createLogger, ManualClock } from '@tessera/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { EventOutbox } from '../../src/device/event-outbox';

const logger = createLogger('test', 'silent');
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));
const keepalive = (deviceId: string) => ({
  deviceId,
  remoteAddress: '127.0.0.1:5060',
  at: '2026-01-01T00:00:00.000Z',
});

/** A real in-memory bus whose publish fails while `down` (as a RedisBus does while Redis is unreachable). */
function setup(maxPending?: number) {
  const bus = new MemoryBus({ broker: new MemoryBroker(), logger });
  let down = false;
  const flaky: Bus = Object.create(bus, {
    publish: {
      value: <T extends EventTopic>(topic: T, payload: EventPayload<T>) =>
        down ? Promise.reject(new Error('Connection is closed.')) : bus.publish(topic, payload),
    },
  });
  const clock = new ManualClock(0);
  const outbox = new EventOutbox({
    bus: flaky,
    clock,
    logger,
    maxPending,
    retryMs: { initial: 100, max: 400 },
  });
  return { bus, clock, outbox, setDown: (v: boolean) => (down = v) };
}

describe('EventOutbox', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('holds reports in order while the bus is unreachable and publishes them when it is back', async () => {
    const { bus, clock, outbox, setDown } = setup();
    closers.push(
      () => outbox.close(),
      () => bus.close(),
    );
    const seen: string[] = [];
    await bus.subscribe('device.keepalive', (p) => {
      seen.push(p.deviceId);
    });
    setDown(true);
    for (const id of ['a', 'b', 'c']) outbox.publish('device.keepalive', keepalive(id));
    await settle();
    expect(outbox.pending).toBe(3);
    clock.advance(100);
    await settle();
    expect(outbox.pending).toBe(3);
    setDown(false);
    clock.advance(200);
    await settle();
    expect(outbox.pending).toBe(0);
    expect(seen).toEqual(['a', 'b', 'c']);
  });

  it('past its bound it drops the oldest reports and counts them', async () => {
    const { bus, outbox, setDown } = setup(2);
    closers.push(
      () => outbox.close(),
      () => bus.close(),
    );
    setDown(true);
    for (const id of ['a', 'b', 'c', 'd']) outbox.publish('device.keepalive', keepalive(id));
    await settle();
    expect(outbox.pending).toBe(2);
    expect(outbox.dropped).toBe(2);
  });
});
