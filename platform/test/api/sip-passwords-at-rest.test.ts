import { createHash } from 'node:crypto';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import { createLogger } from '@tessera/kit';
import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/database/database';
import { loadMigrations, migrate } from '../../src/database/migrator';
import { createPlatform, loadPlatformConfig, type Platform } from '../../src/index';
import { SecretBox } from '../../src/secrets/secret-box';
import { deviceIdIn } from '../support/fixtures';
import { ADMIN_PASSWORD, TEST_SECRETS_KEY, TestPlatform } from '../support/platform';
import { createTestDatabase, type TestDatabase } from '../support/postgres';

const REALM = '4301000000';
const OTHER_KEY = Buffer.from('another-secrets-key-of-32-bytes!').toString('base64');
const md5 = (text: string) => createHash('md5').update(text).digest('hex');
const ha1 = (deviceId: string, password: string, hash = 'md5') =>
  createHash(hash).update(`${deviceId}:${REALM}:${password}`).digest('hex');
const upper = (overrides: Record<string, unknown> = {}) => ({
  name: 'City platform',
  sipId: '43000000002000000001',
  domain: '4300000000',
  host: '127.0.0.1',
  port: 15060,
  password: 'upper-secret',
  ...overrides,
});

/** Every column of every row of `table` as one text, to look for a clear password anywhere in it. */
async function rowsText(db: Database, table: 'device' | 'upper_platform'): Promise<string> {
  const rows = await sql<{
    row: string;
  }>`select row_to_json(t)::text as row from ${sql.table(table)} t`.execute(db.db);
  return rows.rows.map((r) => r.row).join('\n');
}

/** A platform on a database the test keeps (TestPlatform drops its own on close). */
async function startOn(
  url: string,
  env: Record<string, string> = {},
  lines?: string[],
): Promise<{ platform: Platform; bus: MemoryBus }> {
  const logger = lines
    ? createLogger('platform-test', 'info', { write: (line: string) => lines.push(line) })
    : createLogger('platform-test', process.env.TESSERA_TEST_LOG ?? 'silent');
  const bus = new MemoryBus({ broker: new MemoryBroker(), logger });
  const config = loadPlatformConfig({
    DATABASE_URL: url,
    TESSERA_HTTP_PORT: '0',
    TESSERA_HTTP_HOST: '127.0.0.1',
    TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ...env,
  });
  try {
    const store = new MemoryKeyValueStore({ broker: new MemoryBroker() });
    return {
      platform: await createPlatform({ config, bus, store, metricsRegistry: new Registry(), logger }),
      bus,
    };
  } catch (error) {
    await bus.close();
    throw error;
  }
}

describe('SIP passwords at rest', () => {
  let t: TestPlatform;
  let db: Database;
  let admin: string;
  beforeAll(async () => {
    t = await TestPlatform.start();
    admin = await t.adminToken();
    db = await openDatabase({
      databaseUrl: t.database!.url,
      pgliteDir: 'memory://',
      logger: createLogger('test'),
    });
  });
  afterAll(async () => {
    await db?.close();
    await t?.close();
  });

  it('a device password is stored as HA1, never in clear', async () => {
    const deviceId = deviceIdIn('43010200', 61, '132');
    const created = await t.request('POST', '/api/v1/devices', {
      token: admin,
      body: { deviceId, password: 'device-clear-password' },
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('device-clear-password');
    const patched = await t.request('PATCH', `/api/v1/devices/${deviceId}`, {
      token: admin,
      body: { password: 'device-second-password' },
    });
    expect(JSON.stringify(patched.body)).not.toContain('device-second-password');

    const row = await db.db
      .selectFrom('device')
      .select(['password_ha1', 'password_ha1_sm3', 'password_realm'])
      .where('device_id', '=', deviceId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      password_ha1: ha1(deviceId, 'device-second-password'),
      // GB/T 28181-2022 SM3 digests: HA1 with SM3 beside the MD5 one.
      password_ha1_sm3: ha1(deviceId, 'device-second-password', 'sm3'),
      password_realm: REALM,
    });
    const stored = await rowsText(db, 'device');
    expect(stored).not.toContain('device-clear-password');
    expect(stored).not.toContain('device-second-password');
    // Nor on the bus: the gateway is answered HA1 and its realm.
    const policy = await t.bus.request('inventory.device-policy', { deviceId }, { timeoutMs: 2_000 });
    expect(policy.digest).toEqual({
      ha1: ha1(deviceId, 'device-second-password'),
      ha1Sm3: ha1(deviceId, 'device-second-password', 'sm3'),
      realm: REALM,
    });
    expect(JSON.stringify(policy)).not.toContain('device-second-password');
  });

  it('an upper password is stored encrypted, never in clear, and crosses the bus only as HA1 for a challenge realm', async () => {
    const created = await t.request<{ id: string }>('POST', '/api/v1/upper-platforms', {
      token: admin,
      body: upper(),
    });
    expect(created.status).toBe(201);
    const row = await db.db
      .selectFrom('upper_platform')
      .select('password_sealed')
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    const box = new SecretBox(Buffer.from(TEST_SECRETS_KEY, 'base64'));
    expect(row.password_sealed).toMatch(new RegExp(`^v1\\.${box.keyId}\\.`));
    expect(box.open(row.password_sealed!, 'upper_platform.password')).toBe('upper-secret');
    expect(await rowsText(db, 'upper_platform')).not.toContain('upper-secret');
    // Nor on the bus: the gateway gets HA1 for the realm an upper's challenge names, computed here.
    const { uppers } = await t.bus.request('cascade.uppers', {}, { timeoutMs: 5_000 });
    expect(JSON.stringify(uppers)).not.toContain('upper-secret');
    const answer = await t.bus.request(
      'cascade.upper-ha1',
      { upperId: created.body.id, realm: '4300000000' },
      { timeoutMs: 5_000 },
    );
    expect(answer.ha1).toBe(md5('43010000002000000001:4300000000:upper-secret'));
  });
});

describe('TESSERA_SECRETS_KEY at start-up', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('without a key the platform starts and refuses to store an upper password (400 naming the variable); one without a password needs none', async () => {
    const { platform, bus } = await startOn(testDb.url);
    try {
      const login = await fetch(`${platform.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };
      const create = (body: unknown) =>
        fetch(`${platform.url}/api/v1/upper-platforms`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
      const refused = await create(upper());
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { message: string }).message).toContain('TESSERA_SECRETS_KEY');
      // An upper without a password needs no key.
      expect((await create(upper({ password: undefined }))).status).toBe(201);
    } finally {
      await platform.close();
      await bus.close();
    }
    const withKey = await startOn(testDb.url, { TESSERA_SECRETS_KEY: TEST_SECRETS_KEY });
    await withKey.platform.close();
    await withKey.bus.close();
  });

  it('a wrong secrets key, or none, fails start-up with a clear error once a password is stored encrypted', async () => {
    const first = await startOn(testDb.url, { TESSERA_SECRETS_KEY: TEST_SECRETS_KEY });
    try {
      const login = await fetch(`${first.platform.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };
      const created = await fetch(`${first.platform.url}/api/v1/upper-platforms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(upper({ sipId: '43000000002000000005' })),
      });
      expect(created.status).toBe(201);
    } finally {
      await first.platform.close();
      await first.bus.close();
    }
    await expect(startOn(testDb.url, { TESSERA_SECRETS_KEY: OTHER_KEY })).rejects.toThrow(
      /TESSERA_SECRETS_KEY \(key id [0-9a-f]{16}\) is not the key the stored upper platform passwords were encrypted with/,
    );
    await expect(startOn(testDb.url)).rejects.toThrow(
      /TESSERA_SECRETS_KEY is not set, but 1 upper platform password\(s\) are stored encrypted/,
    );
    await expect(startOn(testDb.url, { TESSERA_SECRETS_KEY: 'too-short' })).rejects.toThrow(
      /TESSERA_SECRETS_KEY: expected 32 bytes/,
    );
  });
});

describe('a change of SIP ID (realm)', () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('devices whose HA1 is for the old realm are named at start-up (they must have their password set again)', async () => {
    const deviceId = deviceIdIn('43010200', 81, '132');
    const first = await startOn(testDb.url);
    try {
      const login = await fetch(`${first.platform.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };
      const created = await fetch(`${first.platform.url}/api/v1/devices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ deviceId, password: 'set-under-4301000000' }),
      });
      expect(created.status).toBe(201);
    } finally {
      await first.platform.close();
      await first.bus.close();
    }
    const lines: string[] = [];
    const moved = await startOn(testDb.url, { TESSERA_SIP_ID: '43020000002000000001' }, lines);
    try {
      const warning = lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.count !== undefined);
      expect(warning).toMatchObject({ realm: '4302000000', devices: [deviceId], count: 1 });
      expect(String(warning?.msg)).toContain('set their passwords again');
      // The gateway is still told the realm the HA1 is for, so it refuses the device rather than check a wrong hash.
      const policy = await moved.bus.request('inventory.device-policy', { deviceId }, { timeoutMs: 2_000 });
      expect(policy.digest?.realm).toBe(REALM);
    } finally {
      await moved.platform.close();
      await moved.bus.close();
    }
  });
});

describe('the start-up migration of clear SIP passwords', () => {
  let testDb: TestDatabase;
  const deviceId = deviceIdIn('43010200', 71, '132');
  beforeAll(async () => {
    testDb = await createTestDatabase();
    // The schema as it was before passwords were protected, with clear rows in it.
    const database = await openDatabase({
      databaseUrl: testDb.url,
      pgliteDir: 'memory://',
      logger: createLogger('test'),
    });
    try {
      await migrate(database.db, { migrations: loadMigrations().filter((m) => m.name < '20261207140000') });
      await sql`insert into device (device_id, kind, password) values (${deviceId}, 'device', 'old-clear-device')`.execute(
        database.db,
      );
      await sql`insert into upper_platform (name, sip_id, domain, host, port, password)
        values ('Old upper', '43000000002000000007', '4300000000', '127.0.0.1', 15060, 'old-clear-upper'),
               ('No password', '43000000002000000008', '4300000000', '127.0.0.1', 15061, '')`.execute(
        database.db,
      );
    } finally {
      await database.close();
    }
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('migrations run without the start-up conversion stop before dropping a clear password', async () => {
    const database = await openDatabase({
      databaseUrl: testDb.url,
      pgliteDir: 'memory://',
      logger: createLogger('test'),
    });
    try {
      await expect(migrate(database.db)).rejects.toThrow(/clear SIP passwords are not converted/);
    } finally {
      await database.close();
    }
  });

  it('without a key the conversion refuses to start and leaves the clear rows as they were', async () => {
    await expect(startOn(testDb.url)).rejects.toThrow(
      /TESSERA_SECRETS_KEY is not set: 1 upper platform password\(s\) stored in clear must be encrypted/,
    );
    const database = await openDatabase({
      databaseUrl: testDb.url,
      pgliteDir: 'memory://',
      logger: createLogger('test'),
    });
    try {
      const row = await sql<{
        password: string;
      }>`select password from device where device_id = ${deviceId}`.execute(database.db);
      expect(row.rows[0]?.password).toBe('old-clear-device');
    } finally {
      await database.close();
    }
  });

  it('the start-up migration converts clear rows: devices to HA1, upper passwords encrypted, clear columns gone', async () => {
    const { platform, bus } = await startOn(testDb.url, { TESSERA_SECRETS_KEY: TEST_SECRETS_KEY });
    try {
      const { uppers } = await bus.request('cascade.uppers', {}, { timeoutMs: 5_000 });
      const ha1s: Record<string, string> = {};
      for (const u of uppers) {
        ha1s[u.name] = (
          await bus.request('cascade.upper-ha1', { upperId: u.id, realm: 'r' }, { timeoutMs: 5_000 })
        ).ha1;
      }
      expect(ha1s).toEqual({
        'Old upper': md5('43010000002000000001:r:old-clear-upper'),
        'No password': md5('43010000002000000001:r:'),
      });
      const policy = await bus.request('inventory.device-policy', { deviceId }, { timeoutMs: 2_000 });
      // The clear password is gone once converted, so no SM3 HA1 can be derived: SM3 needs the password set again.
      expect(policy.digest).toEqual({ ha1: ha1(deviceId, 'old-clear-device'), ha1Sm3: null, realm: REALM });
    } finally {
      await platform.close();
      await bus.close();
    }
    const database = await openDatabase({
      databaseUrl: testDb.url,
      pgliteDir: 'memory://',
      logger: createLogger('test'),
    });
    try {
      const columns = await sql<{ name: string }>`
        select table_name || '.' || column_name as name from information_schema.columns
        where table_name in ('device', 'upper_platform') and column_name like 'password%' order by 1`.execute(
        database.db,
      );
      expect(columns.rows.map((c) => c.name)).toEqual([
        'device.password_ha1',
        'device.password_ha1_sm3',
        'device.password_realm',
        'upper_platform.password_sealed',
      ]);
      expect(await rowsText(database, 'device')).not.toContain('old-clear-device');
      expect(await rowsText(database, 'upper_platform')).not.toContain('old-clear-upper');
    } finally {
      await database.close();
    }
  });
});
