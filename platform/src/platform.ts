import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { Bus, KeyValueStore } from '@tessera/contracts';
import { createLogger, type Logger } from '@tessera/kit';
import { Registry } from 'prom-client';
import { AppModule } from './app.module';
import { mountConsole } from './common/console-assets';
import { operationsGate, securityHeaders } from './common/http-edge';
import { NestPinoLogger } from './common/nest-logger';
import { openApiSchema } from './common/zod';
import type { PlatformConfig } from './config';
import { type Database, openDatabase } from './database/database';
import { type DatabaseFeatures, detectDatabaseFeatures } from './database/database-features';
import { migrate } from './database/migrator';
import { seed } from './database/seed';
import { sipRealmOf } from './secrets/device-digest';
import { SecretBox } from './secrets/secret-box';
import {
  checkSecretsKey,
  convertClearSipPasswords,
  DROP_CLEAR_SIP_PASSWORDS,
  warnForeignRealmDigests,
} from './secrets/sip-password-migration';
import { ErrorResponse } from '@tessera/contracts/api';
import { DomainEvents } from './events/domain-events';
import { PlatformMetrics } from './metrics/platform-metrics';

export interface CreatePlatformOptions {
  config: PlatformConfig;
  bus: Bus;
  /** Shared with the media servers: their stream records are the live sessions this platform lists and stops. */
  store: KeyValueStore;
  /**
   * Where login failures and lockouts are counted: the store shared by replicas on Redis, so guesses spread over
   * them count once. Absent: in this process (one platform, `npm start`).
   */
  loginLimitsStore?: KeyValueStore;
  /** Shared with the gateway when both run in one process; a private registry otherwise. */
  metricsRegistry?: Registry;
  logger?: Logger;
}

export interface Platform {
  app: INestApplication;
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Set only on the first run when no `TESSERA_ADMIN_PASSWORD` was given: print it once. */
  adminPassword?: string;
  /** In-process domain events (DeviceOnline, DeviceOffline, ChannelStatusChanged, CatalogUpdated). */
  events: DomainEvents;
  database: DatabaseFeatures;
  metricsRegistry: Registry;
  /** Stops HTTP, unsubscribes from the bus, flushes keepalives, closes the database. Idempotent. */
  close(): Promise<void>;
}

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Tessera platform API')
    .setDescription('Inventory of GB/T 28181 devices and channels, users and live status.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  // Schemas come from zod as JSON Schema 2020-12, i.e. OpenAPI 3.1.
  return {
    ...document,
    openapi: '3.1.0',
    components: {
      ...document.components,
      schemas: { ...document.components?.schemas, ErrorResponse: openApiSchema(ErrorResponse) },
    },
  };
}

/** Opens (and migrates) the database, starts the inventory ingest and the HTTP API. */
export async function createPlatform(options: CreatePlatformOptions): Promise<Platform> {
  const { config, bus } = options;
  const logger = options.logger ?? createLogger('platform');
  const metricsRegistry = options.metricsRegistry ?? new Registry();
  const database: Database = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: config.pgliteDir,
    logger,
  });
  let app: INestApplication | null = null;
  try {
    let adminPassword: string | undefined;
    const secrets = config.secretsKey ? new SecretBox(config.secretsKey) : null;
    const run = await migrate(database.db, {
      beforeMigration: async (tx, migration) => {
        if (migration.name !== DROP_CLEAR_SIP_PASSWORDS) return;
        await convertClearSipPasswords(tx, { realm: sipRealmOf(config.sipId), box: secrets, logger });
      },
      afterApply: async (tx, migration) => {
        if (!migration.firstRun) return;
        const seeded = await seed(tx, { cityCode: config.cityCode, adminPassword: config.adminPassword });
        adminPassword = seeded.generatedAdminPassword ?? undefined;
        logger.info({ areas: seeded.areas, city: config.cityCode }, 'seeded civil areas and the admin user');
      },
    });
    if (run.applied.length > 0) logger.info({ applied: run.applied }, 'database migrated');
    await checkSecretsKey(database.db, secrets);
    await warnForeignRealmDigests(database.db, sipRealmOf(config.sipId), logger);
    const features = await detectDatabaseFeatures(database.db, database.engine);
    logger.info(features, 'database features');
    if (!config.mediaTokenSecret) {
      logger.warn(
        'TESSERA_MEDIA_TOKEN_SECRET is not set: only a media server sharing this process can check viewer tokens',
      );
    }
    if (!config.tokenSecret) {
      logger.warn(
        'TESSERA_TOKEN_SECRET is not set: tokens are signed with a per-process key, so a restart signs everyone out',
      );
    }

    const events = new DomainEvents(logger);
    const metrics = new PlatformMetrics(metricsRegistry);
    app = await NestFactory.create(
      AppModule.register({
        config,
        db: database.db,
        bus,
        store: options.store,
        loginLimitsStore: options.loginLimitsStore,
        logger,
        metrics,
        events,
        features,
        auth: {
          secret: config.tokenSecret ? Buffer.from(config.tokenSecret) : randomBytes(32),
          ttlSec: config.tokenTtlSec,
        },
        mediaTokenSecret: config.mediaTokenSecret ?? randomBytes(32).toString('base64url'),
      }),
      { logger: new NestPinoLogger(logger), forceCloseConnections: true },
    );
    // Before every route: headers on every answer, including the console's files and errors.
    (app.getHttpAdapter().getInstance() as { disable(setting: string): void }).disable('x-powered-by');
    app.use(securityHeaders({ hstsMaxAgeSec: config.hstsMaxAgeSec }));
    app.use(operationsGate(config, metrics));
    mountConsole(app, config.webDir ?? fileURLToPath(new URL('../../web/dist', import.meta.url)), logger);
    if (config.apiDocs !== 'off') {
      SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app!), {
        jsonDocumentUrl: 'api/docs-json',
        raw: ['json'],
      });
    }
    await app.listen(config.httpPort, config.httpHost);
    const address = app.getHttpServer().address() as AddressInfo;
    const host = config.httpHost === '0.0.0.0' || config.httpHost === '::' ? '127.0.0.1' : config.httpHost;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    logger.info({ url }, 'platform listening');

    const started = app;
    let closing: Promise<void> | null = null;
    return {
      app: started,
      url,
      ...(adminPassword ? { adminPassword } : {}),
      events,
      database: features,
      metricsRegistry,
      close() {
        closing ??= (async () => {
          try {
            await started.close();
          } finally {
            await database.close();
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    await app?.close();
    await database.close();
    throw err;
  }
}
