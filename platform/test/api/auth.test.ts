import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, TestPlatform } from '../support/platform';

const failures = async (t: TestPlatform, reason: string): Promise<number> => {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const match = new RegExp(`tessera_platform_login_failures_total\\{reason="${reason}"\\} (\\d+)`).exec(text);
  return Number(match?.[1] ?? 0);
};

describe('POST /api/v1/auth/login', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await TestPlatform.start();
  });
  afterAll(() => t?.close());

  it('issues a token that opens the API', async () => {
    const r = await t.request<{ token: string; expiresAt: string }>('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(r.status).toBe(200);
    expect(Date.parse(r.body.expiresAt) - Date.now()).toBeGreaterThan(11 * 3600_000);
    const me = await t.get<{ username: string; role: string; civilCode: string }>('/api/v1/me', r.body.token);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ username: 'admin', role: 'admin', civilCode: '4301' });
  });

  it('answers 401 to bad credentials and counts the failures', async () => {
    const badPassword = await failures(t, 'bad-password');
    const unknownUser = await failures(t, 'unknown-user');
    const wrong = await t.request<{ message: string }>('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: 'wrong-password' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body.message).toBe('invalid username or password');
    const nobody = await t.request('POST', '/api/v1/auth/login', {
      body: { username: 'nobody', password: 'x' },
    });
    expect(nobody.status).toBe(401);
    expect(await failures(t, 'bad-password')).toBe(badPassword + 1);
    expect(await failures(t, 'unknown-user')).toBe(unknownUser + 1);
  });

  it('answers 400 to a malformed body', async () => {
    const missing = await t.request<{ message: string }>('POST', '/api/v1/auth/login', {
      body: { username: 'admin' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(/^invalid login: password: /);
    const notJson = await fetch(`${t.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(notJson.status).toBe(400);
  });
});

describe('GET /api/v1/me', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await TestPlatform.start();
  });
  afterAll(() => t?.close());

  it('requires authentication', async () => {
    expect((await t.get('/api/v1/me')).status).toBe(401);
  });

  it('refuses forged, tampered and foreign tokens', async () => {
    const token = await t.adminToken();
    const [body, signature] = token.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { exp: number };
    const extended = Buffer.from(JSON.stringify({ ...payload, exp: payload.exp + 86_400 })).toString(
      'base64url',
    );
    expect((await t.get('/api/v1/me', `${extended}.${signature}`)).status).toBe(401);
    expect((await t.get('/api/v1/me', `${body}.${'A'.repeat(43)}`)).status).toBe(401);
    expect((await t.get('/api/v1/me', 'a.b.c')).status).toBe(401);
    const r = await fetch(`${t.url}/api/v1/me`, { headers: { authorization: `Basic ${token}` } });
    expect(r.status).toBe(401);
  });

  it('a district operator cannot reach another district', async () => {
    const furong = await t.userToken('op-furong', 'operator', '430102');
    const me = await t.get<{ username: string; civilCode: string; role: string }>('/api/v1/me', furong);
    expect(me.body).toMatchObject({ username: 'op-furong', civilCode: '430102', role: 'operator' });
  });
});
