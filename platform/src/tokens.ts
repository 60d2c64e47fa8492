/** Nest injection tokens for values that are not classes (no emitDecoratorMetadata: every dependency is explicit). */
export const KYSELY = Symbol('Kysely<DB>');
export const BUS = Symbol('Bus');
/** The key/value store shared with the other services (Redis; in memory for `npm start`). */
export const KV_STORE = Symbol('KeyValueStore');
export const LOGGER = Symbol('Logger');
export const METRICS_REGISTRY = Symbol('prom-client Registry');
export const PLATFORM_CONFIG = Symbol('PlatformConfig');
export const DATABASE_FEATURES = Symbol('DatabaseFeatures');
export const DOMAIN_EVENTS = Symbol('DomainEvents');
export const AUTH_SETTINGS = Symbol('AuthSettings');
export const MEDIA_TOKEN_SECRET = Symbol('media token secret');
/** The key/value store login limits are counted in (replicas on Redis), or null: in this process. */
export const LOGIN_LIMITS_STORE = Symbol('LoginLimitsStore');
