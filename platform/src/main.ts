import { createBus, createKeyValueStore } from '@tessera/bus';
import { ConfigError, createLogger, installProcessGuards } from '@tessera/kit';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { loadPlatformConfig } from './config';
import { createPlatform } from './platform';

/**
 * Runs the platform alone: `REDIS_URL` set → the Redis bus (the gateway runs elsewhere); unset → an
 * in-process bus, useful only to browse the API. `npm start` runs every service in one process instead.
 */
async function main(): Promise<void> {
  const logger = createLogger('platform');
  const metricsRegistry = new Registry();
  const unhandledRejections = new Counter({
    name: 'tessera_unhandled_rejections_total',
    help: 'Promise rejections nobody handled (logged; the process kept serving)',
    registers: [metricsRegistry],
  });
  installProcessGuards({ logger, onUnhandled: () => unhandledRejections.inc() });
  let config: ReturnType<typeof loadPlatformConfig>;
  try {
    config = loadPlatformConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      logger.fatal(err.message);
      process.exit(2);
    }
    throw err;
  }
  const redisUrl = process.env.REDIS_URL || undefined;
  if (!redisUrl)
    logger.warn('REDIS_URL is not set: using an in-process bus, no gateway can reach this platform');
  const namespace = process.env.TESSERA_BUS_NAMESPACE || 'tessera';
  const bus = createBus({ redisUrl, namespace, logger });
  const store = createKeyValueStore({ redisUrl, namespace, logger });
  collectDefaultMetrics({ register: metricsRegistry });
  const platform = await createPlatform({
    config,
    bus,
    store,
    // Replicas on Redis count login failures together; an in-process platform keeps them itself.
    loginLimitsStore: redisUrl ? store : undefined,
    metricsRegistry,
    logger,
  });
  if (platform.adminPassword) {
    // Printed once, on the run that created the account; it is not stored anywhere in clear text.
    process.stdout.write(
      `\nTessera admin account created: user "admin", password "${platform.adminPassword}"\n\n`,
    );
  }
  logger.info({ url: platform.url, docs: `${platform.url}/api/docs` }, 'platform ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await platform.close();
    await store.close();
    await bus.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  createLogger('platform').fatal({ err }, 'platform failed to start');
  process.exit(1);
});
