import { networkInterfaces } from 'node:os';
import type {
  Bus,
  CommandRequest,
  CommandResponse,
  DevicePolicyChanged,
  KeyValueStore,
  LeaseStore,
} from '@tessera/contracts';
import { type Clock, type Logger, systemClock, type TimerHandle } from '@tessera/kit';
import { Registry } from 'prom-client';
import { Cascade } from './cascade';
import type { GatewayConfig } from './config';
import { AuthLockout } from './device/auth-lockout';
import { SharedAuthLockout } from './device/shared-auth-lockout';
import { SharedNonceUses } from './device/shared-nonce-uses';
import { DevicePolicySource } from './device/device-policy';
import { DeviceQueries } from './device/device-queries';
import { DeviceRequests } from './device/device-requests';
import { DeviceSubscriptions, namesDialog } from './device/device-subscriptions';
import { EventOutbox } from './device/event-outbox';
import { fromRegisteredAddress } from './device/device-source';
import { ManscdpInbox } from './device/manscdp-inbox';
import { NewDeviceRate } from './device/new-device-rate';
import { PresenceTracker } from './device/presence';
import { Registrar } from './device/registrar';
import { CatalogAggregator } from '@tessera/gb28181';
import { KeyValueDialogRecords } from './dialog-records';
import { GatewayMetrics } from './metrics';
import { CallManager } from './play';
import { DeviceRouter } from './replica/device-router';
import { DeviceTakeover } from './replica/device-takeover';
import { NodeLease } from './replica/node-lease';
import {
  type Dialog,
  type DialogHandler,
  DialogStore,
  HmacNonceIssuer,
  type SipRequest,
  listenOnOnePort,
  parseNameAddr,
  SipEndpoint,
  TcpTransport,
  UdpTransport,
} from '@tessera/sip';

export interface GatewayOptions {
  config: GatewayConfig;
  bus: Bus;
  store: KeyValueStore;
  logger: Logger;
  clock?: Clock;
  /** Registry served at /metrics; the gateway registers its metrics there. */
  metricsRegistry?: Registry;
  /** Nonce HMAC key shared by replicas behind one address. */
  nonceSecret?: string;
  /**
   * Replicas: the leases that give each device, upper link and replica one owner (docs/ARCHITECTURE.md "Gateway
   * replicas"). Absent: one gateway, which owns everything.
   */
  leases?: LeaseStore;
  /** This replica's node id (kit `nodeId()`); commands for its devices are addressed to it. */
  node?: string;
}

/**
 * The GB/T 28181 gateway: SIP over UDP and TCP on one port, device registration and presence, MANSCDP queries and
 * notifications, and the bus commands the platform sends (catalog refresh, device info, device status).
 */
export class Gateway {
  readonly endpoint: SipEndpoint;
  readonly presence: PresenceTracker;
  readonly queries: DeviceQueries;
  /** Our catalog subscriptions at devices (their NOTIFYs routed by dialog ID). */
  readonly subscriptions: DeviceSubscriptions;
  /** INVITE dialogs (live play, playback, download). */
  readonly calls: CallManager;
  /** This gateway as a lower platform: links to upper platforms and what they ask of us. */
  readonly cascade: Cascade;
  readonly metrics: GatewayMetrics;
  readonly metricsRegistry: Registry;
  readonly #opts: GatewayOptions;
  readonly #udp: UdpTransport;
  readonly #tcp: TcpTransport;
  /** What the gateway reports to the platform waits here while the bus is unreachable (Redis outage). */
  readonly #events: EventOutbox;
  readonly #catalogs: CatalogAggregator;
  readonly #policies: DevicePolicySource;
  readonly #unsubscribe: (() => Promise<void>)[] = [];
  /** Replicas only: this replica's liveness, and the adoption of a dead one's devices. */
  readonly #nodes: NodeLease | undefined;
  readonly #takeover: DeviceTakeover | undefined;
  readonly #router: DeviceRouter;
  /**
   * Replicas sharing the SIP port: the cascade's own endpoint on a port of this replica's. A UDP response goes to
   * whichever socket of the shared port the kernel picks, not to the replica that sent the request, so an upper
   * link registered from the shared port would never see its 200 at another replica; from its own port the link,
   * the upper's requests and their dialogs all reach the replica holding it (`upper:<id>` lease).
   */
  readonly #cascadeSip: { endpoint: SipEndpoint; udp: UdpTransport; tcp: TcpTransport } | undefined;
  #cascadePort = 0;
  #tcpRetry: TimerHandle | undefined;
  #port = 0;
  #closing: Promise<void> | undefined;

  private constructor(options: GatewayOptions) {
    this.#opts = options;
    const { config, bus, store, logger } = options;
    const clock = options.clock ?? systemClock;
    this.metricsRegistry = options.metricsRegistry ?? new Registry();
    this.#udp = new UdpTransport({});
    this.#tcp = new TcpTransport({
      clock,
      maxConnectionsPerSource: config.tcpMaxPerSource,
      maxConnections: config.tcpMaxConnections,
      incompleteTimeoutMs: config.tcpIncompleteTimeoutSec * 1000,
    });
    this.endpoint = new SipEndpoint({
      transports: [this.#udp, this.#tcp],
      clock,
      timers: { t1: config.t1Ms },
      viaHost: this.publicHost(),
      userAgent: 'Tessera',
      // Play calls, relays and subscriptions: their records in the shared store let another replica end them.
      dialogs: new DialogStore({
        persistence: new KeyValueDialogRecords(store, config.sipId),
        onPersistError: (error, id) =>
          logger.warn({ err: error, callId: id.callId }, 'dialog record not written or deleted'),
      }),
      // RFC 3261 §12.2.2: an in-dialog request of no dialog here is 481 (a NOTIFY too, RFC 6665 §4.1.3), unless it
      // names a subscription another replica kept in the store, which is taken over. MESSAGE is outside any dialog
      // in GB/T 28181 (keepalives, answers): a To-tag on one (some devices copy ours) must not lose it.
      unknownDialogs: 'reject',
      passUnknownDialogMethods: ['MESSAGE'],
      adoptDialog: (request) => this.#adoptDialog(request),
    });
    // One outbox for everything the gateway reports, so that after a Redis outage the platform gets it in the
    // order it happened (a registration before the catalog it triggered, a call's end after its start).
    this.#events = new EventOutbox({ bus, clock, logger: logger.child({ component: 'event-outbox' }) });
    this.presence = new PresenceTracker({
      outbox: this.#events,
      clock,
      store,
      logger: logger.child({ component: 'presence' }),
      keyPrefix: config.sipId,
      reportEveryMs: config.keepaliveReportSec * 1000,
      node: options.node,
      restore: options.leases ? 'own' : 'all',
    });
    if (options.leases) {
      this.#nodes = new NodeLease({
        leases: options.leases,
        store,
        node: this.presence.node,
        keyPrefix: config.sipId,
        ttlMs: config.leaseTtlMs,
        clock,
        logger: logger.child({ component: 'node-lease' }),
      });
      this.#takeover = new DeviceTakeover({
        nodes: this.#nodes,
        leases: options.leases,
        presence: this.presence,
        keyPrefix: config.sipId,
        clock,
        logger: logger.child({ component: 'device-takeover' }),
        onAdopted: (_node, devices) => this.metrics.deviceTakeovers.inc({ how: 'adopted' }, devices),
      });
    }
    this.metrics = new GatewayMetrics(this.metricsRegistry, {
      devicesOnline: () => this.presence.size,
      sip: () => this.endpoint.stats,
      cascadeLinks: () => this.cascade.links.counts(),
      tcpRefusals: () => ({ ...this.#tcp.refusals }),
      events: () => ({ pending: this.#events.pending, dropped: this.#events.dropped }),
    });
    this.#router = new DeviceRouter({
      bus,
      store,
      presence: this.presence,
      nodes: this.#nodes,
      keyPrefix: config.sipId,
      logger: logger.child({ component: 'device-router' }),
      forwardTimeoutMs: Math.max(30_000, config.cascadeRelayTimeoutMs),
      metrics: this.metrics,
    });
    const requests = new DeviceRequests({
      endpoint: this.endpoint,
      clock,
      platformId: config.sipId,
      realm: config.realm,
      contactHost: () => `${this.publicHost()}:${this.#port}`,
    });
    this.#catalogs = new CatalogAggregator({
      clock,
      idleTimeoutMs: config.catalogTimeoutMs,
      onUnsolicited: (result) =>
        this.#events.publish('catalog.received', {
          deviceId: result.deviceId,
          sn: result.sn,
          sumNum: result.sumNum ?? result.items.length,
          complete: result.complete,
          items: result.items,
          at: new Date(clock.now()).toISOString(),
        }),
    });
    this.subscriptions = new DeviceSubscriptions({
      endpoint: this.endpoint,
      requests,
      clock,
      logger: logger.child({ component: 'subscriptions' }),
      metrics: this.metrics,
      presence: (deviceId) => this.presence.get(deviceId),
      // The inbox is made below; a NOTIFY can only come after a SUBSCRIBE, long after this constructor.
      onNotify: (request, context) => inbox.handle(request, context),
    });
    this.queries = new DeviceQueries({
      outbox: this.#events,
      requests,
      subscriptions: this.subscriptions,
      presence: this.presence,
      catalogs: this.#catalogs,
      clock,
      logger,
      metrics: this.metrics,
      platformId: config.sipId,
      replyTimeoutMs: config.catalogTimeoutMs,
    });
    this.#policies = new DevicePolicySource({ bus, clock, logger });
    const lockoutOptions = {
      clock,
      maxFailures: config.authMaxFailures,
      windowMs: 60_000,
      lockMs: config.authLockoutSec * 1000,
      maxLockMs: 3_600_000,
      maxFailuresPerSource: config.authMaxFailuresPerSource,
      maxFailuresGlobal: config.authMaxFailuresGlobal,
    };
    const nonceTtlMs = config.nonceTtlSec * 1000;
    // Replicas share used nonces and failure counts through the store: a REGISTER's credentials used at one are a
    // replay at the others, and guesses spread over them count once (docs/ARCHITECTURE.md "Registration and
    // admission"). One gateway keeps both in process.
    const lockout = options.leases
      ? new SharedAuthLockout(store, lockoutOptions)
      : new AuthLockout(lockoutOptions);
    const nonceUses = options.leases ? new SharedNonceUses(store, nonceTtlMs) : undefined;
    const registrar = new Registrar({
      realm: config.realm,
      defaultPassword: config.defaultPassword,
      digestAlgorithms: config.digestAlgorithms,
      admission: config.admission,
      keepaliveIntervalSec: config.keepaliveIntervalSec,
      keepaliveCount: config.keepaliveCount,
      deviceUtcOffsetMinutes: config.deviceUtcOffsetMinutes,
      nonces: new HmacNonceIssuer({ clock, secret: options.nonceSecret, ttlMs: nonceTtlMs }),
      lockout,
      nonceUses,
      newDevices: new NewDeviceRate({ clock, perSource: config.newDevicesPerSourcePerMin, windowMs: 60_000 }),
      policies: this.#policies,
      presence: this.presence,
      clock,
      logger: logger.child({ component: 'registrar' }),
      metrics: this.metrics,
      onNewRegistration: (deviceId) => {
        if (config.interrogateOnRegister) this.#interrogate(deviceId);
      },
    });
    this.calls = new CallManager({
      endpoint: this.endpoint,
      // A call's end must reach the platform even through a Redis outage, or its session would look alive.
      bus: this.#events.asPublisher(),
      clock,
      logger: logger.child({ component: 'calls' }),
      platformId: config.sipId,
      realm: config.realm,
      contactHost: () => `${this.publicHost()}:${this.#port}`,
      locate: (deviceId) => {
        const record = this.presence.get(deviceId);
        return record ? requests.remoteOf(record) : undefined;
      },
      // A call's BYE/INFO is the device's only from where it registered (device-source.ts); else 403, counted.
      fromDevice: (deviceId, request, source) => {
        const record = this.presence.get(deviceId);
        if (record && fromRegisteredAddress(record.remote, source)) return true;
        this.metrics.sourceMismatches.inc({ method: request.method, peer: 'device' });
        return false;
      },
    });
    if (config.sharedPort) {
      const udp = new UdpTransport({});
      const tcp = new TcpTransport({
        clock,
        maxConnectionsPerSource: config.tcpMaxPerSource,
        maxConnections: config.tcpMaxConnections,
        incompleteTimeoutMs: config.tcpIncompleteTimeoutSec * 1000,
      });
      // As the main endpoint: relays' and subscriptions' dialogs are dispatched by the dialog layer; one another
      // replica answered before it died is continued from its record (`Cascade.adoptDialog`).
      const endpoint = new SipEndpoint({
        transports: [udp, tcp],
        clock,
        timers: { t1: config.t1Ms },
        viaHost: this.publicHost(),
        userAgent: 'Tessera',
        dialogs: new DialogStore({
          persistence: new KeyValueDialogRecords(store, config.sipId),
          onPersistError: (error, id) =>
            logger.warn({ err: error, callId: id.callId }, 'dialog record not written or deleted'),
        }),
        unknownDialogs: 'reject',
        passUnknownDialogMethods: ['MESSAGE'],
        adoptDialog: (request) => this.cascade.adoptDialog(request),
      });
      endpoint.onRequest(async (request, context) => {
        if (this.cascade.handles(request)) return this.cascade.handle(request, context);
        context.respond(403, 'Forbidden');
      });
      this.#cascadeSip = { endpoint, udp, tcp };
    }
    this.cascade = new Cascade({
      endpoint: this.#cascadeSip?.endpoint ?? this.endpoint,
      bus,
      clock,
      logger: logger.child({ component: 'cascade' }),
      metrics: this.metrics,
      contactHost: () => `${this.publicHost()}:${this.#cascadePort || this.#port}`,
      forwardControl: (deviceId, channelId, control) =>
        this.queries.forwardControl(deviceId, channelId, control),
      recordInfo: (deviceId, channelId, search) => this.queries.recordInfo(deviceId, channelId, search),
      identity: { name: 'Tessera', manufacturer: 'Tessera', model: 'platform', firmware: GATEWAY_VERSION },
      relayOpenTimeoutMs: config.cascadeRelayTimeoutMs,
      dialogRecords: new KeyValueDialogRecords(store, config.sipId),
      linkOwnership: options.leases && {
        leases: options.leases,
        node: this.presence.node,
        keyPrefix: config.sipId,
        ttlMs: config.leaseTtlMs,
      },
    });
    const inbox = new ManscdpInbox({
      presence: this.presence,
      queries: this.queries,
      requests,
      metrics: this.metrics,
      logger: logger.child({ component: 'manscdp' }),
      onAlarm: (fromDevice, alarm) => this.cascade.alarm(fromDevice, alarm),
    });
    // Requests inside a dialog (play calls, relays, subscriptions) never get here: the endpoint routes them to their
    // dialog by dialog ID. What comes here starts something, or is a device's MESSAGE/NOTIFY.
    this.endpoint.onRequest(async (request, context) => {
      // Upper platforms first (their From is an upper's ID); everything else is a device, handled as before.
      if (this.cascade.handles(request)) return this.cascade.handle(request, context);
      switch (request.method) {
        case 'REGISTER':
          return registrar.handle(request, context);
        case 'MESSAGE':
        // A NOTIFY here has no To-tag: the device sends its catalog changes outside any dialog (ops' simulator
        // does); one in a subscription's dialog went to DeviceSubscriptions.
        case 'NOTIFY':
          return inbox.handle(request, context);
        case 'BYE':
        case 'INFO':
          // Without a To-tag: part of no dialog (RFC 3261 §15.1.2: "the UAS … SHOULD generate a 481").
          context.respond(481, 'Call/Transaction Does Not Exist');
          return;
        case 'OPTIONS':
          context.respond(200, 'OK', { headers: [['Allow', ALLOW]] });
          return;
        default:
          context.respond(405, 'Method Not Allowed', { headers: [['Allow', ALLOW]] });
      }
    });
    this.#tcp.on('connectionClosed', ({ connectionId }) => {
      this.presence.connectionClosed(connectionId).catch((error: unknown) => {
        logger.error({ err: error }, 'offline on connection close failed');
      });
    });
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(options);
    await gateway.#listen();
    return gateway;
  }

  /** The SIP port (UDP and TCP). */
  get port(): number {
    return this.#port;
  }

  /** Address devices reach us at (Via, Contact). */
  publicHost(): string {
    const { config } = this.#opts;
    if (config.publicHost) return config.publicHost;
    if (config.host !== '0.0.0.0' && config.host !== '::') return config.host;
    return firstExternalIPv4() ?? '127.0.0.1';
  }

  async #listen(): Promise<void> {
    const { config, bus, logger } = this.#opts;
    if (config.sharedPort) {
      // Replicas on one host: UDP shared at once; TCP too where Node has SO_REUSEPORT, else the replica that
      // cannot take it stands by until the one holding it goes (`@tessera/sip` shared-port.ts).
      const bound = await this.#udp.listen({ host: config.host, port: config.port, shared: true });
      this.#port = bound.port;
      await this.#listenTcpShared();
    } else {
      const bound = await listenOnOnePort(this.#udp, this.#tcp, { host: config.host, port: config.port });
      this.#port = bound.port;
    }
    if (this.#cascadeSip) {
      const { udp, tcp } = this.#cascadeSip;
      this.#cascadePort = (await listenOnOnePort(udp, tcp, { host: config.host, port: 0 })).port;
    }
    await this.presence.start();
    await this.#nodes?.start();
    await this.#takeover?.start();
    const router = this.#router;
    const node = this.presence.node;
    // Each device command twice: from the shared queue (passed on to the device's owner) and addressed to this
    // replica (served here). One gateway has only the first, served here.
    const device = async <C extends DeviceCommand>(
      command: C,
      serve: (request: CommandRequest<C>) => Promise<CommandResponse<C>>,
    ) => {
      this.#unsubscribe.push(
        await bus.handle(command, (request) =>
          router.serve(command, request, request.deviceId, () => serve(request)),
        ),
      );
      if (this.#nodes) {
        this.#unsubscribe.push(
          await bus.handle(command, (request) => router.here(request.deviceId, () => serve(request)), {
            node,
          }),
        );
      }
    };
    await device('gateway.catalog-query', ({ deviceId }) => this.queries.catalog(deviceId));
    await device('gateway.device-info-query', ({ deviceId }) => this.queries.deviceInfo(deviceId));
    await device('gateway.device-status-query', ({ deviceId }) => this.queries.deviceStatus(deviceId));
    await device('gateway.keyframe', ({ deviceId, channelId }) => this.queries.keyframe(deviceId, channelId));
    await device('gateway.ptz', ({ deviceId, channelId, command }) =>
      this.queries.ptz(deviceId, channelId, command),
    );
    await device('gateway.invite', async (request) => {
      const result = await this.calls.invite(request);
      if (result.ok) {
        await router.callStarted(result.callId).catch((error: unknown) => {
          logger.warn({ err: error, callId: result.callId }, 'call owner not recorded');
        });
      }
      return result;
    });
    const bye = ({ callId }: { callId: string }) => this.calls.bye(callId);
    this.#unsubscribe.push(
      await bus.handle('gateway.bye', (request) =>
        router.bye(request, this.calls.get(request.callId) !== undefined, () => bye(request)),
      ),
    );
    if (this.#nodes) this.#unsubscribe.push(await bus.handle('gateway.bye', bye, { node }));
    this.#unsubscribe.push(
      // Every replica sees every offline event (no shared group): each ends the calls it holds.
      await bus.subscribe('device.offline', ({ deviceId }) => {
        this.calls.deviceOffline(deviceId);
        this.subscriptions.deviceOffline(deviceId);
      }),
      // Every replica: a call another replica ended from its record (`hung-up`) is forgotten by the one holding it.
      await bus.subscribe('gateway.call-ended', ({ callId }) => this.calls.endedElsewhere(callId)),
      // Every replica too: the one the device registered at applies the new keepalive to the live record.
      await bus.subscribe('inventory.device-policy-changed', (change) => this.#policyChanged(change)),
    );
    // After listening: the links' Contact names our port.
    await this.cascade.start();
    logger.info(
      { port: this.#port, host: config.host, sipId: config.sipId, realm: config.realm },
      'gateway listening',
    );
  }

  /**
   * A NOTIFY naming no dialog held here: a catalog subscription another replica (or this process before a restart)
   * made and kept in the store is continued here when its device is (`DeviceSubscriptions.adopt`); else 481.
   */
  async #adoptDialog(request: SipRequest): Promise<{ dialog: Dialog; handler: DialogHandler } | undefined> {
    // An upper's relay or subscription (one gateway: the cascade shares this endpoint).
    if (!this.#cascadeSip && this.cascade.handles(request)) return this.cascade.adoptDialog(request);
    if (request.method !== 'NOTIFY' || !this.endpoint.dialogs.persistent) return undefined;
    // Only a device held here can have a subscription to take over: a stray NOTIFY costs no store read.
    const deviceId = readUser(request.headers.get('From') ?? '');
    if (deviceId === undefined || this.presence.get(deviceId) === undefined) return undefined;
    const stored = await this.endpoint.dialogs.load(request.headers.get('Call-ID') ?? '');
    const dialog = stored.find((candidate) => namesDialog(request, candidate));
    return dialog && this.subscriptions.adopt(dialog);
  }

  async #listenTcpShared(): Promise<void> {
    const { config, clock, logger } = this.#opts;
    if (this.#closing) return;
    try {
      await this.#tcp.listen({ host: config.host, port: this.#port, shared: true });
      if (this.#tcpRetry !== undefined) logger.info({ port: this.#port }, 'SIP TCP port taken over');
      this.#tcpRetry = undefined;
    } catch (error) {
      if (this.#tcpRetry === undefined) {
        const reason = error instanceof Error ? error.message : String(error);
        logger.info({ port: this.#port, reason }, 'SIP TCP port held by another replica: standing by');
      }
      this.#tcpRetry = (clock ?? systemClock).setTimeout(
        () => void this.#listenTcpShared(),
        TCP_STANDBY_RETRY_MS,
      );
    }
  }

  /**
   * An admin changed a device's settings: the cached policy is forgotten (the next REGISTER reads the new password,
   * charset, admission), and a new keepalive interval/count applies to the live record now (null = our default).
   */
  async #policyChanged(change: DevicePolicyChanged): Promise<void> {
    const { config, logger } = this.#opts;
    this.#policies.invalidate(change.deviceId);
    const applied = await this.presence.keepalivePolicy(change.deviceId, {
      keepaliveIntervalSec: change.keepaliveIntervalSec ?? config.keepaliveIntervalSec,
      keepaliveCount: change.keepaliveCount ?? config.keepaliveCount,
    });
    if (applied) logger.info({ deviceId: change.deviceId }, 'keepalive policy applied to the live device');
  }

  /** After a device comes online: its catalog, its identity, then a catalog subscription, one after the other. */
  #interrogate(deviceId: string): void {
    const { logger } = this.#opts;
    void (async () => {
      for (const [what, step] of [
        ['catalog', () => this.queries.catalog(deviceId)],
        ['device-info', () => this.queries.deviceInfo(deviceId)],
        ['subscribe', () => this.queries.subscribeCatalog(deviceId)],
      ] as const) {
        if (this.#closing) return;
        try {
          await step();
        } catch (error) {
          this.metrics.deviceQueries.inc({ query: what, result: 'failed' });
          logger.info({ deviceId, step: what, err: error }, 'device query failed');
        }
      }
    })();
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#tcpRetry !== undefined) (this.#opts.clock ?? systemClock).clearTimeout(this.#tcpRetry);
      for (const unsubscribe of this.#unsubscribe.splice(0)) await unsubscribe();
      this.#takeover?.close();
      // Given back, not left to expire: the other replicas adopt this one's devices at once.
      await this.#nodes?.close();
      this.presence.close();
      this.queries.close();
      this.subscriptions.close();
      this.#catalogs.close();
      // Before the endpoint: the BYEs and the unregisters need it.
      await this.cascade.close();
      await this.#cascadeSip?.endpoint.close();
      await this.calls.close();
      await this.endpoint.close();
      this.#events.close();
    })();
    return this.#closing;
  }
}

/** Commands about one device, served by the replica that owns it. */
type DeviceCommand =
  | 'gateway.catalog-query'
  | 'gateway.device-info-query'
  | 'gateway.device-status-query'
  | 'gateway.keyframe'
  | 'gateway.ptz'
  | 'gateway.invite';

/** How often a replica standing by for the shared SIP TCP port tries to listen on it. */
const TCP_STANDBY_RETRY_MS = 1_000;

/** Methods we answer; ACK and CANCEL are the endpoint's. */
const ALLOW = 'REGISTER, MESSAGE, NOTIFY, OPTIONS, BYE, INFO';

/** Reported to upper platforms as our firmware (DeviceInfo). */
const GATEWAY_VERSION = '0.1.0';

/** The user part of a From header field; undefined when it has none or cannot be read. */
function readUser(nameAddr: string): string | undefined {
  try {
    return parseNameAddr(nameAddr).uri.user ?? undefined;
  } catch {
    return undefined;
  }
}

function firstExternalIPv4(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return undefined;
}
