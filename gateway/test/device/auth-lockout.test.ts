import { ManualClock } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { type AuthAttempt, AuthLockout } from '../../src/device/auth-lockout';

const real: AuthAttempt = { deviceId: 'dev', address: '10.0.0.1' };
const attacker: AuthAttempt = { deviceId: 'dev', address: '203.0.113.9' };

describe('AuthLockout', () => {
  const make = (extra: { maxFailuresPerSource?: number; maxFailuresGlobal?: number } = {}) => {
    const clock = new ManualClock(0);
    const lockout = new AuthLockout({
      clock,
      maxFailures: 3,
      windowMs: 60_000,
      lockMs: 10_000,
      maxLockMs: 25_000,
      ...extra,
    });
    return { clock, lockout };
  };

  it('locks a device and source pair out after repeated failures inside the window, then doubles the lock', () => {
    const { clock, lockout } = make();
    lockout.recordFailure(real);
    lockout.recordFailure(real);
    expect(lockout.lockFor(real)).toBeUndefined();
    lockout.recordFailure(real);
    expect(lockout.lockFor(real)).toEqual({ scope: 'device', ms: 10_000 });
    clock.advance(10_000);
    expect(lockout.lockFor(real)).toBeUndefined();
    for (let i = 0; i < 3; i++) lockout.recordFailure(real);
    expect(lockout.lockFor(real)?.ms).toBe(20_000);
    clock.advance(20_000);
    for (let i = 0; i < 3; i++) lockout.recordFailure(real);
    expect(lockout.lockFor(real)?.ms).toBe(25_000);
  });

  it('forgets failures outside the window and after a success', () => {
    const { clock, lockout } = make();
    lockout.recordFailure(real);
    lockout.recordFailure(real);
    clock.advance(60_000);
    lockout.recordFailure(real);
    expect(lockout.lockFor(real)).toBeUndefined();
    lockout.recordFailure(real);
    lockout.recordSuccess(real);
    lockout.recordFailure(real);
    expect(lockout.lockFor(real)).toBeUndefined();
  });

  it('a brute force from another address does not lock the device out at its own address', () => {
    const { lockout } = make();
    for (let i = 0; i < 10; i++) lockout.recordFailure(attacker);
    expect(lockout.lockFor(attacker)?.scope).toBe('device');
    expect(lockout.lockFor(real)).toBeUndefined();
  });

  it('a source guessing many device IDs is turned away, except for a device known at that address', () => {
    const { lockout } = make({ maxFailuresPerSource: 5 });
    const nat = '198.51.100.7';
    lockout.recordSuccess({ deviceId: 'camera-behind-nat', address: nat });
    for (let i = 0; i < 5; i++) lockout.recordFailure({ deviceId: `guess-${i}`, address: nat });
    expect(lockout.lockFor({ deviceId: 'guess-new', address: nat })).toEqual({ scope: 'source', ms: 10_000 });
    expect(lockout.lockFor({ deviceId: 'camera-behind-nat', address: nat })).toBeUndefined();
    expect(lockout.lockFor({ deviceId: 'guess-new', address: '10.9.9.9' })).toBeUndefined();
  });

  it('past the global ceiling every unknown source is throttled, a device at its registered or known address is not', () => {
    const { clock, lockout } = make({ maxFailuresGlobal: 50, maxFailuresPerSource: 1_000 });
    lockout.recordSuccess(real);
    for (let i = 0; i < 50; i++) lockout.recordFailure({ deviceId: `d${i}`, address: `192.0.2.${i}` });
    expect(lockout.lockFor({ deviceId: 'other', address: '192.0.2.200' })).toEqual({
      scope: 'global',
      ms: 10_000,
    });
    expect(lockout.lockFor(real)).toBeUndefined();
    expect(lockout.lockFor({ deviceId: 'online', address: '10.0.0.2' }, true)).toBeUndefined();
    clock.advance(10_000);
    expect(lockout.lockFor({ deviceId: 'other', address: '192.0.2.200' })).toBeUndefined();
  });

  it('stays bounded under a flood of distinct device IDs and addresses', () => {
    const bounded = new AuthLockout({
      clock: new ManualClock(0),
      maxFailures: 3,
      windowMs: 60_000,
      lockMs: 10_000,
      maxLockMs: 25_000,
      maxFailuresGlobal: 1_000_000,
      maxEntries: 1_000,
    });
    for (let i = 0; i < 20_000; i++) {
      bounded.recordFailure({ deviceId: `d${i}`, address: `a${i}` });
      bounded.recordSuccess({ deviceId: `k${i}`, address: `a${i}` });
    }
    // The newest are still remembered, the oldest forgotten, and the lockout still answers.
    expect(bounded.knows({ deviceId: 'k19999', address: 'a19999' })).toBe(true);
    expect(bounded.knows({ deviceId: 'k0', address: 'a0' })).toBe(false);
    expect(bounded.lockFor({ deviceId: 'd19999', address: 'a19999' })).toBeUndefined();
  });
});
