import { randomBytes } from 'node:crypto';
import { ConfigError } from '@tessera/kit';
import { describe, expect, it } from 'vitest';
import { loadPlatformConfig } from '../src/config';

const issuesOf = (env: Record<string, string>): string[] => {
  try {
    loadPlatformConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('platform configuration', () => {
  it('has these defaults', () => {
    expect(loadPlatformConfig({})).toEqual({
      httpPort: 8080,
      httpHost: '0.0.0.0',
      databaseUrl: null,
      dataDir: '.tessera',
      pgliteDir: '.tessera/pgdata',
      cityCode: '4301',
      adminPassword: null,
      tokenSecret: null,
      tokenTtlSec: 43_200,
      login: { sourcePerMinute: 30, failuresPerSource: 5, failuresPerUser: 50, lockoutSec: 900 },
      passwordHashConcurrency: 1,
      passwordHashQueue: 32,
      metricsAccess: 'loopback',
      metricsToken: null,
      apiDocs: 'loopback',
      hstsMaxAgeSec: 0,
      keepaliveFlushMs: 5_000,
      presence: {
        keepaliveIntervalSec: 60,
        keepaliveCount: 3,
        keepaliveReportSec: 30,
        reconcileEverySec: 60,
      },
      lowerCatalogRefreshSec: 600,
      catalogQueryTimeoutMs: 15_000,
      sseHeartbeatMs: 15_000,
      sseSessionCheckSec: 15,
      sipId: '43010000002000000001',
      mediaTransport: 'udp',
      playTimeoutMs: 10_000,
      viewerTokenTtlSec: 300,
      mediaTokenSecret: null,
      webDir: null,
      basemap: { kind: 'none' },
      secretsKey: null,
    });
  });

  it('treats empty variables as unset and derives the PGlite directory from the data directory', () => {
    const config = loadPlatformConfig({
      DATABASE_URL: '',
      TESSERA_DATA_DIR: '/var/lib/tessera/',
      TESSERA_HTTP_PORT: '',
    });
    expect(config.databaseUrl).toBeNull();
    expect(config.pgliteDir).toBe('/var/lib/tessera/pgdata');
    expect(config.httpPort).toBe(8080);
  });

  it('accepts port 0, a PostgreSQL URL and an in-memory PGlite', () => {
    const config = loadPlatformConfig({
      TESSERA_HTTP_PORT: '0',
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/tessera',
      TESSERA_PGLITE_DIR: 'memory://',
    });
    expect(config).toMatchObject({
      httpPort: 0,
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/tessera',
      pgliteDir: 'memory://',
    });
  });

  it('reads a 32-byte TESSERA_SECRETS_KEY as hex, base64 or base64url (what `npm start` generates)', () => {
    const key = randomBytes(32);
    for (const text of [key.toString('hex'), key.toString('base64'), key.toString('base64url')]) {
      expect(loadPlatformConfig({ TESSERA_SECRETS_KEY: text }).secretsKey).toEqual(key);
    }
    expect(() => loadPlatformConfig({ TESSERA_SECRETS_KEY: randomBytes(31).toString('base64') })).toThrow(
      'TESSERA_SECRETS_KEY: expected 32 bytes',
    );
  });

  it.each([
    [{ TESSERA_HTTP_PORT: '65536' }, 'TESSERA_HTTP_PORT: expected a port number 0–65535'],
    [{ TESSERA_HTTP_PORT: 'http' }, 'TESSERA_HTTP_PORT: expected a port number 0–65535'],
    [{ TESSERA_HTTP_PORT: '80.5' }, 'TESSERA_HTTP_PORT: expected a port number 0–65535'],
    [
      { DATABASE_URL: 'mysql://db/tessera' },
      'DATABASE_URL: expected a postgres:// or postgresql:// connection URL',
    ],
    [{ TESSERA_CITY_CODE: '430102' }, 'TESSERA_CITY_CODE: expected a 4-digit GB/T 2260 city code'],
    [{ TESSERA_ADMIN_PASSWORD: 'short' }, 'TESSERA_ADMIN_PASSWORD: must be at least 8 characters'],
    [{ TESSERA_TOKEN_SECRET: 'too-short' }, 'TESSERA_TOKEN_SECRET: must be at least 32 characters'],
    [
      { TESSERA_SECRETS_KEY: 'c2hvcnQ=' },
      'TESSERA_SECRETS_KEY: expected 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)',
    ],
    [{ TESSERA_TOKEN_TTL_SEC: '10' }, 'TESSERA_TOKEN_TTL_SEC: expected a whole number of seconds 60–43200'],
    [
      { TESSERA_TOKEN_TTL_SEC: '86400' },
      'TESSERA_TOKEN_TTL_SEC: expected a whole number of seconds 60–43200',
    ],
    [
      { TESSERA_METRICS_ACCESS: 'yes' },
      'TESSERA_METRICS_ACCESS: Invalid option: expected one of "loopback"|"public"|"off"',
    ],
    [
      { TESSERA_KEEPALIVE_FLUSH_MS: '0' },
      'TESSERA_KEEPALIVE_FLUSH_MS: expected a whole number of milliseconds 50–600000',
    ],
    [
      { TESSERA_CATALOG_QUERY_TIMEOUT_MS: 'soon' },
      'TESSERA_CATALOG_QUERY_TIMEOUT_MS: expected a whole number of milliseconds 100–600000',
    ],
    [
      { TESSERA_SSE_HEARTBEAT_MS: '-1' },
      'TESSERA_SSE_HEARTBEAT_MS: expected a whole number of milliseconds 100–300000',
    ],
    [
      { TESSERA_SSE_SESSION_CHECK_SEC: '0' },
      'TESSERA_SSE_SESSION_CHECK_SEC: expected a whole number of seconds 1–300',
    ],
  ])('rejects %j with an exact message', (env, message) => {
    expect(issuesOf(env)).toEqual([message]);
  });

  it('reports every invalid variable at once', () => {
    expect(issuesOf({ TESSERA_HTTP_PORT: '-1', DATABASE_URL: 'x' })).toEqual([
      'TESSERA_HTTP_PORT: expected a port number 0–65535',
      'DATABASE_URL: expected a postgres:// or postgresql:// connection URL',
    ]);
  });
});
