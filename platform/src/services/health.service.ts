import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from '@tessera/kit';
import { type Kysely, sql } from 'kysely';
import type { DatabaseFeatures } from '../database/database-features';
import type { HealthResponse } from '../dtos/health.dto';
import type { DB } from '../schema/tables';
import { DATABASE_FEATURES, KYSELY, LOGGER } from '../tokens';

@Injectable()
export class HealthService {
  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(DATABASE_FEATURES) private readonly features: DatabaseFeatures,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async check(): Promise<HealthResponse> {
    let ok = true;
    try {
      await sql`select 1`.execute(this.db);
    } catch (err) {
      this.logger.error({ err }, 'health check: database unreachable');
      ok = false;
    }
    return {
      status: ok ? 'ok' : 'error',
      database: {
        ok,
        engine: this.features.engine,
        timescaledbAvailable: this.features.timescaledbAvailable,
      },
    };
  }
}
