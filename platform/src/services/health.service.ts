import { Inject, Injectable } from '@nestjs/common';
import type { Bus } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import { type Kysely, sql } from 'kysely';
import type { DatabaseFeatures } from '../database/database-features';
import type { DependencyState, HealthResponse } from '@tessera/contracts/api';
import type { DB } from '../schema/tables';
import { BUS, DATABASE_FEATURES, KYSELY, LOGGER } from '../tokens';

/** A dependency that does not answer within this long is reported down (a probe must not hang). */
const CHECK_TIMEOUT_MS = 2_000;

/** The Redis bus answers PING (`@tessera/bus` RedisBus); the in-process bus has no server to ask. */
interface Pingable {
  ping(timeoutMs: number): Promise<boolean>;
}
const isPingable = (bus: Bus): bus is Bus & Pingable => typeof (bus as Partial<Pingable>).ping === 'function';

/**
 * Readiness of the platform: PostgreSQL (inventory, users) and Redis (the bus to the gateway and the media
 * server). Either one down means requests fail or events wait, so a load balancer should stop sending traffic.
 */
@Injectable()
export class HealthService {
  constructor(
    @Inject(KYSELY) private readonly db: Kysely<DB>,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(DATABASE_FEATURES) private readonly features: DatabaseFeatures,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async check(): Promise<HealthResponse> {
    const [postgres, redis] = await Promise.all([this.#postgres(), this.#redis()]);
    return {
      status: postgres === 'up' && redis !== 'down' ? 'ok' : 'error',
      checks: { postgres, redis },
      database: {
        ok: postgres === 'up',
        engine: this.features.engine,
        timescaledbAvailable: this.features.timescaledbAvailable,
      },
    };
  }

  async #postgres(): Promise<'up' | 'down'> {
    const ok = await withinDeadline(
      sql`select 1`.execute(this.db).then(
        () => true,
        (err: unknown) => {
          this.logger.error({ err }, 'health check: database unreachable');
          return false;
        },
      ),
    );
    return ok ? 'up' : 'down';
  }

  async #redis(): Promise<DependencyState> {
    if (!isPingable(this.bus)) return 'not-configured';
    const ok = await withinDeadline(this.bus.ping(CHECK_TIMEOUT_MS));
    if (!ok) this.logger.error('health check: Redis unreachable');
    return ok ? 'up' : 'down';
  }
}

/** `probe`'s answer, or false when it has none within CHECK_TIMEOUT_MS. */
async function withinDeadline(probe: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([probe, late]);
  } finally {
    clearTimeout(timer);
  }
}
