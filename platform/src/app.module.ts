import 'reflect-metadata';
import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { Bus, KeyValueStore } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import type { Kysely } from 'kysely';
import { AuthGuard } from './auth/auth.guard';
import type { AuthSettings } from './auth/token';
import { ErrorFilter } from './common/error.filter';
import type { PlatformConfig } from './config';
import { AuthController } from './controllers/auth.controller';
import { BasemapController } from './controllers/basemap.controller';
import { ChannelController } from './controllers/channel.controller';
import { CivilAreaController } from './controllers/civil-area.controller';
import { DeviceController } from './controllers/device.controller';
import { EventController } from './controllers/event.controller';
import { HealthController } from './controllers/health.controller';
import { OutageController } from './controllers/outage.controller';
import { PlayController } from './controllers/play.controller';
import { WallLayoutController } from './controllers/wall-layout.controller';
import { UpperPlatformController } from './controllers/upper-platform.controller';
import { UserController } from './controllers/user.controller';
import type { DatabaseFeatures } from './database/database-features';
import type { DomainEvents } from './events/domain-events';
import { PlatformMetrics } from './metrics/platform-metrics';
import { ChannelRepository } from './repositories/channel.repository';
import { CivilAreaRepository } from './repositories/civil-area.repository';
import { DeviceRepository } from './repositories/device.repository';
import { OutageRepository } from './repositories/outage.repository';
import { WallLayoutRepository } from './repositories/wall-layout.repository';
import { UpperPlatformRepository } from './repositories/upper-platform.repository';
import { UserRepository } from './repositories/user.repository';
import type { DB } from './schema/tables';
import { AuthService } from './services/auth.service';
import { BasemapService } from './services/basemap.service';
import { ChannelService } from './services/channel.service';
import { CivilAreaService } from './services/civil-area.service';
import { DevicePolicyService } from './services/device-policy.service';
import { DeviceService } from './services/device.service';
import { HealthService } from './services/health.service';
import { InventoryIngestService } from './services/inventory-ingest.service';
import { LiveEventService } from './services/live-event.service';
import { OutageService } from './services/outage.service';
import { PlayService } from './services/play.service';
import { WallLayoutService } from './services/wall-layout.service';
import { CascadeBusService } from './services/cascade-bus.service';
import { CascadeRelayService } from './services/cascade-relay.service';
import { UpperPlatformService } from './services/upper-platform.service';
import { PtzService } from './services/ptz.service';
import { UserService } from './services/user.service';
import {
  AUTH_SETTINGS,
  BUS,
  KV_STORE,
  LOGIN_LIMITS_STORE,
  DATABASE_FEATURES,
  DOMAIN_EVENTS,
  KYSELY,
  LOGGER,
  MEDIA_TOKEN_SECRET,
  PLATFORM_CONFIG,
} from './tokens';

/** Everything the module is built from: created by `createPlatform`, never looked up globally. */
export interface PlatformDependencies {
  config: PlatformConfig;
  db: Kysely<DB>;
  bus: Bus;
  /** Where the media servers keep their stream records (live sessions survive a platform restart). */
  store: KeyValueStore;
  logger: Logger;
  metrics: PlatformMetrics;
  events: DomainEvents;
  features: DatabaseFeatures;
  auth: AuthSettings;
  /** HMAC key of viewer tokens (shared with the media server). */
  mediaTokenSecret: string;
  /** Where login failures and lockouts are counted so that replicas share them; absent: in this process. */
  loginLimitsStore?: KeyValueStore;
}

@Module({})
export class AppModule {
  static register(deps: PlatformDependencies): DynamicModule {
    return {
      module: AppModule,
      controllers: [
        AuthController,
        UserController,
        DeviceController,
        ChannelController,
        CivilAreaController,
        EventController,
        HealthController,
        PlayController,
        OutageController,
        WallLayoutController,
        UpperPlatformController,
        BasemapController,
      ],
      providers: [
        { provide: PLATFORM_CONFIG, useValue: deps.config },
        { provide: KYSELY, useValue: deps.db },
        { provide: BUS, useValue: deps.bus },
        { provide: KV_STORE, useValue: deps.store },
        { provide: LOGIN_LIMITS_STORE, useValue: deps.loginLimitsStore ?? null },
        { provide: LOGGER, useValue: deps.logger },
        { provide: PlatformMetrics, useValue: deps.metrics },
        { provide: DOMAIN_EVENTS, useValue: deps.events },
        { provide: DATABASE_FEATURES, useValue: deps.features },
        { provide: AUTH_SETTINGS, useValue: deps.auth },
        DeviceRepository,
        OutageRepository,
        WallLayoutRepository,
        UpperPlatformRepository,
        ChannelRepository,
        CivilAreaRepository,
        UserRepository,
        AuthService,
        UserService,
        DeviceService,
        ChannelService,
        CivilAreaService,
        HealthService,
        InventoryIngestService,
        DevicePolicyService,
        LiveEventService,
        PlayService,
        PtzService,
        OutageService,
        WallLayoutService,
        UpperPlatformService,
        CascadeRelayService,
        CascadeBusService,
        BasemapService,
        { provide: MEDIA_TOKEN_SECRET, useValue: deps.mediaTokenSecret },
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_FILTER, useClass: ErrorFilter },
      ],
    };
  }
}
