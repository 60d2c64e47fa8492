import { createBus, createKeyValueStore, createLeaseStore } from '@tessera/bus';
import {
  ConfigError,
  createLogger,
  installProcessGuards,
  MetricsAccess,
  nodeId,
  parseConfig,
} from '@tessera/kit';
import { Counter, collectDefaultMetrics, Registry } from 'prom-client';
import { createServer, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { loadGatewayConfig } from './config';
import { Gateway } from './gateway';

/** What only the standalone gateway reads: its operators' HTTP port and who may read its metrics. */
const ServiceConfigSchema = z.object({
  TESSERA_GATEWAY_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9060),
  /** As the platform's: loopback clients only by default; the token opens /metrics to a scraper anywhere. */
  TESSERA_METRICS_ACCESS: z.enum(['loopback', 'public', 'off']).default('loopback'),
  TESSERA_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

/** Readiness waits this long for Redis before it says no. */
const READINESS_TIMEOUT_MS = 2_000;

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
  let service: z.infer<typeof ServiceConfigSchema>;
  let node: string;
  try {
    config = loadGatewayConfig(process.env);
    service = parseConfig(ServiceConfigSchema, process.env);
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
    logger.fatal('REDIS_URL is required: a standalone gateway reaches the platform over the Redis bus');
    process.exit(2);
  }
  const namespace = process.env.TESSERA_BUS_NAMESPACE || 'tessera';
  const bus = createBus({ redisUrl, namespace, logger });
  const store = createKeyValueStore({ redisUrl, namespace, logger });
  // Every standalone gateway is a replica (possibly the only one): its devices and upper links are leased.
  const leases = createLeaseStore({ redisUrl, namespace, logger });
  collectDefaultMetrics({ register: metricsRegistry });
  const gateway = await Gateway.start({
    config,
    bus,
    store,
    logger,
    metricsRegistry,
    nonceSecret: process.env.TESSERA_NONCE_SECRET,
    leases,
    node,
  });
  const metricsAccess = new MetricsAccess({
    access: service.TESSERA_METRICS_ACCESS,
    token: service.TESSERA_METRICS_TOKEN ?? null,
  });
  const json = (response: ServerResponse, status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  const redisReachable = (): Promise<boolean> =>
    'ping' in bus && typeof bus.ping === 'function'
      ? (bus.ping as (timeoutMs: number) => Promise<boolean>)(READINESS_TIMEOUT_MS).catch(() => false)
      : Promise.resolve(true);
  const metricsServer = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path === '/metrics') {
      const decision = metricsAccess.decide(request.socket.remoteAddress, request.headers.authorization);
      if (decision === 'off') {
        json(response, 404, {
          statusCode: 404,
          error: 'not-found',
          message: '/metrics is turned off (TESSERA_METRICS_ACCESS=off)',
        });
        return;
      }
      if (decision === 'forbidden') {
        json(response, 403, {
          statusCode: 403,
          error: 'forbidden',
          message:
            '/metrics is served to loopback clients only (TESSERA_METRICS_ACCESS=loopback); a scraper elsewhere sends Authorization: Bearer <TESSERA_METRICS_TOKEN>',
        });
        return;
      }
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
    } else if (path === '/health') {
      // Readiness: without Redis the gateway answers devices but cannot tell the platform (reports wait in its
      // outbox) nor keep presence for a restart, so a load balancer should prefer another replica.
      void redisReachable().then((redis) =>
        json(response, redis ? 200 : 503, {
          status: redis ? 'ok' : 'error',
          checks: { redis: redis ? 'up' : 'down' },
          devicesOnline: gateway.presence.size,
        }),
      );
    } else if (path === '/health/live') {
      json(response, 200, { status: 'ok' });
    } else {
      response.writeHead(404).end();
    }
  });
  metricsServer.listen(service.TESSERA_GATEWAY_METRICS_PORT);
  await new Promise<void>((done) => metricsServer.once('listening', done));
  const address = metricsServer.address();
  const metricsPort =
    typeof address === 'object' && address ? address.port : service.TESSERA_GATEWAY_METRICS_PORT;
  logger.info({ port: gateway.port, metricsPort, node }, 'gateway ready');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    metricsServer.close();
    await gateway.close();
    await leases.close();
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
