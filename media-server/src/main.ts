import { createBus, createKeyValueStore, createLeaseStore } from '@tessera/bus';
import { ConfigError, createLogger, installProcessGuards, nodeId } from '@tessera/kit';
import { loadMediaServerConfig } from './config';
import { MediaServer } from './media-server';

/**
 * Runs the media server alone (Kubernetes: one process per node, host networking for the RTP range and
 * WebRTC): REDIS_URL is required to reach the platform and the gateway over the bus, and to share stream leases
 * and records with the other media servers. TESSERA_NODE_ID names this process (default host-pid-random).
 */
async function main(): Promise<void> {
  const logger = createLogger('media-server');
  // The media server alone has no metrics endpoint yet: an unhandled rejection is logged (with a running count).
  installProcessGuards({ logger });
  let config: ReturnType<typeof loadMediaServerConfig>;
  let node: string;
  try {
    config = loadMediaServerConfig(process.env);
    node = nodeId();
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
  const namespace = process.env.TESSERA_BUS_NAMESPACE || 'tessera';
  const bus = createBus({ redisUrl, namespace, logger });
  // Stream records and leases: every platform replica lists them, another media server takes a dead one's over.
  const store = createKeyValueStore({ redisUrl, namespace, logger });
  const leases = createLeaseStore({ redisUrl, namespace, logger });
  const server = new MediaServer({ config, bus, store, leases, node, logger });
  await server.start();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    await server.close();
    await leases.close();
    await store.close();
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
