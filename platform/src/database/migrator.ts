import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DB } from '../schema/tables';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../schema/migrations/', import.meta.url));

/** `<timestamp>-<intent>.sql`, e.g. `20250601000000-create-inventory.sql`. */
const MIGRATION_FILE = /^(\d{14})-([a-z0-9-]+)\.sql$/;

/** Arbitrary but fixed key for the advisory lock that serialises migrations between replicas. */
const MIGRATION_LOCK_KEY = 282_181_001;

export interface Migration {
  name: string;
  sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  for (const file of files) {
    if (!MIGRATION_FILE.test(file)) {
      throw new Error(`migration file ${file} is not named <yyyymmddhhmmss>-<intent>.sql`);
    }
  }
  return files
    .sort()
    .map((file) => ({ name: file.replace(/\.sql$/, ''), sql: readFileSync(`${dir}/${file}`, 'utf8') }));
}

export interface MigrationRun {
  /** Names applied in this run, in order. */
  applied: string[];
  /** True when this run created the schema (no migration had been applied before). */
  firstRun: boolean;
}

/**
 * Applies pending migrations in file-name order inside ONE transaction, recording each in
 * `schema_migration`; `afterApply` runs in the same transaction (the first-run seed), so a failure leaves
 * the database as it was. An advisory transaction lock keeps two replicas from migrating at once.
 */
export async function migrate(
  db: Kysely<DB>,
  options: {
    migrations?: Migration[];
    /** Before one pending migration's SQL, in the same transaction: a data conversion SQL cannot do. */
    beforeMigration?: (tx: Transaction<DB>, migration: Migration) => Promise<void>;
    afterApply?: (tx: Transaction<DB>, run: MigrationRun) => Promise<void>;
  } = {},
): Promise<MigrationRun> {
  const migrations = options.migrations ?? loadMigrations();
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`.execute(tx);
    await sql`
      create table if not exists schema_migration (
        name text not null,
        applied_at timestamptz not null default now(),
        constraint schema_migration_pkey primary key (name)
      )`.execute(tx);
    const done = new Set(
      (await tx.selectFrom('schema_migration').select('name').execute()).map((r) => r.name),
    );
    const run: MigrationRun = { applied: [], firstRun: done.size === 0 };
    for (const migration of migrations) {
      if (done.has(migration.name)) continue;
      await options.beforeMigration?.(tx, migration);
      await sql.raw(migration.sql).execute(tx);
      await tx.insertInto('schema_migration').values({ name: migration.name }).execute();
      run.applied.push(migration.name);
    }
    await options.afterApply?.(tx, run);
    return run;
  });
}
