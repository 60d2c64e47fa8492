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
  readonly loginRefused: Counter<'reason'>;
  readonly loginLockouts: Counter<'scope'>;
  readonly httpRefused: Counter<'reason'>;
  readonly ingestEvents: Counter<'topic'>;
  readonly ingestFailures: Counter<'topic'>;
  readonly ingestRetries: Counter;
  readonly presenceReconciled: Counter;
  readonly keepaliveFlushes: Counter;
  readonly keepaliveRows: Counter;
  readonly sseClients: Gauge;
  readonly sseSessionsEnded: Counter<'reason'>;
  readonly sseSessionCheckFailures: Counter;
  readonly playRequests: Counter<'result'>;
  readonly playSessions: Gauge;

  constructor(readonly registry: Registry) {
    this.loginFailures = counter(
      registry,
      'tessera_platform_login_failures_total',
      'Failed logins by reason (unknown-user, bad-password)',
      ['reason'],
    );
    this.loginRefused = counter(
      registry,
      'tessera_platform_login_refused_total',
      'Logins refused before the password was checked (source-rate, source-locked, user-locked, busy)',
      ['reason'],
    );
    this.loginLockouts = counter(
      registry,
      'tessera_platform_login_lockouts_total',
      'Lockouts started by failed logins (source: one address on one username; user: all addresses)',
      ['scope'],
    );
    this.httpRefused = counter(
      registry,
      'tessera_platform_http_refused_total',
      'Requests refused at the HTTP edge (body-too-large, operations-endpoint)',
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
    this.ingestRetries = counter(
      registry,
      'tessera_platform_ingest_retries_total',
      'Inventory writes (events, keepalive batches) that failed on an unreachable database and were retried',
    );
    this.presenceReconciled = counter(
      registry,
      'tessera_platform_presence_reconciled_total',
      'Devices stored online without a keepalive for interval × count, marked offline (restart-reconcile)',
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
    this.sseSessionsEnded = counter(
      registry,
      'tessera_platform_sse_sessions_ended_total',
      'Event streams ended because their token was revoked or expired',
      ['reason'],
    );
    this.sseSessionCheckFailures = counter(
      registry,
      'tessera_platform_sse_session_check_failures_total',
      'Event-stream session checks the database did not answer (the stream stays until a check decides)',
    );
  }
}
