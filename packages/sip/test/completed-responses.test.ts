import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { CompletedResponses } from '../src/transaction/completed-responses';
import type { RemoteAddress } from '../src/transport/transport';

const remote: RemoteAddress = { transport: 'udp', address: '10.0.0.2', port: 5060 };
const response = (text: string) => ({ bytes: Buffer.from(text), status: 200, remote });

describe('completed non-INVITE responses kept for Timer J', () => {
  it('answers a key until its own linger has passed, exactly', () => {
    const clock = new ManualClock(0);
    const cache = new CompletedResponses(clock);
    cache.add('a', response('A'), 32_000);
    clock.advance(31_999);
    expect(cache.get('a')?.bytes.toString()).toBe('A');
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
  });

  it('finds keys in older generations, and drops a generation whole with one timer', () => {
    const clock = new ManualClock(0);
    const cache = new CompletedResponses(clock);
    // 32 s linger: a generation spans 4 s of arrivals; one entry every 100 ms for 20 s is 5 generations.
    for (let i = 0; i < 200; i++) {
      cache.add(`k${i}`, response(`r${i}`), 32_000);
      clock.advance(100);
    }
    expect(clock.pendingTimers()).toBe(1);
    expect(cache.size).toBe(200);
    expect(cache.get('k0')?.bytes.toString()).toBe('r0');
    expect(cache.get('k199')?.bytes.toString()).toBe('r199');
    // k0…k39 arrived in the first 4 s: their generation goes when k39 expires (3.9 s + 32 s).
    clock.advance(35_900 - clock.now());
    expect(cache.get('k39')).toBeUndefined();
    expect(cache.size).toBe(160);
    expect(cache.get('k40')?.bytes.toString()).toBe('r40');
    clock.advance(20_000);
    expect(cache.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('forgets a key on delete and everything on clear', () => {
    const clock = new ManualClock(0);
    const cache = new CompletedResponses(clock);
    cache.add('a', response('A'), 32_000);
    cache.add('b', response('B'), 32_000);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
    cache.clear();
    expect(cache.size).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });
  it('keeps its own copy of the bytes and the destination, across slabs', () => {
    const clock = new ManualClock(0);
    const cache = new CompletedResponses(clock);
    const scratch = Buffer.alloc(1000, 'x');
    const from = { transport: 'udp' as const, address: '10.0.0.9', port: 5062 };
    // 600 responses of 1,000 bytes span three 256 KiB slabs; the sender reuses its buffer after each one.
    for (let i = 0; i < 600; i++) {
      scratch.write(String(i).padStart(4, '0'));
      cache.add(`k${i}`, { bytes: scratch, status: 200 + (i % 2), remote: from }, 32_000);
    }
    scratch.fill('z');
    from.port = 1;
    for (const i of [0, 261, 262, 599]) {
      const kept = cache.get(`k${i}`);
      expect(kept?.bytes.subarray(0, 4).toString()).toBe(String(i).padStart(4, '0'));
      expect(kept?.bytes.length).toBe(1000);
      expect(kept?.status).toBe(200 + (i % 2));
      expect(kept?.remote).toEqual({ transport: 'udp', address: '10.0.0.9', port: 5062 });
    }
    cache.delete('k261');
    expect(cache.get('k261')).toBeUndefined();
    expect(cache.get('k262')?.bytes.subarray(0, 4).toString()).toBe('0262');
  });
});
