import { Counter, Gauge, type Registry } from 'prom-client';

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[] = [],
): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function gauge(registry: Registry, name: string, help: string): Gauge {
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, registers: [registry] });
}

/**
 * The platform's own metrics, registered into the injected registry (shared with the gateway when both
 * run in one process). Registering twice into one registry reuses the existing metric.
 */
export class PlatformMetrics {
  readonly loginFailures: Counter<'reason'>;
  readonly ingestEvents: Counter<'topic'>;
  readonly ingestFailures: Counter<'topic'>;
  readonly keepaliveFlushes: Counter;
  readonly keepaliveRows: Counter;
  readonly sseClients: Gauge;
  readonly playRequests: Counter<'result'>;
  readonly playSessions: Gauge;

  constructor(readonly registry: Registry) {
    this.loginFailures = counter(
      registry,
      'tessera_platform_login_failures_total',
      'Failed logins by reason (unknown-user, bad-password)',
      ['reason'],
    );
    this.ingestEvents = counter(
      registry,
      'tessera_platform_ingest_events_total',
      'Bus events handled (written or failed) by topic',
      ['topic'],
    );
    this.ingestFailures = counter(
      registry,
      'tessera_platform_ingest_failures_total',
      'Bus events whose database write failed, by topic',
      ['topic'],
    );
    this.playRequests = counter(
      registry,
      'tessera_platform_play_requests_total',
      'Play requests by result (started, joined, offline, rejected, timeout, failed)',
      ['result'],
    );
    this.playSessions = gauge(
      registry,
      'tessera_platform_play_sessions',
      'Live upstream sessions (one per channel)',
    );
    this.keepaliveFlushes = counter(
      registry,
      'tessera_platform_keepalive_flushes_total',
      'Batched keepalive UPDATE statements',
    );
    this.keepaliveRows = counter(
      registry,
      'tessera_platform_keepalive_rows_total',
      'Device rows touched by keepalive flushes',
    );
    this.sseClients = gauge(registry, 'tessera_platform_sse_clients', 'Open Server-Sent Events connections');
  }
}
