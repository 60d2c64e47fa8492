import { describe, expect, it } from 'vitest';
import { signViewerToken, verifyViewerToken } from '../src/viewer-token';

const secret = 'a-secret-shared-by-platform-and-media';

describe('viewer tokens', () => {
  const token = signViewerToken({ sessionId: 's1', viewer: 'admin', expiresAt: 2_000 }, secret);

  it('accepts a token for its session before it expires', () => {
    expect(verifyViewerToken(token, { secret, sessionId: 's1', now: 1_999 })).toEqual({
      ok: true,
      grant: { sessionId: 's1', viewer: 'admin', expiresAt: 2_000 },
    });
  });

  it('refuses another session, an expired token, a forged or mangled one', () => {
    expect(verifyViewerToken(token, { secret, sessionId: 's2', now: 0 })).toEqual({
      ok: false,
      reason: 'wrong-session',
    });
    expect(verifyViewerToken(token, { secret, sessionId: 's1', now: 2_000 })).toEqual({
      ok: false,
      reason: 'expired',
    });
    expect(verifyViewerToken(token, { secret: 'other', sessionId: 's1', now: 0 })).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const [payload, signature] = token.split('.');
    const widened = Buffer.from(JSON.stringify({ sid: 's1', sub: 'admin', exp: 9e15 })).toString('base64url');
    expect(verifyViewerToken(`${widened}.${signature}`, { secret, sessionId: 's1', now: 0 }).ok).toBe(false);
    expect(verifyViewerToken(`${payload}`, { secret, sessionId: 's1', now: 0 })).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifyViewerToken('', { secret, sessionId: 's1', now: 0 }).ok).toBe(false);
  });
});
