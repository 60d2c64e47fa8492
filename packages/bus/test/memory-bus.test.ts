import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { BusTimeoutError, MemoryBroker, MemoryBus } from '../src';
import { busContract } from './support/bus-contract';
import { logger, memoryBuses } from './support/harness';
import { online } from './support/payloads';
import { Collector } from './support/wait';

busContract(memoryBuses);

describe('MemoryBus', () => {
  it('times requests out on the injected clock, without waiting', async () => {
    const clock = new ManualClock(1_000);
    const bus = new MemoryBus({ broker: new MemoryBroker(), logger, clock });
    const request = bus.request('inventory.device-policy', { deviceId: 'd1' }, { timeoutMs: 60_000 });
    const outcome = expect(request).rejects.toBeInstanceOf(BusTimeoutError);
    clock.advance(59_999);
    expect(bus.metrics.timeouts).toBe(0);
    clock.advance(1);
    await outcome;
    expect(bus.metrics.timeouts).toBe(1);
    await bus.close();
  });

  it('keeps at most streamMaxLen events for a group whose consumers are away (like XADD MAXLEN)', async () => {
    const broker = new MemoryBroker();
    const bus = new MemoryBus({ broker, logger, streamMaxLen: 3 });
    const unsubscribe = await bus.subscribe('device.online', () => {}, { group: 'platform' });
    await unsubscribe();
    for (const id of ['d1', 'd2', 'd3', 'd4', 'd5']) await bus.publish('device.online', online(id));
    const received = new Collector<string>();
    await bus.subscribe('device.online', (p) => received.push(p.deviceId), { group: 'platform' });
    expect(await received.waitFor(3)).toEqual(['d3', 'd4', 'd5']);
    await bus.close();
  });

  it('removes a private group when its subscriber leaves', async () => {
    const broker = new MemoryBroker();
    const bus = new MemoryBus({ broker, logger });
    const unsubscribe = await bus.subscribe('device.online', () => {});
    await bus.subscribe('device.online', () => {}, { group: 'platform' });
    expect(broker.groupNames('device.online')).toHaveLength(2);
    await unsubscribe();
    expect(broker.groupNames('device.online')).toEqual(['platform']);
    await bus.close();
    expect(broker.groupNames('device.online')).toEqual(['platform']);
  });
});
