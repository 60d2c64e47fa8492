import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { AuthLockout } from '../../src/device/auth-lockout';

describe('AuthLockout', () => {
  const make = () => {
    const clock = new ManualClock(0);
    const lockout = new AuthLockout({
      clock,
      maxFailures: 3,
      windowMs: 60_000,
      lockMs: 10_000,
      maxLockMs: 25_000,
    });
    return { clock, lockout };
  };

  it('locks a device out after repeated failures inside the window, then doubles the lock', () => {
    const { clock, lockout } = make();
    lockout.recordFailure('dev');
    lockout.recordFailure('dev');
    expect(lockout.lockedFor('dev')).toBe(0);
    lockout.recordFailure('dev');
    expect(lockout.lockedFor('dev')).toBe(10_000);
    clock.advance(10_000);
    expect(lockout.lockedFor('dev')).toBe(0);
    for (let i = 0; i < 3; i++) lockout.recordFailure('dev');
    expect(lockout.lockedFor('dev')).toBe(20_000);
    clock.advance(20_000);
    for (let i = 0; i < 3; i++) lockout.recordFailure('dev');
    expect(lockout.lockedFor('dev')).toBe(25_000);
  });

  it('forgets failures outside the window and after a success', () => {
    const { clock, lockout } = make();
    lockout.recordFailure('dev');
    lockout.recordFailure('dev');
    clock.advance(60_000);
    lockout.recordFailure('dev');
    expect(lockout.lockedFor('dev')).toBe(0);
    lockout.recordFailure('dev');
    lockout.recordSuccess('dev');
    lockout.recordFailure('dev');
    expect(lockout.lockedFor('dev')).toBe(0);
    expect(lockout.lockedFor('other')).toBe(0);
  });
});
