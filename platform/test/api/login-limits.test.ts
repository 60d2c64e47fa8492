import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginFrom } from '../support/login-from';
import { ADMIN_PASSWORD, TestPlatform, USER_PASSWORD } from '../support/platform';

const metric = async (t: TestPlatform, name: string, label: string): Promise<number> => {
  const text = await (await fetch(`${t.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${label}} `));
  return Number(line?.split(' ')[1] ?? 0);
};

describe('login limits', () => {
  let t: TestPlatform;
  let admin: string;
  const webDir = mkdtempSync(join(tmpdir(), 'tessera-web-'));

  beforeAll(async () => {
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Tessera 控制台</title>');
    t = await TestPlatform.start({
      TESSERA_WEB_DIR: webDir,
      TESSERA_LOGIN_RATE_PER_MIN: '10',
      TESSERA_LOGIN_LOCKOUT_FAILURES: '3',
      TESSERA_LOGIN_USER_LOCKOUT_FAILURES: '8',
    });
    admin = await t.adminToken();
    for (const name of ['guarded', 'spread']) {
      const r = await t.request('POST', '/api/v1/users', {
        token: admin,
        body: { username: name, password: USER_PASSWORD, role: 'operator', civilCode: '430102' },
      });
      expect(r.status).toBe(201);
    }
  });
  afterAll(() => t?.close());

  it('a brute force locks the account for that source and answers 429 with Retry-After', async () => {
    const refused = await metric(t, 'tessera_platform_login_refused_total', 'reason="source-locked"');
    for (let i = 0; i < 3; i++) {
      expect((await loginFrom(t.url, '127.0.0.2', 'guarded', `guess-${i}`)).status).toBe(401);
    }
    // Even the right password is refused from that source now: the guesser learns nothing more.
    const locked = await loginFrom(t.url, '127.0.0.2', 'guarded', USER_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error).toBe('rate-limited');
    expect(Number(locked.retryAfter)).toBeGreaterThan(800);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(900);
    expect(await metric(t, 'tessera_platform_login_refused_total', 'reason="source-locked"')).toBe(
      refused + 1,
    );
    expect(await metric(t, 'tessera_platform_login_lockouts_total', 'scope="source"')).toBeGreaterThanOrEqual(
      1,
    );
  });

  it('the right password from another source still works', async () => {
    // Policy: a lockout binds the guessing address, so guessing cannot lock the real user out of their desk.
    const other = await loginFrom(t.url, '127.0.0.3', 'guarded', USER_PASSWORD);
    expect(other.status).toBe(200);
    expect(other.body.token).toMatch(/\./);
    expect((await loginFrom(t.url, '127.0.0.2', 'guarded', USER_PASSWORD)).status).toBe(429);
  });

  it('an admin unlock lifts the lockout', async () => {
    const users = await t.get<Array<{ id: string; username: string }>>('/api/v1/users', admin);
    const guarded = users.body.find((u) => u.username === 'guarded')!;
    expect((await t.request('POST', `/api/v1/users/${guarded.id}/unlock`, { token: admin })).status).toBe(
      204,
    );
    expect((await loginFrom(t.url, '127.0.0.2', 'guarded', USER_PASSWORD)).status).toBe(200);
  });

  it('a guess spread over many sources locks the username for every source', async () => {
    for (let source = 1; source <= 4; source++) {
      for (let i = 0; i < 2; i++) {
        expect((await loginFrom(t.url, `127.0.1.${source}`, 'spread', `guess-${i}`)).status).toBe(401);
      }
    }
    const locked = await loginFrom(t.url, '127.0.1.99', 'spread', USER_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.message).toContain('ask an admin to unlock it');
    expect(await metric(t, 'tessera_platform_login_lockouts_total', 'scope="user"')).toBe(1);
  });

  it('one address gets a bounded number of attempts a minute, whatever the usernames', async () => {
    // 10 a minute refill one every 6 s, so a slow machine may squeeze in a few more: the point is that a
    // 429 comes, and not before the 10 the minute allows.
    const answers: number[] = [];
    while (answers.length < 60 && !answers.includes(429)) {
      answers.push((await loginFrom(t.url, '127.0.3.1', `nobody-${answers.length}`, 'x')).status);
    }
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(answers.at(-1)).toBe(429);
    expect(await metric(t, 'tessera_platform_login_refused_total', 'reason="source-rate"')).toBe(1);
    // Another address is not held back by it.
    expect((await loginFrom(t.url, '127.0.3.2', 'admin', ADMIN_PASSWORD)).status).toBe(200);
  }, 90_000);

  it('parallel logins do not starve /health or the console', async () => {
    // scrypt runs on libuv's thread pool, which file reads (the console's files) and DNS look-ups share.
    // The condition, independent of how loaded the machine is: once a burst of 16 logins is hashing (the
    // first has answered), /health and a console page answer while at least half the burst is still in
    // flight. Unbounded, the burst fills every pool thread and queues the console's file reads behind all
    // the remaining scrypts.
    let inFlight = 16;
    let firstAnswered!: () => void;
    const first = new Promise<void>((resolve) => {
      firstAnswered = resolve;
    });
    const logins = Array.from({ length: 16 }, (_, i) =>
      loginFrom(t.url, `127.0.2.${i + 1}`, 'admin', ADMIN_PASSWORD).then((r) => {
        inFlight -= 1;
        firstAnswered();
        return r.status;
      }),
    );
    await first;
    const seen: Record<string, number> = {};
    const health = fetch(`${t.url}/health`).then(async (r) => {
      seen[`health ${r.status}`] = inFlight;
      await r.text();
    });
    const page = fetch(`${t.url}/`, { headers: { accept: 'text/html' } }).then(async (r) => {
      seen[`console ${r.status}`] = inFlight;
      await r.text();
    });
    await Promise.all([health, page]);
    const statuses = await Promise.all(logins);
    expect(Object.keys(seen).sort()).toEqual(['console 200', 'health 200']);
    expect(Math.min(...Object.values(seen))).toBeGreaterThanOrEqual(8);
    expect(statuses.every((s) => s === 200)).toBe(true);
  }, 90_000);
});
