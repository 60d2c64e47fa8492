import { type Kysely, sql } from 'kysely';
import type { DB } from '../schema/tables';
import type { DatabaseEngine } from './database';

export interface DatabaseFeatures {
  engine: DatabaseEngine;
  serverVersion: string;
  /** `timescaledb` is offered by the server (`pg_available_extensions`). */
  timescaledbAvailable: boolean;
  /** What the platform does with it; see the decision below. */
  timeSeriesStorage: 'plain-tables';
}

/**
 * Decision (for docs/ARCHITECTURE.md): TimescaleDB is detected, logged and reported on /health, but not
 * required and not used yet. The inventory is relational (devices, channels, users) and the only
 * time-stamped writes are keepalive times, batched into one UPDATE per flush. When status history or
 * alarms arrive (append-heavy, retention-bound per the regulations), they become hypertables where the
 * extension is available and plain partitioned tables where it is not (PGlite, stock PostgreSQL).
 */
export async function detectDatabaseFeatures(
  db: Kysely<DB>,
  engine: DatabaseEngine,
): Promise<DatabaseFeatures> {
  const version = await sql<{ v: string }>`select current_setting('server_version') as v`.execute(db);
  const timescale = await sql<{ n: number }>`
    select count(*)::int as n from pg_available_extensions where name = 'timescaledb'`.execute(db);
  return {
    engine,
    serverVersion: version.rows[0]?.v ?? 'unknown',
    timescaledbAvailable: (timescale.rows[0]?.n ?? 0) > 0,
    timeSeriesStorage: 'plain-tables',
  };
}
