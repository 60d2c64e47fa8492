import { createBus } from '@tessera/bus';
import { ConfigError, createLogger, installProcessGuards } from '@tessera/kit';
import { loadMediaServerConfig } from './config';
import { MediaServer } from './media-server';

/**
 * Runs the media server alone (Kubernetes: one process per node, host networking for the RTP range and
 * WebRTC): REDIS_URL is required to reach the platform and the gateway over the bus.
 */
async function main(): Promise<void> {
  const logger = createLogger('media-server');
  // The media server alone has no metrics endpoint yet: an unhandled rejection is logged (with a running count).
  installProcessGuards({ logger });
  let config: ReturnType<typeof loadMediaServerConfig>;
  try {
    config = loadMediaServerConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(error.message);
      process.exit(2);
    }
    throw error;
  }
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    logger.fatal('REDIS_URL is required: a standalone media server takes its commands over the Redis bus');
    process.exit(2);
  }
  const bus = createBus({ redisUrl, namespace: process.env.TESSERA_BUS_NAMESPACE || 'tessera', logger });
  const server = new MediaServer({ config, bus, logger });
  await server.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await server.close();
    await bus.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  createLogger('media-server').fatal({ err: error }, 'media server failed to start');
  process.exit(1);
});
