import { describe, expect, it } from 'vitest';
import { checkViewerToken, signViewerToken } from '../src/viewer-token';

const secret = 'a-secret-shared-by-platform-and-media';
const claims = { sessionId: 's1', viewer: 'admin', exp: 2_000 };

describe('viewer tokens', () => {
  const token = signViewerToken(claims, secret);

  it('accepts a token for its session before it expires', () => {
    expect(checkViewerToken(token, { secret, sessionId: 's1', now: 1_999_999 })).toEqual({
      ok: true,
      claims,
    });
  });

  it('refuses another session, an expired token, a forged, mangled or oversized one', () => {
    expect(checkViewerToken(token, { secret, sessionId: 's2', now: 0 })).toEqual({
      ok: false,
      reason: 'other-session',
    });
    expect(checkViewerToken(token, { secret, sessionId: 's1', now: 2_000_000 })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(checkViewerToken(token, { secret: 'other', sessionId: 's1', now: 0 })).toEqual({
      ok: false,
      reason: 'forged',
    });
    const signature = token.split('.')[1];
    const widened = Buffer.from(JSON.stringify({ ...claims, exp: 9e12 })).toString('base64url');
    expect(checkViewerToken(`${widened}.${signature}`, { secret, now: 0 })).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(checkViewerToken('abc', { secret, now: 0 })).toEqual({ ok: false, reason: 'malformed' });
    expect(checkViewerToken(`${'a'.repeat(3000)}.b`, { secret, now: 0 })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});
