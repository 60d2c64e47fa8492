import { parseConfig } from '@tessera/kit';
import { z } from 'zod';
import { parseSecretsKey } from './secrets/secret-box';
import { basemapSetting } from './services/basemap-setting';

/** Environment values arrive as strings; an empty string means "not set". */
const unsetIfEmpty = (value: unknown): unknown => (value === '' ? undefined : value);

const toInteger = (value: unknown): unknown => {
  const v = unsetIfEmpty(value);
  return typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v.trim()) : v;
};

/** An integer variable in [min, max] with a default; one message for every way it can be wrong. */
const integer = (message: string, min: number, max: number, fallback: number) =>
  z.preprocess(
    toInteger,
    z
      .number({ error: message })
      .int({ message })
      .min(min, { message })
      .max(max, { message })
      .default(fallback),
  );

/** A string variable; empty means unset (the default applies after that). */
const text = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema);

/**
 * Platform configuration, one schema for the service. Every error names its environment variable
 * (`parseConfig` prefixes the path), and `test/config.test.ts` pins the messages and the defaults.
 */
export const platformConfigSchema = z
  .object({
    TESSERA_HTTP_PORT: integer('expected a port number 0–65535', 0, 65_535, 8080),
    TESSERA_HTTP_HOST: text(z.string().default('0.0.0.0')),
    DATABASE_URL: text(
      z
        .string()
        .regex(/^postgres(ql)?:\/\/\S+$/, {
          message: 'expected a postgres:// or postgresql:// connection URL',
        })
        .optional(),
    ),
    TESSERA_DATA_DIR: text(z.string().default('.tessera')),
    /** Embedded PGlite data directory; `memory://` keeps the database in memory. Default `<data dir>/pgdata`. */
    TESSERA_PGLITE_DIR: text(z.string().optional()),
    /** GB/T 2260 code of the city whose civil-area tree is seeded; its root is the widest jurisdiction. */
    TESSERA_CITY_CODE: text(
      z
        .string()
        .regex(/^\d{4}$/, { message: 'expected a 4-digit GB/T 2260 city code' })
        .default('4301'),
    ),
    TESSERA_ADMIN_PASSWORD: text(z.string().min(8, { message: 'must be at least 8 characters' }).optional()),
    /** HMAC key of the bearer tokens; generated per process when unset (tokens then die with the process). */
    TESSERA_TOKEN_SECRET: text(z.string().min(32, { message: 'must be at least 32 characters' }).optional()),
    /** Bearer-token lifetime; capped at 12 h (no refresh: a token never outlives a shift). */
    TESSERA_TOKEN_TTL_SEC: integer('expected a whole number of seconds 60–43200', 60, 43_200, 43_200),
    /** Login attempts per source address per minute (login-throttle.ts). */
    TESSERA_LOGIN_RATE_PER_MIN: integer('expected a whole number 1–10000', 1, 10_000, 30),
    /** Failed logins in a row on one username from one source before that source is locked out of it. */
    TESSERA_LOGIN_LOCKOUT_FAILURES: integer('expected a whole number 1–1000', 1, 1_000, 5),
    /** Failed logins on one username from all sources before the username is locked for everyone. */
    TESSERA_LOGIN_USER_LOCKOUT_FAILURES: integer('expected a whole number 1–100000', 1, 100_000, 50),
    TESSERA_LOGIN_LOCKOUT_SEC: integer('expected a whole number of seconds 1–86400', 1, 86_400, 900),
    /** scrypt derivations at once (password-hasher.ts); the rest wait in a queue of TESSERA_PASSWORD_HASH_QUEUE. */
    TESSERA_PASSWORD_HASH_CONCURRENCY: integer('expected a whole number 1–16', 1, 16, 1),
    TESSERA_PASSWORD_HASH_QUEUE: integer('expected a whole number 0–10000', 0, 10_000, 32),
    /** Who may read /metrics: loopback clients only, anyone, or nobody; TESSERA_METRICS_TOKEN opens it too. */
    TESSERA_METRICS_ACCESS: text(z.enum(['loopback', 'public', 'off']).default('loopback')),
    /** Bearer token a Prometheus scraper sends from anywhere (Authorization: Bearer …). */
    TESSERA_METRICS_TOKEN: text(z.string().min(16, { message: 'must be at least 16 characters' }).optional()),
    /** Who may read the OpenAPI document and Swagger UI at /api/docs. */
    TESSERA_API_DOCS: text(z.enum(['loopback', 'public', 'off']).default('loopback')),
    /** Strict-Transport-Security max-age; set only when browsers reach the console over TLS (0 = not sent). */
    TESSERA_HSTS_MAX_AGE_SEC: integer('expected a whole number of seconds 0–63072000', 0, 63_072_000, 0),
    /**
     * Keepalive timing of devices, the same variables as the gateway's: a device stored online with no sign of
     * life for interval × count (and at least one gateway report period) is marked offline (restart-reconcile).
     */
    TESSERA_KEEPALIVE_INTERVAL_SEC: integer('expected a whole number of seconds 1–3600', 1, 3_600, 60),
    TESSERA_KEEPALIVE_COUNT: integer('expected a whole number 1–100', 1, 100, 3),
    /** How often the gateway reports a device's keepalives (TESSERA_KEEPALIVE_REPORT_SEC of the gateway). */
    TESSERA_KEEPALIVE_REPORT_SEC: integer('expected a whole number of seconds 1–3600', 1, 3_600, 30),
    /** Presence reconcile: at start and then this often (0 = at start only). */
    TESSERA_PRESENCE_RECONCILE_SEC: integer('expected a whole number of seconds 0–86400', 0, 86_400, 60),
    TESSERA_KEEPALIVE_FLUSH_MS: integer(
      'expected a whole number of milliseconds 50–600000',
      50,
      600_000,
      5_000,
    ),
    TESSERA_CATALOG_QUERY_TIMEOUT_MS: integer(
      'expected a whole number of milliseconds 100–600000',
      100,
      600_000,
      15_000,
    ),
    /**
     * How often an open event stream re-reads its token's `user_session` row (live-event.service.ts): a
     * revocation on any replica ends the stream within this, and the token's expiry ends it on time.
     */
    TESSERA_SSE_SESSION_CHECK_SEC: integer('expected a whole number of seconds 1–300', 1, 300, 15),
    TESSERA_SSE_HEARTBEAT_MS: integer(
      'expected a whole number of milliseconds 100–300000',
      100,
      300_000,
      15_000,
    ),
    /** The platform's GB/T 28181 ID (shared with the gateway); its first 10 digits go into play SSRCs. */
    TESSERA_SIP_ID: text(
      z
        .string()
        .regex(/^\d{20}$/, { message: 'expected a 20-digit GB/T 28181 ID' })
        .default('43010000002000000001'),
    ),
    /** How devices send live media: udp (RTP/AVP), tcp-passive (device connects to us), tcp-active (we connect). */
    TESSERA_MEDIA_TRANSPORT: text(z.enum(['udp', 'tcp-passive', 'tcp-active']).default('udp')),
    /** Play: no keyframe within this long → 504 and everything torn down. */
    TESSERA_PLAY_TIMEOUT_MS: integer(
      'expected a whole number of milliseconds 500–120000',
      500,
      120_000,
      10_000,
    ),
    /** Viewer token lifetime (WHEP). */
    TESSERA_VIEWER_TOKEN_TTL_SEC: integer('expected a whole number of seconds 10–86400', 10, 86_400, 300),
    /** The built web console served at `/`; default web/dist of this repository. */
    TESSERA_WEB_DIR: text(z.string().optional()),
    /** Upper side of the cascade: re-query each online lower platform's catalog this often (0 = never). */
    TESSERA_LOWER_CATALOG_REFRESH_SEC: integer('expected a whole number of seconds 0–86400', 0, 86_400, 600),
    /** HMAC key of viewer tokens, shared with the media server; per process when unset. */
    TESSERA_MEDIA_TOKEN_SECRET: text(
      z.string().min(32, { message: 'must be at least 32 characters' }).optional(),
    ),
    /**
     * Key that encrypts upper platform SIP passwords at rest (secrets/secret-box.ts): 32 bytes, hex or base64. Unset:
     * the platform starts while no encrypted password is stored, and refuses to store one.
     */
    TESSERA_SECRETS_KEY: text(
      z
        .string()
        .transform((value, ctx) => {
          const key = parseSecretsKey(value);
          if (!key) {
            ctx.addIssue({
              code: z.ZodIssueCode.custom,
              message: 'expected 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)',
            });
            return z.NEVER;
          }
          return key;
        })
        .optional(),
    ),
    /** The console's street base map: a local .pmtiles file or an XYZ tile URL (`services/basemap-setting.ts`). */
    TESSERA_BASEMAP: text(basemapSetting.optional()),
  })
  .transform((c) => ({
    httpPort: c.TESSERA_HTTP_PORT,
    httpHost: c.TESSERA_HTTP_HOST,
    databaseUrl: c.DATABASE_URL ?? null,
    dataDir: c.TESSERA_DATA_DIR,
    pgliteDir: c.TESSERA_PGLITE_DIR ?? `${c.TESSERA_DATA_DIR.replace(/\/+$/, '')}/pgdata`,
    cityCode: c.TESSERA_CITY_CODE,
    adminPassword: c.TESSERA_ADMIN_PASSWORD ?? null,
    tokenSecret: c.TESSERA_TOKEN_SECRET ?? null,
    tokenTtlSec: c.TESSERA_TOKEN_TTL_SEC,
    login: {
      sourcePerMinute: c.TESSERA_LOGIN_RATE_PER_MIN,
      failuresPerSource: c.TESSERA_LOGIN_LOCKOUT_FAILURES,
      failuresPerUser: c.TESSERA_LOGIN_USER_LOCKOUT_FAILURES,
      lockoutSec: c.TESSERA_LOGIN_LOCKOUT_SEC,
    },
    passwordHashConcurrency: c.TESSERA_PASSWORD_HASH_CONCURRENCY,
    passwordHashQueue: c.TESSERA_PASSWORD_HASH_QUEUE,
    metricsAccess: c.TESSERA_METRICS_ACCESS,
    metricsToken: c.TESSERA_METRICS_TOKEN ?? null,
    apiDocs: c.TESSERA_API_DOCS,
    hstsMaxAgeSec: c.TESSERA_HSTS_MAX_AGE_SEC,
    keepaliveFlushMs: c.TESSERA_KEEPALIVE_FLUSH_MS,
    presence: {
      keepaliveIntervalSec: c.TESSERA_KEEPALIVE_INTERVAL_SEC,
      keepaliveCount: c.TESSERA_KEEPALIVE_COUNT,
      keepaliveReportSec: c.TESSERA_KEEPALIVE_REPORT_SEC,
      reconcileEverySec: c.TESSERA_PRESENCE_RECONCILE_SEC,
    },
    catalogQueryTimeoutMs: c.TESSERA_CATALOG_QUERY_TIMEOUT_MS,
    sseHeartbeatMs: c.TESSERA_SSE_HEARTBEAT_MS,
    sseSessionCheckSec: c.TESSERA_SSE_SESSION_CHECK_SEC,
    sipId: c.TESSERA_SIP_ID,
    mediaTransport: c.TESSERA_MEDIA_TRANSPORT,
    playTimeoutMs: c.TESSERA_PLAY_TIMEOUT_MS,
    viewerTokenTtlSec: c.TESSERA_VIEWER_TOKEN_TTL_SEC,
    mediaTokenSecret: c.TESSERA_MEDIA_TOKEN_SECRET ?? null,
    webDir: c.TESSERA_WEB_DIR ?? null,
    lowerCatalogRefreshSec: c.TESSERA_LOWER_CATALOG_REFRESH_SEC,
    basemap: c.TESSERA_BASEMAP ?? ({ kind: 'none' } as const),
    secretsKey: c.TESSERA_SECRETS_KEY ?? null,
  }));

export type PlatformConfig = z.infer<typeof platformConfigSchema>;

/** Parses the environment (or any string map); throws `ConfigError` whose issues name each variable. */
export function loadPlatformConfig(env: Record<string, string | undefined> = process.env): PlatformConfig {
  return parseConfig(platformConfigSchema, env);
}
