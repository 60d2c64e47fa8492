import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RedisBus, RedisKeyValueStore, RedisLeaseStore } from '@tessera/bus';
import { createLogger } from '@tessera/kit';
import { createTestDatabase, freePort, type TestDatabase } from '@tessera/testkit';
import { SIMULATED_DEVICE_PASSWORD } from '../../src/simulated-device-password';
import { ServiceProcess } from './service-process';

const ROOT = resolve(__dirname, '../../..');
const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ClusterTimings {
  keepaliveIntervalSec: number;
  keepaliveCount: number;
  /** Gateway replicas: a replica silent this long is dead (TESSERA_GATEWAY_LEASE_TTL_SEC). */
  gatewayLeaseTtlSec: number;
  /** Media servers: a stream's lease (TESSERA_STREAM_LEASE_TTL_MS). */
  streamLeaseTtlMs: number;
  /** How long a stream outlives its last reader (TESSERA_PLAY_GRACE_MS). */
  playGraceMs: number;
}

export interface PlatformProcess {
  process: ServiceProcess;
  url: string;
}
export interface GatewayProcess {
  process: ServiceProcess;
  node: string;
}
export interface MediaProcess {
  process: ServiceProcess;
  node: string;
  publicUrl: string;
}

/**
 * A Tessera deployment of separate processes on one host, as Kubernetes would run it: platform, gateway and media
 * server replicas (each its real `src/main.ts`) on one PostgreSQL database and one Redis namespace, both unique to
 * the run. Gateway replicas share one SIP port (TESSERA_SIP_SHARED_PORT). The test side gets its own Redis clients
 * (store, leases, bus) to look at what the replicas keep there.
 */
export class TesseraCluster {
  readonly sipId = '43010000002000000001';
  readonly namespace = `tessera-cluster-${randomBytes(4).toString('hex')}`;
  readonly adminPassword = 'cluster-admin-password';
  readonly platforms = new Map<string, PlatformProcess>();
  readonly gateways = new Map<string, GatewayProcess>();
  readonly media = new Map<string, MediaProcess>();
  readonly bus: RedisBus;
  readonly store: RedisKeyValueStore;
  readonly leases: RedisLeaseStore;
  sipPort = 0;
  readonly #secrets = {
    token: randomBytes(32).toString('base64url'),
    media: randomBytes(32).toString('base64url'),
    secretsKey: randomBytes(32).toString('base64'),
    nonce: randomBytes(24).toString('base64url'),
  };
  readonly #dataDir = mkdtempSync(join(tmpdir(), 'tessera-cluster-'));
  readonly #logLevel = process.env.TESSERA_TEST_LOG ?? 'warn';
  /** Disjoint RTP port ranges per media server, from a random base so that parallel runs rarely meet. */
  #rtpBase = 20_000 + Math.floor(Math.random() * 200) * 100;
  #database: TestDatabase | undefined;

  constructor(readonly timings: ClusterTimings) {
    const logger = createLogger('cluster', 'silent');
    this.bus = new RedisBus({ url: REDIS_URL, namespace: this.namespace, logger });
    this.store = new RedisKeyValueStore({ url: REDIS_URL, namespace: this.namespace, logger });
    this.leases = new RedisLeaseStore({ url: REDIS_URL, namespace: this.namespace, logger });
  }

  /** What every service reads: the bus, its log level. */
  #common(): Record<string, string> {
    return {
      REDIS_URL,
      TESSERA_BUS_NAMESPACE: this.namespace,
      TESSERA_LOG_LEVEL: this.#logLevel,
    };
  }

  #presenceEnv(): Record<string, string> {
    return {
      TESSERA_KEEPALIVE_INTERVAL_SEC: String(this.timings.keepaliveIntervalSec),
      TESSERA_KEEPALIVE_COUNT: String(this.timings.keepaliveCount),
      TESSERA_KEEPALIVE_REPORT_SEC: '1',
    };
  }

  /** A platform replica. The first one creates (migrates and seeds) the database; start it alone. */
  async startPlatform(name: string): Promise<PlatformProcess> {
    this.#database ??= await createTestDatabase();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const process = await ServiceProcess.start({
      name,
      cwd: join(ROOT, 'platform'),
      entry: 'src/main.ts',
      liveUrl: `${url}/health/live`,
      env: {
        ...this.#common(),
        ...this.#presenceEnv(),
        DATABASE_URL: this.#database.url,
        TESSERA_DATA_DIR: join(this.#dataDir, name),
        TESSERA_HTTP_HOST: '127.0.0.1',
        TESSERA_HTTP_PORT: String(port),
        TESSERA_SIP_ID: this.sipId,
        TESSERA_ADMIN_PASSWORD: this.adminPassword,
        // Shared by the replicas: a console token from one is good at the other, an upper's password sealed by one
        // is opened by the other, and every media server checks the viewer tokens either signs.
        TESSERA_TOKEN_SECRET: this.#secrets.token,
        TESSERA_SECRETS_KEY: this.#secrets.secretsKey,
        TESSERA_MEDIA_TOKEN_SECRET: this.#secrets.media,
        TESSERA_KEEPALIVE_FLUSH_MS: '200',
        // A loaded machine: an INVITE, an encoder start and a first keyframe may take a while.
        TESSERA_PLAY_TIMEOUT_MS: '15000',
      },
    });
    const platform = { process, url };
    this.platforms.set(name, platform);
    return platform;
  }

  /** A gateway replica on the cluster's shared SIP port; the one started last receives the UDP (Node 20). */
  async startGateway(name: string): Promise<GatewayProcess> {
    this.sipPort ||= await freePort();
    const metricsPort = await freePort();
    const process = await ServiceProcess.start({
      name,
      cwd: join(ROOT, 'gateway'),
      entry: 'src/main.ts',
      liveUrl: `http://127.0.0.1:${metricsPort}/health/live`,
      env: {
        ...this.#common(),
        ...this.#presenceEnv(),
        TESSERA_NODE_ID: name,
        TESSERA_SIP_ID: this.sipId,
        TESSERA_SIP_HOST: '127.0.0.1',
        TESSERA_SIP_PUBLIC_HOST: '127.0.0.1',
        TESSERA_SIP_PORT: String(this.sipPort),
        TESSERA_SIP_SHARED_PORT: 'true',
        TESSERA_SIP_PASSWORD: SIMULATED_DEVICE_PASSWORD,
        TESSERA_NONCE_SECRET: this.#secrets.nonce,
        TESSERA_GATEWAY_LEASE_TTL_SEC: String(this.timings.gatewayLeaseTtlSec),
        TESSERA_GATEWAY_METRICS_PORT: String(metricsPort),
        // A whole simulated city registers from one address.
        TESSERA_NEW_DEVICES_PER_SOURCE_PER_MIN: '100000',
      },
    });
    const gateway = { process, node: name };
    this.gateways.set(name, gateway);
    return gateway;
  }

  async startMedia(name: string): Promise<MediaProcess> {
    const port = await freePort();
    const rtp = this.#rtpBase;
    this.#rtpBase += 100;
    const publicUrl = `http://127.0.0.1:${port}`;
    const process = await ServiceProcess.start({
      name,
      cwd: join(ROOT, 'media-server'),
      entry: 'src/main.ts',
      liveUrl: `${publicUrl}/healthz`,
      env: {
        ...this.#common(),
        TESSERA_NODE_ID: name,
        TESSERA_MEDIA_HOST: '127.0.0.1',
        TESSERA_MEDIA_PUBLIC_HOST: '127.0.0.1',
        TESSERA_MEDIA_HTTP_PORT: String(port),
        TESSERA_MEDIA_PUBLIC_URL: publicUrl,
        TESSERA_MEDIA_RTP_PORTS: `${rtp}-${rtp + 99}`,
        TESSERA_MEDIA_TOKEN_SECRET: this.#secrets.media,
        TESSERA_PLAY_GRACE_MS: String(this.timings.playGraceMs),
        TESSERA_STREAM_LEASE_TTL_MS: String(this.timings.streamLeaseTtlMs),
      },
    });
    const media = { process, node: name, publicUrl };
    this.media.set(name, media);
    return media;
  }

  /** Every process's output tail, for a failure's message. */
  output(): string {
    return [...this.platforms.values(), ...this.gateways.values(), ...this.media.values()]
      .map(({ process }) => `----- ${process.name}${process.running ? '' : ' (dead)'}\n${process.output()}`)
      .join('\n');
  }

  /** Media servers first (their BYEs go out through the gateways), then platforms, then gateways. */
  async close(): Promise<void> {
    if (process.env.TESSERA_TEST_LOG) console.log(this.output());
    for (const group of [this.media, this.platforms, this.gateways])
      await Promise.all([...group.values()].map(({ process }) => process.stop()));
    // The registrations and stream records the run left (streams and lease epochs are a few keys).
    for (const key of await this.store.keys('')) await this.store.delete(key);
    await this.bus.close();
    await this.store.close();
    await this.leases.close();
    await this.#database?.drop();
    rmSync(this.#dataDir, { recursive: true, force: true });
  }
}
