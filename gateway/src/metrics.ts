import { Counter, Gauge, type Registry } from 'prom-client';

export type RegistrationResult =
  | 'registered'
  | 'refreshed'
  | 'unregistered'
  | 'challenged'
  | 'stale'
  | 'wrong-password'
  | 'locked-out'
  | 'not-admitted'
  | 'disabled'
  | 'bad-request'
  | 'unavailable'
  /** Turned away by a source-wide or the global failure ceiling (AuthLockout). */
  | 'throttled'
  /** A (nonce, nc) seen before: re-challenged. */
  | 'replay'
  /** A used nonce for another Expires (an unregister included), or one the store forgot: re-challenged. */
  | 'rechallenged'
  /** Too many new device IDs from one source address: 503 with Retry-After. */
  | 'rate-limited'
  /** The device's stored HA1 is for another realm (the SIP ID changed): 403 until its password is set again. */
  | 'realm-mismatch'
  /** An SM3 digest from a device whose stored password has no SM3 HA1 (set before SM3): MD5 asked, or 403. */
  | 'no-sm3-digest';

/** The gateway's Prometheus metrics, registered into the registry the process serves at /metrics. */
export class GatewayMetrics {
  readonly registrations: Counter<'result'>;
  readonly authFailures: Counter<'reason'>;
  /** Used nonces forgotten before they expired, to keep the replay store bounded (NonceUses). */
  readonly nonceUsesEvicted: Counter;
  readonly keepalives: Counter<'result'>;
  readonly manscdpMessages: Counter<'kind'>;
  readonly manscdpErrors: Counter<'reason'>;
  readonly deviceQueries: Counter<'query' | 'result'>;
  /** Requests naming a registered device (or an upper) that came from another address: refused 403. */
  readonly sourceMismatches: Counter<'method' | 'peer'>;
  /** Cascade (lower side): catalog items sent to uppers, NOTIFYs, alarms, relays, link state changes. */
  readonly cascadeCatalogItems: Counter;
  readonly cascadeNotifies: Counter<'result'>;
  readonly cascadeAlarms: Counter<'result'>;
  readonly cascadeRelays: Counter<'outcome'>;
  readonly cascadeLinkChanges: Counter<'state'>;
  /** Replicas: devices this replica took from another (its packets came here, a command, a dead replica's). */
  readonly deviceTakeovers: Counter<'how'>;
  /** Replicas: device commands passed on to the replica that owns the device. */
  readonly commandsForwarded: Counter<'command'>;

  constructor(
    registry: Registry,
    sources: {
      devicesOnline: () => number;
      sip: () => SipCounters;
      /** Upper links per state (disabled, registering, registered, failed). */
      cascadeLinks?: () => Record<string, number>;
      /** SIP TCP connections closed by a limit: perSource, total (at accept), incomplete (no message in time). */
      tcpRefusals?: () => Record<string, number>;
      /** The event outbox: reports waiting for the bus, and those dropped because it was full. */
      events?: () => { pending: number; dropped: number };
    },
  ) {
    const registers = [registry];
    this.registrations = new Counter({
      name: 'tessera_gateway_registrations_total',
      help: 'REGISTER requests by outcome',
      labelNames: ['result'],
      registers,
    });
    this.authFailures = new Counter({
      name: 'tessera_gateway_auth_failures_total',
      help: 'Digest authentication failures by reason',
      labelNames: ['reason'],
      registers,
    });
    this.nonceUsesEvicted = new Counter({
      name: 'tessera_gateway_nonce_uses_evicted_total',
      help: 'Used digest nonces forgotten before expiry to bound the replay store (each costs a device one more challenge)',
      registers,
    });
    this.keepalives = new Counter({
      name: 'tessera_gateway_keepalives_total',
      help: 'Keepalive notifications by outcome (ok, unregistered, wrong-source)',
      labelNames: ['result'],
      registers,
    });
    this.manscdpMessages = new Counter({
      name: 'tessera_gateway_manscdp_messages_total',
      help: 'MANSCDP bodies received by kind',
      labelNames: ['kind'],
      registers,
    });
    this.manscdpErrors = new Counter({
      name: 'tessera_gateway_manscdp_errors_total',
      help: 'MANSCDP bodies rejected, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.deviceQueries = new Counter({
      name: 'tessera_gateway_device_queries_total',
      help: 'Queries sent to devices (catalog, device-info, device-status, subscribe) by result',
      labelNames: ['query', 'result'],
      registers,
    });
    this.sourceMismatches = new Counter({
      name: 'tessera_gateway_source_mismatch_total',
      help: 'Requests for a registered device or an upper from another address than its own, refused 403 (method, peer: device|upper)',
      labelNames: ['method', 'peer'],
      registers,
    });
    this.cascadeCatalogItems = new Counter({
      name: 'tessera_gateway_cascade_catalog_items_sent_total',
      help: 'Catalog items sent to upper platforms in Catalog responses',
      registers,
    });
    this.cascadeNotifies = new Counter({
      name: 'tessera_gateway_cascade_notifies_total',
      help: 'Catalog NOTIFYs to subscribed upper platforms by result (sent, refused, failed)',
      labelNames: ['result'],
      registers,
    });
    this.cascadeAlarms = new Counter({
      name: 'tessera_gateway_cascade_alarms_forwarded_total',
      help: 'Device alarms forwarded to upper platforms by result (sent, refused, failed)',
      labelNames: ['result'],
      registers,
    });
    this.cascadeRelays = new Counter({
      name: 'tessera_gateway_cascade_relays_total',
      help: 'INVITEs from upper platforms by outcome (opened, refused, bad-offer, unsupported, failed, cancelled)',
      labelNames: ['outcome'],
      registers,
    });
    this.cascadeLinkChanges = new Counter({
      name: 'tessera_gateway_cascade_link_changes_total',
      help: 'Upper link state changes by new state',
      labelNames: ['state'],
      registers,
    });
    this.deviceTakeovers = new Counter({
      name: 'tessera_gateway_device_takeovers_total',
      help: 'Devices taken from another gateway replica: packet (its packets reach us now), command, adopted (the owner died)',
      labelNames: ['how'],
      registers,
    });
    this.commandsForwarded = new Counter({
      name: 'tessera_gateway_commands_forwarded_total',
      help: 'Device commands passed on to the gateway replica that owns the device',
      labelNames: ['command'],
      registers,
    });
    new Gauge({
      name: 'tessera_gateway_cascade_links',
      help: 'Upper platform links by state',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = sources.cascadeLinks?.() ?? {};
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'tessera_sip_tcp_connections_refused_total',
      help: 'SIP TCP connections closed by a limit (per-source, total at accept; incomplete: no full message in time)',
      labelNames: ['reason'],
      registers,
      collect() {
        // perSource → per-source: label values are kebab-case like the others.
        for (const [key, count] of Object.entries(sources.tcpRefusals?.() ?? {}))
          this.set({ reason: key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`) }, count);
      },
    });
    new Gauge({
      name: 'tessera_gateway_events_pending',
      help: 'Reports waiting for the bus (non-zero while Redis is unreachable)',
      registers,
      collect() {
        this.set(sources.events?.().pending ?? 0);
      },
    });
    new Gauge({
      name: 'tessera_gateway_events_dropped_total',
      help: 'Reports dropped because the outbox was full during a long bus outage (the presence reconcile settles them)',
      registers,
      collect() {
        this.set(sources.events?.().dropped ?? 0);
      },
    });
    new Gauge({
      name: 'tessera_gateway_devices_online',
      help: 'Devices online at this gateway',
      registers,
      collect() {
        this.set(sources.devicesOnline());
      },
    });
    const sipGauge = (name: string, help: string, pick: (c: SipCounters) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(pick(sources.sip()));
        },
      });
    // Counters kept by the SIP stack itself; exported as gauges of monotonic values (collected on scrape).
    sipGauge('tessera_sip_messages_received_total', 'SIP messages parsed off the wire', (c) => c.received);
    sipGauge('tessera_sip_messages_sent_total', 'SIP messages written to the wire', (c) => c.sent);
    sipGauge(
      'tessera_sip_parse_errors_total',
      'Inbound datagrams/messages that were not valid SIP',
      (c) => c.parseErrors,
    );
    sipGauge('tessera_sip_retransmissions_total', 'Retransmissions sent', (c) => c.retransmissions);
    sipGauge(
      'tessera_sip_transaction_timeouts_total',
      'Client transactions without a final response',
      (c) => c.timeouts,
    );
  }
}

export interface SipCounters {
  received: number;
  sent: number;
  parseErrors: number;
  retransmissions: number;
  timeouts: number;
}
