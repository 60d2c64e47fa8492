import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock';

describe('ManualClock', () => {
  it('fires timers in time order, including timers scheduled while firing', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@500'), 500);
    clock.setTimeout(() => {
      fired.push('a@100');
      clock.setTimeout(() => fired.push('c@300'), 200);
    }, 100);
    const cancelled = clock.setTimeout(() => fired.push('never'), 50);
    clock.clearTimeout(cancelled);
    clock.advance(400);
    expect(fired).toEqual(['a@100', 'c@300']);
    expect(clock.now()).toBe(1400);
    clock.advance(100);
    expect(fired).toEqual(['a@100', 'c@300', 'b@500']);
    expect(clock.pendingTimers()).toBe(0);
  });
});
