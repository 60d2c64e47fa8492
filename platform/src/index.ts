export { createPlatform, buildOpenApiDocument, type CreatePlatformOptions, type Platform } from './platform';
export { loadPlatformConfig, platformConfigSchema, type PlatformConfig } from './config';
export type {
  CatalogUpdatedEvent,
  ChannelStatusChangedEvent,
  DeviceOfflineEvent,
  DeviceOnlineEvent,
  DomainEvent,
  DomainEvents,
} from './events/domain-events';
export type { DatabaseFeatures } from './database/database-features';
export { INVENTORY_GROUP } from './services/inventory-ingest.service';
