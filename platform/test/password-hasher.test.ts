import { describe, expect, it } from 'vitest';
import { PasswordHasher } from '../src/auth/password-hasher';
import { ServiceBusyError } from '../src/errors';

describe('PasswordHasher', () => {
  it('runs at most `concurrency` derivations, queues up to `queueLimit`, refuses the rest with ServiceBusyError', async () => {
    const hasher = new PasswordHasher({ concurrency: 1, queueLimit: 2 });
    const stored = await hasher.hash('right-password');
    const accepted = [
      hasher.verify('right-password', stored),
      hasher.verify('x', stored),
      hasher.verify('y', stored),
    ];
    expect(hasher.load).toBe(3);
    await expect(hasher.verify('z', stored)).rejects.toBeInstanceOf(ServiceBusyError);
    expect(await Promise.all(accepted)).toEqual([true, false, false]);
    expect(hasher.load).toBe(0);
    expect(await hasher.verify('right-password', stored)).toBe(true);
  });
});
