import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signViewerToken, verifyViewerToken } from '../../src/auth/viewer-token';
import { AccessDeniedError } from '../../src/errors';

const SECRET = 'shared-with-the-platform-0123456789';
const NOW = Date.UTC(2025, 0, 1);
const claims = { sessionId: 'session-1', viewer: 'user-42', exp: NOW / 1000 + 60 };

function denied(token: string, options: Partial<Parameters<typeof verifyViewerToken>[1]> = {}) {
  try {
    verifyViewerToken(token, { secret: SECRET, now: NOW, sessionId: 'session-1', ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(AccessDeniedError);
    return (error as AccessDeniedError).reason;
  }
  throw new Error('token was accepted');
}

describe('viewer tokens', () => {
  it('round-trips the claims of a valid token', () => {
    const token = signViewerToken(claims, SECRET);
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(verifyViewerToken(token, { secret: SECRET, sessionId: 'session-1', now: NOW })).toEqual(claims);
  });

  it('refuses another session, an expired token, another secret and a tampered payload', () => {
    const token = signViewerToken(claims, SECRET);
    expect(denied(token, { sessionId: 'session-2' })).toBe('other-session');
    expect(denied(token, { now: claims.exp * 1000 })).toBe('expired');
    expect(denied(signViewerToken(claims, 'another-secret-0123456789'))).toBe('forged');
    const [, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...claims, sessionId: 'session-1', viewer: 'admin' }),
    ).toString('base64url');
    expect(denied(`${forged}.${signature}`)).toBe('forged');
  });

  it('refuses malformed tokens without throwing anything else', () => {
    for (const bad of ['', 'abc', 'a.b.c', '.sig', `${'x'.repeat(3000)}.y`])
      expect(['malformed', 'forged']).toContain(denied(bad));
    // Correctly signed, but not claims: a platform bug, refused as malformed.
    const signed = (payload: string) =>
      `${payload}.${createHmac('sha256', SECRET).update(payload).digest('base64url')}`;
    expect(denied(signed(Buffer.from('not json').toString('base64url')))).toBe('malformed');
    expect(denied(signed(Buffer.from('{"sessionId":"session-1"}').toString('base64url')))).toBe('malformed');
  });
});
