import { MemoryBroker, MemoryBus, MemoryKeyValueStore } from '@tessera/bus';
import type { KeyValueStore } from '@tessera/contracts';
import type { CatalogItem, EventPayload, EventTopic } from '@tessera/contracts';
import { createLogger } from '@tessera/kit';
import { Registry } from 'prom-client';
import { createPlatform, loadPlatformConfig, type Platform } from '../../src/index';
import { cameraItem, now } from './fixtures';
import { createTestDatabase, type TestDatabase } from './postgres';
import { waitFor } from './wait';

export const ADMIN_PASSWORD = 'admin-test-password';
export const USER_PASSWORD = 'user-test-password';
/** The platform's bearer-token HMAC key in tests (a test signs its own token with it, e.g. a short `exp`). */
export const TEST_TOKEN_SECRET = 'test-token-secret-test-token-secret';
/** 32 bytes, base64. */
export const TEST_SECRETS_KEY = Buffer.from('tessera-test-secrets-key-32bytes').toString('base64');

export interface HttpResult<T = unknown> {
  status: number;
  body: T;
}

/**
 * One platform per test file: a fresh PostgreSQL database, the HTTP server on port 0, a MemoryBus the
 * test publishes on as the gateway would, and helpers for real `fetch` calls.
 */
export class TestPlatform {
  private constructor(
    readonly platform: Platform,
    readonly bus: MemoryBus,
    /** The key/value store the media servers write their stream records to. */
    readonly store: MemoryKeyValueStore,
    readonly broker: MemoryBroker,
    readonly database: TestDatabase | null,
    readonly metricsRegistry: Registry,
  ) {}

  static async start(
    env: Record<string, string> = {},
    /** `broker`: share the bus and the key/value store with another platform (a second replica). */
    /** `loginLimitsStore`: count login limits there (replicas on Redis), as main.ts does with REDIS_URL. */
    options: { embedded?: boolean; broker?: MemoryBroker; loginLimitsStore?: KeyValueStore } = {},
  ): Promise<TestPlatform> {
    const database = options.embedded ? null : await createTestDatabase();
    const logger = createLogger('platform-test');
    const broker = options.broker ?? new MemoryBroker();
    const bus = new MemoryBus({ broker, logger });
    const store = new MemoryKeyValueStore({ broker });
    const metricsRegistry = new Registry();
    try {
      const config = loadPlatformConfig({
        TESSERA_HTTP_PORT: '0',
        TESSERA_HTTP_HOST: '127.0.0.1',
        TESSERA_ADMIN_PASSWORD: ADMIN_PASSWORD,
        TESSERA_TOKEN_SECRET: TEST_TOKEN_SECRET,
        // Upper platform passwords are stored encrypted with it (sip-passwords-at-rest.test.ts runs without it too).
        TESSERA_SECRETS_KEY: TEST_SECRETS_KEY,
        TESSERA_KEEPALIVE_FLUSH_MS: '100',
        // Suites log in from 127.0.0.1 far more often than a person; login-limits.test.ts sets its own limits.
        TESSERA_LOGIN_RATE_PER_MIN: '10000',
        ...(database ? { DATABASE_URL: database.url } : { TESSERA_PGLITE_DIR: 'memory://' }),
        ...env,
      });
      const platform = await createPlatform({
        config,
        bus,
        store,
        metricsRegistry,
        logger,
        loginLimitsStore: options.loginLimitsStore,
      });
      return new TestPlatform(platform, bus, store, broker, database, metricsRegistry);
    } catch (err) {
      await bus.close();
      await database?.drop();
      throw err;
    }
  }

  get url(): string {
    return this.platform.url;
  }

  async close(): Promise<void> {
    await this.platform.close();
    await this.bus.close();
    await this.database?.drop();
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown } = {},
  ): Promise<HttpResult<T>> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    return { status: response.status, body: (type.includes('json') && text ? JSON.parse(text) : text) as T };
  }

  get<T = unknown>(path: string, token?: string): Promise<HttpResult<T>> {
    return this.request<T>('GET', path, { token });
  }

  async login(username: string, password: string): Promise<string> {
    const result = await this.request<{ token: string }>('POST', '/api/v1/auth/login', {
      body: { username, password },
    });
    if (result.status !== 200)
      throw new Error(`login ${username} failed: ${result.status} ${JSON.stringify(result.body)}`);
    return result.body.token;
  }

  adminToken(): Promise<string> {
    return this.login('admin', ADMIN_PASSWORD);
  }

  /** Creates a user (as admin) and returns its token. */
  async userToken(
    username: string,
    role: 'admin' | 'operator' | 'viewer',
    civilCode: string,
  ): Promise<string> {
    const admin = await this.adminToken();
    const created = await this.request('POST', '/api/v1/users', {
      token: admin,
      body: { username, password: USER_PASSWORD, role, civilCode },
    });
    if (created.status !== 201)
      throw new Error(`create ${username}: ${created.status} ${JSON.stringify(created.body)}`);
    return this.login(username, USER_PASSWORD);
  }

  publish<T extends EventTopic>(topic: T, payload: EventPayload<T>): Promise<void> {
    return this.bus.publish(topic, payload);
  }

  /** A device registers (→ online) the way the gateway reports it. */
  async register(deviceId: string, remoteAddress = '10.1.2.3:5060'): Promise<void> {
    await this.publish('device.registered', {
      deviceId,
      transport: 'udp',
      remoteAddress,
      expiresSec: 3600,
      gbVersion: '2016',
      userAgent: 'IPC',
      at: now(),
    });
  }

  async publishCatalog(deviceId: string, items: CatalogItem[], complete = true): Promise<void> {
    await this.publish('catalog.received', {
      deviceId,
      sn: 1,
      sumNum: items.length,
      complete,
      items,
      at: now(),
    });
  }

  /** Registers a device with cameras and waits until the admin sees them all. */
  async deviceWithCameras(
    deviceId: string,
    cameras: Array<{ id: string; civilCode: string }>,
  ): Promise<void> {
    await this.register(deviceId);
    await this.publishCatalog(
      deviceId,
      cameras.map((c) => cameraItem(c.id, c.civilCode)),
    );
    const admin = await this.adminToken();
    await waitFor(`cameras of ${deviceId}`, async () => {
      const r = await this.get<Array<{ channelId: string; status: string }>>(
        `/api/v1/channels?deviceId=${deviceId}`,
        admin,
      );
      return r.body.length === cameras.length && r.body.every((c) => c.status === 'online')
        ? true
        : undefined;
    });
  }
}
