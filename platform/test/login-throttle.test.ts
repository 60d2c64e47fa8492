import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../src/auth/login-throttle';

const settings = {
  sourcePerMinute: 10,
  failuresPerSource: 3,
  failuresPerUser: 5,
  lockoutSec: 60,
  maxEntries: 100,
};

describe('LoginThrottle', () => {
  it('locks one source out of a username after failures in a row, until the cool-down ends', () => {
    const clock = new ManualClock(1_000_000);
    const throttle = new LoginThrottle(settings, clock);
    for (let i = 0; i < 3; i++) {
      expect(throttle.check('admin', '10.0.0.1')).toEqual({ allowed: true });
      expect(throttle.recordFailure('admin', '10.0.0.1')).toEqual(i === 2 ? ['source'] : []);
    }
    expect(throttle.check('admin', '10.0.0.1')).toEqual({
      allowed: false,
      reason: 'source-locked',
      retryAfterSec: 60,
    });
    // Another address, and another username from the same address, are not affected.
    expect(throttle.check('admin', '10.0.0.2')).toEqual({ allowed: true });
    expect(throttle.check('operator', '10.0.0.1')).toEqual({ allowed: true });
    clock.advance(59_500);
    expect(throttle.check('admin', '10.0.0.1')).toMatchObject({ allowed: false, retryAfterSec: 1 });
    clock.advance(600);
    expect(throttle.check('admin', '10.0.0.1')).toEqual({ allowed: true });
  });

  it('a success clears the failures of that source; failures older than the cool-down are forgotten', () => {
    const clock = new ManualClock(0);
    const throttle = new LoginThrottle(settings, clock);
    throttle.recordFailure('admin', 'a');
    throttle.recordFailure('admin', 'a');
    throttle.recordSuccess('admin', 'a');
    expect(throttle.recordFailure('admin', 'a')).toEqual([]);
    expect(throttle.recordFailure('admin', 'a')).toEqual([]);
    clock.advance(61_000);
    expect(throttle.recordFailure('admin', 'a')).toEqual([]);
    expect(throttle.check('admin', 'a')).toEqual({ allowed: true });
  });

  it('locks a username for every source after failures from many sources; unlock lifts it', () => {
    const clock = new ManualClock(0);
    const throttle = new LoginThrottle(settings, clock);
    const started = [1, 2, 3, 4, 5].flatMap((i) => throttle.recordFailure('admin', `10.0.0.${i}`));
    expect(started).toEqual(['user']);
    expect(throttle.check('admin', '10.9.9.9')).toEqual({
      allowed: false,
      reason: 'user-locked',
      retryAfterSec: 60,
    });
    throttle.unlock('admin');
    expect(throttle.check('admin', '10.9.9.9')).toEqual({ allowed: true });
  });

  it('limits attempts per source per minute across usernames, refilling over time', () => {
    const clock = new ManualClock(0);
    const throttle = new LoginThrottle(settings, clock);
    for (let i = 0; i < 10; i++) expect(throttle.check(`user-${i}`, 'a').allowed).toBe(true);
    expect(throttle.check('user-x', 'a')).toEqual({
      allowed: false,
      reason: 'source-rate',
      retryAfterSec: 6,
    });
    expect(throttle.check('user-x', 'b').allowed).toBe(true);
    clock.advance(6_000);
    expect(throttle.check('user-x', 'a').allowed).toBe(true);
    expect(throttle.check('user-y', 'a').allowed).toBe(false);
  });

  it('remembers at most maxEntries sources, forgetting the least recently seen', () => {
    const clock = new ManualClock(0);
    const throttle = new LoginThrottle({ ...settings, sourcePerMinute: 1, maxEntries: 2 }, clock);
    expect(throttle.check('u', 'a').allowed).toBe(true);
    expect(throttle.check('u', 'b').allowed).toBe(true);
    expect(throttle.check('u', 'c').allowed).toBe(true);
    // 'a' was forgotten (memory stays bounded under address spraying): a fresh budget.
    expect(throttle.check('u', 'a').allowed).toBe(true);
    expect(throttle.check('u', 'c').allowed).toBe(false);
  });
});
