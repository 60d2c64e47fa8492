import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { ConfigError, createLogger } from '@tessera/kit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlatform, loadPlatformConfig, type Platform } from '../../src/index';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const ADMIN_PASSWORD = 'supplied-admin-password-7f3a';
const TOKEN_SECRET = 'supplied-token-secret-0123456789abcdef';
const METRICS_TOKEN = 'supplied-metrics-token-5e1d';
const SECRETS_KEY = Buffer.from('supplied-secrets-key-32-bytes-ok').toString('base64');
const DEVICE_PASSWORD = 'supplied-device-password-4c2e';
const UPPER_PASSWORD = 'supplied-upper-password-9b7d';

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
      TESSERA_SECRETS_KEY: SECRETS_KEY,
    });
    platform = await createPlatform({
      config,
      bus,
      store: new MemoryKeyValueStore({ broker: new MemoryBroker() }),
      metricsRegistry: new Registry(),
      logger,
    });
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
    // SIP passwords given to the API are stored as HA1 or encrypted, and logged nowhere on the way.
    const login = await fetch(`${platform.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const post = (path: string, body: unknown) =>
      fetch(`${platform.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    expect(
      (await post('/api/v1/devices', { deviceId: '43010000001320000099', password: DEVICE_PASSWORD })).status,
    ).toBe(201);
    const upper = { name: 'Upper', sipId: '43000000002000000001', domain: '4300000000', host: '127.0.0.1' };
    expect(
      (await post('/api/v1/upper-platforms', { ...upper, port: 15060, password: UPPER_PASSWORD })).status,
    ).toBe(201);
    await (
      await fetch(`${platform.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
    ).text();
    expect(lines.length).toBeGreaterThan(3);
    for (const secret of [
      ADMIN_PASSWORD,
      TOKEN_SECRET,
      METRICS_TOKEN,
      SECRETS_KEY,
      DEVICE_PASSWORD,
      UPPER_PASSWORD,
    ]) {
      expect(lines.filter((l) => l.includes(secret))).toEqual([]);
    }
  });

  it('a rejected secret is not echoed in the configuration error', () => {
    try {
      loadPlatformConfig({
        TESSERA_TOKEN_SECRET: 'short-secret-x',
        TESSERA_ADMIN_PASSWORD: 'pw-1',
        TESSERA_SECRETS_KEY: 'not-a-key-x',
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = `${(err as ConfigError).message} ${(err as ConfigError).issues.join(' ')}`;
      expect(text).not.toContain('short-secret-x');
      expect(text).not.toContain('pw-1');
      expect(text).not.toContain('not-a-key-x');
    }
  });
});
