import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectDatabaseFeatures } from '../src/database/database-features';
import { loadMigrations, migrate } from '../src/database/migrator';
import { PGliteDialect } from '../src/database/pglite.dialect';
import { seed } from '../src/database/seed';
import type { DB } from '../src/schema/tables';
import { ChannelRepository } from '../src/repositories/channel.repository';
import { DeviceRepository } from '../src/repositories/device.repository';
import { cameraItem, channelIdIn, deviceIdIn } from './support/fixtures';
import { TestPlatform } from './support/platform';

describe('embedded PGlite (in memory)', () => {
  let pglite: PGlite;
  let db: Kysely<DB>;
  beforeAll(async () => {
    pglite = await PGlite.create();
    db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  });
  afterAll(async () => {
    await db?.destroy();
    await pglite?.close();
  });

  it('runs the same migrations and seed, recorded once', async () => {
    const first = await migrate(db, {
      afterApply: async (tx, run) => {
        if (run.firstRun) await seed(tx, { cityCode: '4301', adminPassword: 'pglite-admin' });
      },
    });
    expect(first.firstRun).toBe(true);
    expect(first.applied).toEqual(loadMigrations().map((m) => m.name));
    const again = await migrate(db);
    expect(again).toEqual({ applied: [], firstRun: false });
    const recorded = await db.selectFrom('schema_migration').select('name').execute();
    expect(recorded.map((r) => r.name)).toEqual(first.applied);
  });

  it('answers inventory queries: upsert, jurisdiction, batched keepalives', async () => {
    const devices = new DeviceRepository(db);
    const channels = new ChannelRepository(db);
    const deviceId = deviceIdIn('43010200', 1);
    await devices.applyOnline({
      deviceId,
      at: new Date().toISOString(),
      transport: 'tcp',
      remoteAddress: '10.0.0.1:5060',
    });
    await channels.applyCatalog(
      deviceId,
      [
        cameraItem(channelIdIn('43010201', 1), '43010201'),
        cameraItem(channelIdIn('43010401', 2), '43010401'),
      ],
      true,
    );
    const furong = await channels.list({}, { kind: 'subtree', civilCode: '430102' });
    expect(furong.map((c) => [c.channel_id, c.status])).toEqual([[channelIdIn('43010201', 1), 'online']]);
    const other = deviceIdIn('43010400', 2);
    await devices.applyOnline({
      deviceId: other,
      at: new Date().toISOString(),
      transport: 'udp',
      remoteAddress: '10.0.0.3:5060',
    });
    const at = new Date(Date.now() + 1000).toISOString();
    const keepalives = [
      { deviceId, at, remoteAddress: '10.0.0.2:5060' },
      { deviceId: other, at, remoteAddress: '10.0.0.3:5060' },
      { deviceId: deviceIdIn('43019900', 3), at, remoteAddress: '10.0.0.4:5060' },
    ];
    // One statement for every device; unknown devices are skipped; an older time never overwrites a newer one.
    expect(await devices.recordKeepalives(keepalives)).toBe(2);
    expect(
      await devices.recordKeepalives([{ deviceId, at: new Date(0).toISOString(), remoteAddress: 'x' }]),
    ).toBe(0);
    const [listed] = await devices.list({ kind: 'all' }, deviceId);
    expect(listed).toMatchObject({
      device_id: deviceId,
      status: 'online',
      channel_count: 2,
      remote_address: '10.0.0.2:5060',
    });
    expect(listed?.last_keepalive_at?.toISOString()).toBe(at);
    const areas = await sql<{
      n: number;
    }>`select count(*)::int as n from civil_area where path like '/4301/430102/%'`.execute(db);
    expect(areas.rows[0]?.n).toBeGreaterThan(10);
  });

  it('detects no TimescaleDB', async () => {
    expect(await detectDatabaseFeatures(db, 'pglite')).toMatchObject({
      engine: 'pglite',
      timescaledbAvailable: false,
    });
  });
});

describe('the platform on embedded PGlite', () => {
  let t: TestPlatform;
  beforeAll(async () => {
    t = await TestPlatform.start({}, { embedded: true });
  });
  afterAll(() => t?.close());

  it('serves the API without a PostgreSQL server', async () => {
    expect((await t.get('/health')).body).toMatchObject({ database: { ok: true, engine: 'pglite' } });
    const admin = await t.adminToken();
    const roots = await t.get<Array<{ name: string }>>('/api/v1/civil-areas', admin);
    expect(roots.body.map((r) => r.name)).toEqual(['长沙市']);
  });
});

describe('first run without TESSERA_ADMIN_PASSWORD', () => {
  it('generates the admin password once and returns it', async () => {
    const t = await TestPlatform.start({ TESSERA_ADMIN_PASSWORD: '' }, { embedded: true });
    try {
      const generated = t.platform.adminPassword;
      expect(generated).toMatch(/^[A-Za-z0-9_-]{24}$/);
      expect(await t.login('admin', generated!)).toBeTruthy();
    } finally {
      await t.close();
    }
  });
});
