import { describe, expect, it } from 'vitest';
import { Backoff } from '../src/backoff';

describe('Backoff', () => {
  it('doubles each delay from minMs up to maxMs and stays there', () => {
    const backoff = new Backoff({ minMs: 100, maxMs: 1_000 });
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([100, 200, 400, 800, 1_000, 1_000]);
    expect(backoff.attempts).toBe(6);
  });

  it('starts again from minMs after a reset', () => {
    const backoff = new Backoff({ minMs: 100, maxMs: 1_000 });
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.attempts).toBe(0);
    expect(backoff.next()).toBe(100);
  });

  it('defaults to 100 ms doubling up to 5 s', () => {
    const backoff = new Backoff();
    expect(Array.from({ length: 8 }, () => backoff.next())).toEqual([
      100, 200, 400, 800, 1_600, 3_200, 5_000, 5_000,
    ]);
  });

  it('with equal jitter waits between half and all of the doubled delay', () => {
    const low = new Backoff({ minMs: 2_000, maxMs: 60_000, jitter: true, random: () => 0 });
    const high = new Backoff({ minMs: 2_000, maxMs: 60_000, jitter: true, random: () => 1 });
    const mid = new Backoff({ minMs: 2_000, maxMs: 60_000, jitter: true, random: () => 0.5 });
    expect([low.next(), low.next(), low.next()]).toEqual([1_000, 2_000, 4_000]);
    expect([high.next(), high.next(), high.next()]).toEqual([2_000, 4_000, 8_000]);
    expect([mid.next(), mid.next(), mid.next()]).toEqual([1_500, 3_000, 6_000]);
  });

  it('with equal jitter never waits longer than maxMs', () => {
    const backoff = new Backoff({ minMs: 2_000, maxMs: 60_000, jitter: true, random: () => 1 });
    const delays = Array.from({ length: 40 }, () => backoff.next());
    expect(Math.max(...delays)).toBe(60_000);
    expect(delays.at(-1)).toBe(60_000);
  });
});
