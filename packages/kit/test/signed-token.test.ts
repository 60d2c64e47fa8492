import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signToken, verifySignedToken } from '../src/signed-token';

const Payload = z.object({ sub: z.string(), exp: z.number().int() });
const secret = Buffer.from('a-secret-of-the-signer');

describe('signed tokens', () => {
  const token = signToken({ sub: 'u1', exp: 2_000 }, secret);

  it('returns the payload of a token signed with the secret before it expires', () => {
    expect(verifySignedToken(token, secret, Payload, 1_999_999)).toEqual({
      ok: true,
      payload: { sub: 'u1', exp: 2_000 },
    });
  });

  it('refuses a token at its expiry second', () => {
    expect(verifySignedToken(token, secret, Payload, 2_000_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a payload changed under the original signature, or one signed with another secret', () => {
    const signature = token.split('.')[1];
    const widened = Buffer.from(JSON.stringify({ sub: 'u1', exp: 9e12 })).toString('base64url');
    expect(verifySignedToken(`${widened}.${signature}`, secret, Payload, 0)).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(verifySignedToken(token, 'another-secret', Payload, 0)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuses a correctly signed payload its schema does not accept', () => {
    const other = signToken({ exp: 2_000 }, secret);
    expect(verifySignedToken(other, secret, Payload, 0)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses tokens without exactly one dot, or longer than the bound, before computing any HMAC', () => {
    for (const bad of ['', 'abc', '.sig', 'a.b.c', `${'a'.repeat(3000)}.b`]) {
      expect(verifySignedToken(bad, secret, Payload, 0)).toEqual({ ok: false, reason: 'malformed' });
    }
  });
});
