import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createBus, createKeyValueStore } from '@tessera/bus';
import { Gateway, loadGatewayConfig } from '@tessera/gateway';
import { ConfigError, createLogger, parseConfig } from '@tessera/kit';
import { loadMediaServerConfig, MediaServer } from '@tessera/media-server';
import { createPlatform, loadPlatformConfig } from '@tessera/platform';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { z } from 'zod';
import { createSimulatorEndpoint, planCity, Simulator } from './simulator';

const SimulationConfig = z.object({
  TESSERA_SIM_DEVICES: z.coerce.number().int().min(0).max(100_000).default(80),
  TESSERA_SIM_TRANSPORT: z.enum(['udp', 'tcp']).default('udp'),
  TESSERA_SIM_SEED: z.coerce.number().int().default(28181),
  TESSERA_DATA_DIR: z.string().default('.tessera'),
});

/**
 * `npm start`: platform, gateway and a simulated 长沙 in one process, on the embedded default (PGlite, in-memory
 * bus) unless DATABASE_URL / REDIS_URL point at real services.
 */
async function main(): Promise<void> {
  const logger = createLogger('tessera');
  const sim = parseConfig(SimulationConfig, process.env);
  const dataDir = resolve(sim.TESSERA_DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const adminPassword = process.env.TESSERA_ADMIN_PASSWORD || rememberedAdminPassword(dataDir);
  // One process: platform and media server share the viewer-token secret (generated per run unless set).
  const mediaTokenSecret = process.env.TESSERA_MEDIA_TOKEN_SECRET || randomBytes(32).toString('base64url');
  const mediaConfig = loadMediaServerConfig({ ...process.env, TESSERA_MEDIA_TOKEN_SECRET: mediaTokenSecret });
  const gatewayConfig = loadGatewayConfig(process.env);

  const redisUrl = process.env.REDIS_URL || undefined;
  const bus = createBus({ redisUrl, namespace: 'tessera', logger });
  const store = createKeyValueStore({ redisUrl, namespace: 'tessera', logger });
  const metricsRegistry = new Registry();
  collectDefaultMetrics({ register: metricsRegistry });

  const media = new MediaServer({ config: mediaConfig, bus, logger: logger.child({ component: 'media' }) });
  await media.start();
  const platformConfig = loadPlatformConfig({
    ...process.env,
    TESSERA_ADMIN_PASSWORD: adminPassword,
    TESSERA_MEDIA_TOKEN_SECRET: mediaTokenSecret,
    TESSERA_SIP_ID: gatewayConfig.sipId,
    TESSERA_MEDIA_PUBLIC_URL:
      process.env.TESSERA_MEDIA_PUBLIC_URL || `http://${mediaConfig.publicHost}:${media.httpPort}`,
  });
  const platform = await createPlatform({ config: platformConfig, bus, metricsRegistry, logger });
  const gateway = await Gateway.start({ config: gatewayConfig, bus, store, logger, metricsRegistry });

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

  const channels = simulator?.devices.reduce((n, d) => n + d.channels.length, 0) ?? 0;
  process.stdout.write(
    [
      '',
      '  Tessera 视频图像信息联网平台 is running',
      `  Console / API : ${platform.url}/`,
      `  API docs      : ${platform.url}/api/docs`,
      `  Media (WHEP)  : ${platformConfig.mediaPublicUrl}  RTP ${mediaConfig.rtpPorts.min}-${mediaConfig.rtpPorts.max}`,
      `  Metrics       : ${platform.url}/metrics`,
      `  Admin         : user "admin", password "${adminPassword}"`,
      `  SIP (GB/T 28181): ${gatewayConfig.sipId} @ ${gateway.publicHost()}:${gateway.port} (UDP+TCP), realm ${gatewayConfig.realm}`,
      `  Storage       : ${platform.database.engine === 'pglite' ? `embedded PostgreSQL (PGlite) in ${dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
      `  Bus           : ${redisUrl ? 'Redis (REDIS_URL)' : 'in memory'}`,
      `  Simulated city: ${simulator ? `${simulator.devices.length} devices, ${channels} channels in 长沙` : 'off'}`,
      '',
    ].join('\n'),
  );
  await simulator?.start();
  logger.info({ registered: simulator?.registeredCount() ?? 0 }, 'simulated devices registered');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    // The platform first: it hangs up its live sessions through the gateway and the media server.
    await platform.close();
    await closeSimulator();
    await gateway.close();
    await media.close();
    await store.close();
    await bus.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

/**
 * The embedded default keeps its generated admin password next to its data (mode 0600), so every `npm start`
 * can print it; with TESSERA_ADMIN_PASSWORD set nothing is written.
 */
function rememberedAdminPassword(dataDir: string): string {
  const file = join(dataDir, 'admin-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(12).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  createLogger('tessera').fatal({ err: error }, 'Tessera failed to start');
  process.exit(1);
});
