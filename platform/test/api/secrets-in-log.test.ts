import { MemoryBroker, MemoryBus } from '@tessera/bus';
import { ConfigError, createLogger } from '@tessera/kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, loadPlatformConfig, type Platform } from '../../src/index';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const ADMIN_PASSWORD = 'supplied-admin-password-7f3a';
const TOKEN_SECRET = 'supplied-token-secret-0123456789abcdef';
const METRICS_TOKEN = 'supplied-metrics-token-5e1d';

describe('secrets supplied in the environment', () => {
  const lines: string[] = [];
  let database: TestDatabase;
  let bus: MemoryBus;
  let platform: Platform;

  beforeAll(async () => {
    database = await createTestDatabase();
    const logger = createLogger('platform-test', 'trace', { write: (line: string) => lines.push(line) });
    bus = new MemoryBus({ broker: new MemoryBroker(), logger });
    const config = loadPlatformConfig({
      TESSERA_HTTP_PORT: '0',
      TESSERA_HTTP_HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
      TESSERA_TOKEN_SECRET: TOKEN_SECRET,
      TESSERA_METRICS_TOKEN: METRICS_TOKEN,
    });
    platform = await createPlatform({ config, bus, metricsRegistry: new Registry(), logger });
  });
  afterAll(async () => {
    await platform?.close();
    await bus?.close();
    await database?.drop();
  });

  it('are never logged, and a supplied admin password is not handed back to be printed', async () => {
    // The first run seeds the admin account with the supplied password; main.ts prints only a generated one.
    expect(platform.adminPassword).toBeUndefined();
    for (const password of [ADMIN_PASSWORD, 'wrong-password']) {
      await fetch(`${platform.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
    }
    await (
      await fetch(`${platform.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(lines.length).toBeGreaterThan(3);
    for (const secret of [ADMIN_PASSWORD, TOKEN_SECRET, METRICS_TOKEN]) {
      expect(lines.filter((l) => l.includes(secret))).toEqual([]);
    }
  });

  it('a rejected secret is not echoed in the configuration error', () => {
    try {
      loadPlatformConfig({ TESSERA_TOKEN_SECRET: 'short-secret-x', TESSERA_ADMIN_PASSWORD: 'pw-1' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = `${(err as ConfigError).message} ${(err as ConfigError).issues.join(' ')}`;
      expect(text).not.toContain('short-secret-x');
      expect(text).not.toContain('pw-1');
    }
  });
});
