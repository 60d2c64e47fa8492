import { mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { createBus, createKeyValueStore, createLeaseStore } from '@tessera/bus';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import { ConfigError, createLogger, installProcessGuards, nodeId, parseConfig } from '@tessera/kit';
import { loadMediaServerConfig, MediaServer } from '@tessera/media-server';
import { createPlatform, loadPlatformConfig } from '@tessera/platform';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import {
  generateDevicePassword,
  generateKey,
  generateUserPassword,
  type StartSecret,
  startSecret,
} from './data-dir-secrets';
import { createSimulatorEndpoint, planCity, Simulator } from './simulator';
import { StartLog } from './start-log';

const SimulationConfig = z.object({
  TESSERA_SIM_DEVICES: z.coerce.number().int().min(0).max(100_000).default(80),
  TESSERA_SIM_TRANSPORT: z.enum(['udp', 'tcp']).default('udp'),
  TESSERA_SIM_SEED: z.coerce.number().int().default(28181),
  TESSERA_DATA_DIR: z.string().default('.tessera'),
  /** JSON logs of `npm start`; default `<data dir>/tessera.log`, `-` = stdout (as the services alone log). */
  TESSERA_LOG_FILE: z.string().min(1).optional(),
  /** Set by ops/src/supervisor.ts: how many times it restarted this process after a crash. */
  TESSERA_RESTARTS: z.coerce.number().int().min(0).default(0),
});

/**
 * `npm start`: platform, gateway and a simulated 长沙 in one process, on the embedded default (PGlite, in-memory
 * bus) unless DATABASE_URL / REDIS_URL point at real services; several on the same ones (and TESSERA_BUS_NAMESPACE)
 * are replicas of one platform (ops/test/two-instances.test.ts). Run by ops/src/supervisor.ts, which restarts it
 * after a crash; its logs go to a file so the terminal shows the start banner alone.
 */
async function main(): Promise<void> {
  const sim = parseConfig(SimulationConfig, process.env);
  const dataDir = resolve(sim.TESSERA_DATA_DIR);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log =
    sim.TESSERA_LOG_FILE === '-' ? null : new StartLog(sim.TESSERA_LOG_FILE ?? join(dataDir, 'tessera.log'));
  const logger = createLogger('tessera', undefined, log ?? undefined);
  const metricsRegistry = new Registry();
  const unhandledRejections = new Counter({
    name: 'tessera_unhandled_rejections_total',
    help: 'Promise rejections nobody handled (logged; the process kept serving)',
    registers: [metricsRegistry],
  });
  installProcessGuards({ logger, onUnhandled: () => unhandledRejections.inc() });
  const startedAt = Date.now();
  process.stdout.write(
    sim.TESSERA_RESTARTS > 0
      ? `\n  Tessera restarting after a crash (restart #${sim.TESSERA_RESTARTS}); why: ${shown(log?.file ?? 'the log above')}\n`
      : `\n  Tessera starting…${log ? ` (logs: ${shown(log.file)})` : ''}\n`,
  );

  // Kept in the data directory (0600) when not set: a restart must not sign everyone out, drop every viewer
  // token, or change the password the cameras were given. Printed only on the run that generated them.
  const secret = (variable: string, fileName: string, generate: () => string) =>
    startSecret({ env: process.env, variable, dataDir, fileName, generate });
  const adminPassword = secret('TESSERA_ADMIN_PASSWORD', 'admin-password', generateUserPassword);
  const sipPassword = secret('TESSERA_SIP_PASSWORD', 'sip-password', generateDevicePassword);
  const tokenSecret = secret('TESSERA_TOKEN_SECRET', 'token-secret', generateKey);
  const mediaTokenSecret = secret('TESSERA_MEDIA_TOKEN_SECRET', 'media-token-secret', generateKey);
  // Encrypts upper platform SIP passwords in the database (lost: they must be set again); never printed.
  const secretsKey = secret('TESSERA_SECRETS_KEY', 'secrets-key', generateKey);

  // One address for everything a camera or a browser elsewhere must reach (SIP Via/Contact, SDP, WHEP, console),
  // unless set apart: before, the console showed 127.0.0.1 and video and SIP the first LAN address. A service bound
  // to one address (loopback in tests) keeps that address.
  const host =
    process.env.TESSERA_SIP_PUBLIC_HOST ||
    process.env.TESSERA_MEDIA_PUBLIC_HOST ||
    firstExternalIPv4() ||
    '127.0.0.1';
  const env = {
    ...process.env,
    TESSERA_SIP_PUBLIC_HOST:
      process.env.TESSERA_SIP_PUBLIC_HOST || (isWildcard(process.env.TESSERA_SIP_HOST) ? host : undefined),
    TESSERA_MEDIA_PUBLIC_HOST:
      process.env.TESSERA_MEDIA_PUBLIC_HOST ||
      (isWildcard(process.env.TESSERA_MEDIA_HOST) ? host : undefined),
    TESSERA_SIP_PASSWORD: sipPassword.value,
    TESSERA_ADMIN_PASSWORD: adminPassword.value,
    TESSERA_TOKEN_SECRET: tokenSecret.value,
    TESSERA_MEDIA_TOKEN_SECRET: mediaTokenSecret.value,
    TESSERA_SECRETS_KEY: secretsKey.value,
    // The simulated city registers from one address (loopback): the per-source limit on new device IDs would
    // otherwise hold a city of more than 100 devices back for minutes.
    TESSERA_NEW_DEVICES_PER_SOURCE_PER_MIN:
      process.env.TESSERA_NEW_DEVICES_PER_SOURCE_PER_MIN || String(Math.max(100, sim.TESSERA_SIM_DEVICES)),
  };
  const mediaConfig = loadMediaServerConfig(env);
  const gatewayConfig = loadGatewayConfig(env);

  const redisUrl = process.env.REDIS_URL || undefined;
  // As the services alone read it (gateway/src/main.ts): several deployments can share one Redis.
  const namespace = process.env.TESSERA_BUS_NAMESPACE || 'tessera';
  const bus = createBus({ redisUrl, namespace, logger });
  const store = createKeyValueStore({ redisUrl, namespace, logger });
  const leases = createLeaseStore({ redisUrl, namespace, logger });
  collectDefaultMetrics({ register: metricsRegistry });

  // Its WHEP URL is its own (TESSERA_MEDIA_PUBLIC_URL, else the shared host and its HTTP port): the platform
  // hands out whatever the stream's owner says.
  const media = new MediaServer({
    config: mediaConfig,
    bus,
    store,
    leases,
    logger: logger.child({ component: 'media' }),
  });
  await media.start();
  const platformConfig = loadPlatformConfig({ ...env, TESSERA_SIP_ID: gatewayConfig.sipId });
  const platform = await createPlatform({
    config: platformConfig,
    bus,
    store,
    // Instances on one Redis are replicas: login failures count together (as the gateway's auth lockout does).
    loginLimitsStore: redisUrl ? store : undefined,
    metricsRegistry,
    logger,
  });
  // On a shared Redis, every `npm start` is one gateway replica of the platform (docs/ARCHITECTURE.md "Gateway
  // replicas"): its devices are leased to this process's node, so another instance neither restores them as its own
  // (and marks them offline, never hearing their keepalives) nor serves their commands from its socket, but passes
  // them on. In memory (the default) there is one gateway, which owns everything.
  const gateway = await Gateway.start({
    config: gatewayConfig,
    bus,
    store,
    logger,
    metricsRegistry,
    ...(redisUrl ? { leases, node: nodeId(), nonceSecret: process.env.TESSERA_NONCE_SECRET } : {}),
  });

  let simulator: Simulator | undefined;
  let closeSimulator = async () => {};
  if (sim.TESSERA_SIM_DEVICES > 0) {
    const { endpoint, port: simulatorPort } = await createSimulatorEndpoint({ host: '127.0.0.1' });
    simulator = new Simulator({
      endpoint,
      server: {
        id: gatewayConfig.sipId,
        host: '127.0.0.1',
        port: gateway.port,
        transport: sim.TESSERA_SIM_TRANSPORT,
      },
      devices: planCity({ devices: sim.TESSERA_SIM_DEVICES, seed: sim.TESSERA_SIM_SEED, nvrShare: 0.3 }),
      password: gatewayConfig.defaultPassword,
      logger: logger.child({ component: 'simulator' }),
      retryAfterMs: 10_000,
      media: { host: '127.0.0.1', contact: { host: '127.0.0.1', port: simulatorPort } },
    });
    closeSimulator = async () => {
      await simulator?.stop();
      await endpoint.close();
    };
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    process.stdout.write('  Tessera stopping…\n');
    // The media server before the gateway: it hangs up the streams it owns through the gateway (BYE).
    await platform.close();
    await media.close();
    await closeSimulator();
    await gateway.close();
    await leases.close();
    await store.close();
    await bus.close();
    log?.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  // The banner once start-up has settled (the simulated devices had their first try), so it is not buried.
  await simulator?.start();
  const registered = simulator?.registeredCount() ?? 0;
  logger.info({ registered }, 'simulated devices registered');
  if (stopping) return;

  const channels = simulator?.devices.reduce((n, d) => n + d.channels.length, 0) ?? 0;
  const consoleAddress = serviceUrl(platformConfig.httpHost, host, platform.url);
  /** /api/docs and /metrics answer loopback clients only unless opened (platform config). */
  const access = (who: 'loopback' | 'public' | 'off', path: string) =>
    who === 'off'
      ? 'off'
      : who === 'loopback'
        ? `${platform.url}${path}  (this machine only)`
        : `${consoleAddress.url}${path}`;
  const rows: [string, string][] = [
    ['Console / API', `${consoleAddress.url}/${consoleAddress.note}`],
    ['API docs', access(platformConfig.apiDocs, '/api/docs')],
    [
      'Metrics',
      access(platformConfig.metricsAccess, '/metrics') +
        (platformConfig.metricsToken ? ' (or with TESSERA_METRICS_TOKEN)' : ''),
    ],
    [
      'Video (WHEP)',
      `${media.publicUrl}   RTP ${mediaConfig.rtpPorts.min}-${mediaConfig.rtpPorts.max}/udp+tcp`,
    ],
    [
      'SIP (GB/T 28181)',
      `${hostPort(gateway.publicHost(), gateway.port)} UDP+TCP   ID ${gatewayConfig.sipId}, realm ${gatewayConfig.realm}${isLoopback(gatewayConfig.host) ? '  (this machine only)' : ''}`,
    ],
    ['Admin', `user "admin", password ${secretText(adminPassword, 'TESSERA_ADMIN_PASSWORD')}`],
    [
      'Device password',
      `${secretText(sipPassword, 'TESSERA_SIP_PASSWORD')}   admission ${gatewayConfig.admission}`,
    ],
    [
      'Storage',
      platform.database.engine === 'pglite'
        ? `embedded PostgreSQL (PGlite) in ${shown(dataDir)}`
        : 'PostgreSQL (DATABASE_URL)',
    ],
    ['Bus', redisUrl ? 'Redis (REDIS_URL)' : 'in memory'],
    [
      'Simulated city',
      simulator
        ? `${registered} of ${simulator.devices.length} devices registered, ${channels} channels in 长沙 (on 127.0.0.1)`
        : 'off',
    ],
    ['Logs', log ? `${shown(log.file)}   (warnings and errors also below)` : 'stdout (JSON)'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(
    [
      '',
      `  Tessera 视频图像信息联网平台 is running (started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s; Ctrl-C stops it)`,
      '',
      ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
      '',
      '',
    ].join('\n'),
  );
}

/** How a secret shows in the banner: its value only on the run that generated it, otherwise where it is. */
function secretText(secret: StartSecret, variable: string): string {
  if (secret.source === 'env') return `from ${variable}`;
  const file = shown(secret.file ?? '');
  if (secret.source === 'generated') return `"${secret.value}"  (new: shown this once, kept in ${file})`;
  return `in ${file}`;
}

/**
 * The console's address as others reach it: a service on every interface is shown at the shared host, with the
 * loopback address beside it for this machine; one bound to loopback only says so.
 */
function serviceUrl(bindHost: string, host: string, localUrl: string): { url: string; note: string } {
  if (isLoopback(bindHost)) return { url: localUrl, note: '  (this machine only)' };
  if (!isWildcard(bindHost)) return { url: localUrl, note: '' };
  const port = new URL(localUrl).port;
  const url = `http://${hostPort(host, Number(port))}`;
  return url === localUrl ? { url, note: '' } : { url, note: `   (on this machine also ${localUrl}/)` };
}

/** Unset (the services' default) or an any-address bind. */
function isWildcard(bind: string | undefined): boolean {
  return !bind || bind === '0.0.0.0' || bind === '::';
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A path relative to where `npm start` ran when that is shorter. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && rel.length < path.length ? rel : path;
}

function firstExternalIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  // Readable at the terminal (the log file may not exist yet); the stack is for whoever reports it.
  process.stderr.write(
    `\n  Tessera failed to start: ${error instanceof Error ? error.message : String(error)}\n\n${error instanceof Error ? error.stack : ''}\n`,
  );
  process.exit(1);
});
