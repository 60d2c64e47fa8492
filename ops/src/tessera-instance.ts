import { createHash, randomBytes } from 'node:crypto';
import { MemoryBroker, MemoryBus, MemoryKeyValueStore, MemoryLeaseStore } from '@tessera/bus';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import type { Logger } from '@tessera/kit';
import { loadMediaServerConfig, MediaServer } from '@tessera/media-server';
import { createPlatform, loadPlatformConfig, type Platform } from '@tessera/platform';
import { Registry } from 'prom-client';
import { SIMULATED_DEVICE_PASSWORD } from './simulated-device-password';

export { SIMULATED_DEVICE_PASSWORD };

export interface TesseraInstanceOptions {
  /** The instance's GB/T 28181 ID (type 200). */
  sipId: string;
  /** Its own PostgreSQL database; none = an embedded PGlite database in memory (gone when the instance closes). */
  databaseUrl?: string;
  /** RTP port range of its media server, e.g. "34000-34099"; instances on one host need disjoint ranges. */
  rtpPorts: string;
  adminPassword: string;
  logger: Logger;
  /** SIP port; 0 = any. A restarted instance keeps its port so its lower and upper platforms find it again. */
  sipPort?: number;
  /** Extra environment for the three services (keepalive timings, grace, …). */
  env?: Record<string, string>;
}

/**
 * One whole Tessera (media server, platform, gateway) in this process on its own database and in-memory bus,
 * as a city, district or police-station platform. Used by the end-to-end tests and benchmarks, and where several
 * tiers must run on one machine (cascade); `npm start` wires the same three services.
 */
export class TesseraInstance {
  private constructor(
    readonly options: TesseraInstanceOptions,
    readonly bus: MemoryBus,
    readonly media: MediaServer,
    readonly platform: Platform,
    readonly gateway: Gateway,
  ) {}

  static async start(options: TesseraInstanceOptions): Promise<TesseraInstance> {
    const { logger } = options;
    const env = options.env ?? {};
    const broker = new MemoryBroker();
    const bus = new MemoryBus({ broker, logger });
    const store = new MemoryKeyValueStore({ broker });
    const secret = randomBytes(32).toString('base64url');
    const media = new MediaServer({
      config: loadMediaServerConfig({
        TESSERA_MEDIA_HOST: '127.0.0.1',
        TESSERA_MEDIA_PUBLIC_HOST: '127.0.0.1',
        TESSERA_MEDIA_HTTP_PORT: '0',
        TESSERA_MEDIA_RTP_PORTS: options.rtpPorts,
        TESSERA_MEDIA_TOKEN_SECRET: secret,
        ...env,
      }),
      bus,
      store,
      leases: new MemoryLeaseStore({ broker }),
      logger: logger.child({ component: 'media' }),
    });
    await media.start();
    const platform = await createPlatform({
      config: loadPlatformConfig({
        ...(options.databaseUrl === undefined
          ? { TESSERA_PGLITE_DIR: 'memory://' }
          : { DATABASE_URL: options.databaseUrl }),
        TESSERA_HTTP_PORT: '0',
        TESSERA_HTTP_HOST: '127.0.0.1',
        TESSERA_ADMIN_PASSWORD: options.adminPassword,
        TESSERA_SIP_ID: options.sipId,
        TESSERA_MEDIA_TOKEN_SECRET: secret,
        // Upper platform passwords are encrypted with it at rest. A test harness: the key follows the database, so a
        // restart on the same database (e2e-cascade's station) opens what the last start sealed.
        TESSERA_SECRETS_KEY:
          options.databaseUrl === undefined
            ? randomBytes(32).toString('base64')
            : createHash('sha256')
                .update(`tessera-instance secrets key ${options.databaseUrl}`)
                .digest('base64'),
        ...env,
      }),
      bus,
      store,
      metricsRegistry: new Registry(),
      logger: logger.child({ component: 'platform' }),
    });
    const gateway = await Gateway.start({
      config: loadGatewayConfig({
        TESSERA_SIP_ID: options.sipId,
        TESSERA_SIP_HOST: '127.0.0.1',
        TESSERA_SIP_PORT: String(options.sipPort ?? 0),
        TESSERA_SIP_PASSWORD: SIMULATED_DEVICE_PASSWORD,
        ...env,
      }),
      bus,
      store,
      logger: logger.child({ component: 'gateway' }),
    });
    return new TesseraInstance(options, bus, media, platform, gateway);
  }

  get url(): string {
    return this.platform.url;
  }

  /** The admin's bearer token. */
  async adminToken(): Promise<string> {
    const response = await fetch(`${this.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: this.options.adminPassword }),
    });
    if (!response.ok) throw new Error(`login to ${this.options.sipId}: ${response.status}`);
    return ((await response.json()) as { token: string }).token;
  }

  /** Calls the REST API as admin; returns status and parsed JSON (or null). */
  async api<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const token = await this.adminToken();
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  /** Registers this instance to an upper one, sharing everything under `shareCivilCodes`. */
  async addUpper(
    upper: TesseraInstance,
    options: {
      name: string;
      password: string;
      shareCivilCodes: string[];
      transport?: 'udp' | 'tcp';
      keepaliveIntervalSec?: number;
    },
  ): Promise<string> {
    const created = await this.api<{ id: string }>('POST', '/api/v1/upper-platforms', {
      name: options.name,
      sipId: upper.options.sipId,
      domain: upper.options.sipId.slice(0, 10),
      host: '127.0.0.1',
      port: upper.gateway.port,
      transport: options.transport ?? 'udp',
      password: options.password,
      keepaliveIntervalSec: options.keepaliveIntervalSec ?? 5,
      shareCivilCodes: options.shareCivilCodes,
    });
    if (created.status !== 201)
      throw new Error(`add upper: ${created.status} ${JSON.stringify(created.body)}`);
    return created.body.id;
  }

  /**
   * Platform first (it ends its relays through the gateway and the media server), then the media server, which hangs
   * up the streams it owns through the gateway.
   */
  async close(): Promise<void> {
    await this.platform.close();
    await this.media.close();
    await this.gateway.close();
    await this.bus.close();
  }
}
