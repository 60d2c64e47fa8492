import { createKeyValueStore } from '@tessera/bus';
import type { KeyValueStore } from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginFrom } from '../support/login-from';
import { TestPlatform, USER_PASSWORD } from '../support/platform';

const REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Two platform replicas counting login limits in one Redis namespace (as main.ts does with REDIS_URL): guesses
 * spread over both lock at the same count as against one.
 */
describe('login limits shared by platform replicas (real Redis)', () => {
  const namespace = `shared-login-${process.pid}-${Date.now()}`;
  const logger = createLogger('shared-login-test', 'silent');
  const stores: KeyValueStore[] = [];
  const replicas: TestPlatform[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      const loginLimitsStore = createKeyValueStore({ redisUrl: REDIS_URL, namespace, logger });
      stores.push(loginLimitsStore);
      const t = await TestPlatform.start(
        {
          TESSERA_LOGIN_RATE_PER_MIN: '1000',
          TESSERA_LOGIN_LOCKOUT_FAILURES: '3',
          TESSERA_LOGIN_USER_LOCKOUT_FAILURES: '6',
        },
        { loginLimitsStore },
      );
      replicas.push(t);
      // One user on each replica's own database: the limits are by username, so the store alone ties them.
      const admin = await t.adminToken();
      for (const name of ['guarded', 'spread']) {
        const r = await t.request('POST', '/api/v1/users', {
          token: admin,
          body: { username: name, password: USER_PASSWORD, role: 'operator', civilCode: '430102' },
        });
        expect(r.status).toBe(201);
      }
    }
  });
  afterAll(async () => {
    for (const t of replicas) await t.close();
    for (const store of stores) await store.close();
  });

  it('a brute force from one source split across replicas locks that source at the same count', async () => {
    const [a, b] = replicas as [TestPlatform, TestPlatform];
    for (const t of [a, b, a]) {
      expect((await loginFrom(t.url, '127.0.0.2', 'guarded', 'wrong-guess')).status).toBe(401);
    }
    for (const t of [a, b]) {
      const locked = await loginFrom(t.url, '127.0.0.2', 'guarded', USER_PASSWORD);
      expect(locked.status).toBe(429);
      expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    }
    // The lockout binds the guessing address: the user at their own desk logs in through either replica.
    expect((await loginFrom(b.url, '127.0.0.3', 'guarded', USER_PASSWORD)).status).toBe(200);
  });

  it('a guess spread over sources and replicas locks the username for everyone, and an unlock at one lifts it at both', async () => {
    const [a, b] = replicas as [TestPlatform, TestPlatform];
    for (let source = 1; source <= 3; source++) {
      for (const t of [a, b]) {
        expect((await loginFrom(t.url, `127.0.1.${source}`, 'spread', 'wrong-guess')).status).toBe(401);
      }
    }
    for (const t of [a, b]) {
      const locked = await loginFrom(t.url, '127.0.1.99', 'spread', USER_PASSWORD);
      expect(locked.status).toBe(429);
      expect(locked.body.message).toContain('ask an admin to unlock it');
    }
    const admin = await a.adminToken();
    const users = await a.get<Array<{ id: string; username: string }>>('/api/v1/users', admin);
    const spread = users.body.find((u) => u.username === 'spread')!;
    expect((await a.request('POST', `/api/v1/users/${spread.id}/unlock`, { token: admin })).status).toBe(204);
    expect((await loginFrom(b.url, '127.0.1.99', 'spread', USER_PASSWORD)).status).toBe(200);
  });
});
