import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import type { KeepaliveEntry } from '../src/repositories/device.repository';
import { isTransientDatabaseError } from '../src/database/database-errors';
import { KeepaliveBatcher } from '../src/services/keepalive-batcher';

/** What node-postgres raises when the server refuses the connection. */
const refused = () =>
  Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

function setup(failure: () => Error = () => new Error('db down')) {
  const clock = new ManualClock(0);
  const writes: KeepaliveEntry[][] = [];
  const errors: unknown[] = [];
  let fail = false;
  const batcher = new KeepaliveBatcher({
    intervalMs: 1000,
    clock,
    write: async (entries) => {
      if (fail) throw failure();
      writes.push(entries);
      return entries.length;
    },
    retryable: isTransientDatabaseError,
    onError: (err) => errors.push(err),
  });
  return { clock, writes, errors, batcher, setFail: (v: boolean) => (fail = v) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const entry = (deviceId: string, at: string): KeepaliveEntry => ({
  deviceId,
  at,
  remoteAddress: '10.0.0.1:5060',
});

describe('KeepaliveBatcher', () => {
  it('writes many devices in one batch at most once per interval, the latest time per device', async () => {
    const { clock, writes, batcher } = setup();
    for (let i = 0; i < 5000; i++) batcher.add(entry(`dev${i}`, '2025-01-01T00:00:00.000Z'));
    batcher.add(entry('dev1', '2025-01-01T00:00:05.000Z'));
    batcher.add(entry('dev1', '2025-01-01T00:00:03.000Z'));
    clock.advance(999);
    await settle();
    expect(writes).toHaveLength(0);
    clock.advance(1);
    await settle();
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(5000);
    expect(writes[0]?.find((e) => e.deviceId === 'dev1')?.at).toBe('2025-01-01T00:00:05.000Z');

    batcher.add(entry('dev2', '2025-01-01T00:01:00.000Z'));
    clock.advance(500);
    batcher.add(entry('dev3', '2025-01-01T00:01:00.500Z'));
    clock.advance(500);
    await settle();
    expect(writes).toHaveLength(2);
    expect(writes[1]?.map((e) => e.deviceId)).toEqual(['dev2', 'dev3']);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('reports a failed write and keeps going', async () => {
    const { clock, writes, errors, batcher, setFail } = setup();
    setFail(true);
    batcher.add(entry('a', '2025-01-01T00:00:00.000Z'));
    clock.advance(1000);
    await settle();
    expect(errors).toHaveLength(1);
    setFail(false);
    batcher.add(entry('b', '2025-01-01T00:00:01.000Z'));
    clock.advance(1000);
    await settle();
    expect(writes.map((w) => w.map((e) => e.deviceId))).toEqual([['b']]);
  });

  it('a batch that failed on an unreachable database is written after it, newer keepalives winning', async () => {
    const { clock, writes, errors, batcher, setFail } = setup(refused);
    setFail(true);
    batcher.add(entry('a', '2025-01-01T00:00:00.000Z'));
    batcher.add(entry('b', '2025-01-01T00:00:00.000Z'));
    clock.advance(1000);
    await settle();
    expect(errors).toHaveLength(1);
    batcher.add(entry('b', '2025-01-01T00:00:02.000Z'));
    clock.advance(1000);
    await settle();
    expect(errors).toHaveLength(2);
    setFail(false);
    clock.advance(1000);
    await settle();
    expect(writes).toEqual([
      [entry('a', '2025-01-01T00:00:00.000Z'), entry('b', '2025-01-01T00:00:02.000Z')],
    ]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('flushes what is pending on close and then ignores new keepalives', async () => {
    const { clock, writes, batcher } = setup();
    batcher.add(entry('a', '2025-01-01T00:00:00.000Z'));
    await batcher.close();
    await batcher.close();
    expect(writes).toHaveLength(1);
    batcher.add(entry('b', '2025-01-01T00:00:01.000Z'));
    clock.advance(5000);
    await settle();
    expect(writes).toHaveLength(1);
    expect(clock.pendingTimers()).toBe(0);
  });
});
