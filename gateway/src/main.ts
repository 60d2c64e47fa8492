import { createBus, createKeyValueStore } from '@tessera/bus';
import { ConfigError, createLogger, installProcessGuards } from '@tessera/kit';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { createServer } from 'node:http';
import { loadGatewayConfig } from './config';
import { Gateway } from './gateway';

/**
 * Runs the gateway alone, for a deployment where platform, gateway and media server are separate processes
 * (Kubernetes): REDIS_URL is required (bus + presence); Prometheus metrics on TESSERA_GATEWAY_METRICS_PORT.
 */
async function main(): Promise<void> {
  const logger = createLogger('gateway');
  const metricsRegistry = new Registry();
  const unhandledRejections = new Counter({
    name: 'tessera_unhandled_rejections_total',
    help: 'Promise rejections nobody handled (logged; the process kept serving)',
    registers: [metricsRegistry],
  });
  installProcessGuards({ logger, onUnhandled: () => unhandledRejections.inc() });
  let config: ReturnType<typeof loadGatewayConfig>;
  try {
    config = loadGatewayConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(error.message);
      process.exit(2);
    }
    throw error;
  }
  const redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    logger.fatal('REDIS_URL is required: a standalone gateway reaches the platform over the Redis bus');
    process.exit(2);
  }
  const namespace = process.env.TESSERA_BUS_NAMESPACE || 'tessera';
  const bus = createBus({ redisUrl, namespace, logger });
  const store = createKeyValueStore({ redisUrl, namespace, logger });
  collectDefaultMetrics({ register: metricsRegistry });
  const gateway = await Gateway.start({
    config,
    bus,
    store,
    logger,
    metricsRegistry,
    nonceSecret: process.env.TESSERA_NONCE_SECRET,
  });
  const metricsPort = Number(process.env.TESSERA_GATEWAY_METRICS_PORT ?? 9060);
  const metricsServer = createServer((request, response) => {
    if (request.url === '/metrics') {
      metricsRegistry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': metricsRegistry.contentType });
          response.end(text);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'metrics failed');
          response.writeHead(500).end();
        },
      );
    } else if (request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', devicesOnline: gateway.presence.size }));
    } else {
      response.writeHead(404).end();
    }
  });
  metricsServer.listen(metricsPort);
  logger.info({ port: gateway.port, metricsPort }, 'gateway ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    metricsServer.close();
    await gateway.close();
    await store.close();
    await bus.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  createLogger('gateway').fatal({ err: error }, 'gateway failed to start');
  process.exit(1);
});
