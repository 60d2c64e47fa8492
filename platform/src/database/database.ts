import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Logger } from '@tessera/kit';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DB } from '../schema/tables';
import { PGliteDialect } from './pglite.dialect';

export type DatabaseEngine = 'postgres' | 'pglite';

export interface Database {
  readonly db: Kysely<DB>;
  readonly engine: DatabaseEngine;
  /** Idempotent. */
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL connection URL; when null the embedded PGlite is used. */
  databaseUrl: string | null;
  /** PGlite data directory, or `memory://` for an in-memory database. */
  pgliteDir: string;
  logger: Logger;
}

/** Kysely over node-postgres when a URL is given, else over embedded PGlite (`npm start` needs no server). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    // A server that does not answer (network cut, not a refusal) fails a request after 5 s (→ 503) instead of
    // holding it, and its pooled connection, until the kernel gives up on the socket.
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      connectionTimeoutMillis: 5_000,
    });
    pool.on('error', (err) => options.logger.error({ err }, 'idle PostgreSQL client failed'));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    return withClose(db, 'postgres');
  }
  const inMemory = options.pgliteDir.startsWith('memory://');
  if (!inMemory) mkdirSync(options.pgliteDir, { recursive: true });
  const pglite = await PGlite.create(inMemory ? undefined : { dataDir: options.pgliteDir });
  options.logger.info({ dataDir: inMemory ? 'memory' : options.pgliteDir }, 'using embedded PGlite');
  const db = new Kysely<DB>({ dialect: new PGliteDialect(pglite) });
  return withClose(db, 'pglite', async () => {
    if (!pglite.closed) await pglite.close();
  });
}

function withClose(db: Kysely<DB>, engine: DatabaseEngine, after?: () => Promise<void>): Database {
  let closing: Promise<void> | null = null;
  return {
    db,
    engine,
    close() {
      closing ??= (async () => {
        await db.destroy();
        await after?.();
      })();
      return closing;
    },
  };
}
