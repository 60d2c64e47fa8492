import type { Bus, Unsubscribe } from '@tessera/contracts';
import type { BackoffOptions, Clock, Logger, TimerHandle } from '@tessera/kit';
import type { ForwardedControl, RecordSearch, RecordSearchResult } from '../device/device-queries';
import type { AlarmNotify } from '@tessera/gb28181';
import type { GatewayMetrics } from '../metrics';
import {
  Dialog,
  type DialogHandler,
  getCallId,
  getFrom,
  getTo,
  type RequestContext,
  type SipEndpoint,
  type SipRequest,
} from '@tessera/sip';
import { namesDialog } from '../device/device-subscriptions';
import type { KeyValueDialogRecords } from '../dialog-records';
import { AlarmForwarder } from './alarm-forwarder';
import { CATALOG_SUBSCRIPTION, CatalogSubscriptions } from './catalog-subscriptions';
import { RELAY, Relays } from './relays';
import { diffCatalogs, SharedCatalogs } from './shared-catalogs';
import { type PlatformIdentity, UpperInbox } from './upper-inbox';
import type { UpperLink } from './upper-link';
import { UpperLinks, type UpperLinksOptions } from './upper-links';
import { UpperRequests } from './upper-requests';

export interface CascadeOptions {
  endpoint: Pick<SipEndpoint, 'request' | 'openDialog' | 'closeDialog' | 'releaseDialog'>;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  metrics?: GatewayMetrics;
  /** `host:port` uppers reach us at (Contact). */
  contactHost: () => string;
  forwardControl: (
    deviceId: string,
    channelId: string,
    control: ForwardedControl,
  ) => Promise<{ status: number; result: string | null }>;
  /** DeviceQueries.recordInfo: an upper's RecordInfo for a shared channel searched on the device (else SumNum 0). */
  recordInfo?: (deviceId: string, channelId: string, search: RecordSearch) => Promise<RecordSearchResult>;
  identity: PlatformIdentity;
  /** Deadline of `cascade.relay-open`. */
  relayOpenTimeoutMs: number;
  backoff?: BackoffOptions;
  /** Gateway replicas: one registers each upper link (`UpperLinks` ownership). */
  linkOwnership?: UpperLinksOptions['ownership'];
  /**
   * The store the cascade endpoint's dialog records are kept in: a replica that takes an upper link continues the
   * relays and subscriptions its dead holder answered (`takeOver`, `adoptDialog`). Absent: they end with the holder.
   */
  dialogRecords?: Pick<KeyValueDialogRecords, 'load' | 'loadWhere'>;
}

/** Changes to what uppers see come in bursts (one per device catalog): wait this long for the rest. */
const SHARES_COALESCE_MS = 300;

/** Methods an upper may send us; ACK and CANCEL are the endpoint's. */
const ALLOW = 'MESSAGE, SUBSCRIBE, INVITE, BYE, INFO, OPTIONS';

/**
 * This Tessera as a lower platform (GB/T 28181 §9 cascade, notes §1.8): the links to the uppers it registers to, and
 * everything the uppers ask of it over those links — catalog, queries, control, subscription, live video — plus the
 * alarms it passes up. New requests are recognised by their From user being an upper's ID; requests inside the
 * relays' and subscriptions' dialogs reach those by dialog ID (the endpoint's dialog layer), checked by `#admit`.
 */
export class Cascade {
  readonly links: UpperLinks;
  readonly catalogs: SharedCatalogs;
  readonly relays: Relays;
  readonly subscriptions: CatalogSubscriptions;
  readonly #o: CascadeOptions;
  readonly #inbox: UpperInbox;
  readonly #alarms: AlarmForwarder;
  readonly #unsubscribe: Unsubscribe[] = [];
  #closing: Promise<void> | undefined;
  #pendingShares: 'all' | Set<string> = new Set();
  #sharesTimer: TimerHandle | undefined;

  constructor(options: CascadeOptions) {
    this.#o = options;
    const { endpoint, bus, clock, logger, metrics, contactHost } = options;
    this.links = new UpperLinks({
      bus,
      endpoint,
      clock,
      logger: logger.child({ component: 'upper-links' }),
      contactHost,
      backoff: options.backoff,
      ownership: options.linkOwnership,
      onChange: (change) => {
        metrics?.cascadeLinkChanges.inc({ state: change.state });
        // Subscriptions belong to a registration: an upper that lost us subscribes again after re-registering.
        if (change.state !== 'registered' && change.state !== 'registering') {
          this.subscriptions.dropLink(change.upperId);
        }
      },
      onRemoved: (upperId) => this.subscriptions.dropLink(upperId),
      onTaken: (upperId) => void this.#takeOver(upperId),
      // The new holder continues them from their records: no BYE, no un-NOTIFY, nothing deleted from here.
      onLost: (upperId) => {
        this.subscriptions.release(upperId);
        this.relays.release(upperId);
      },
    });
    this.catalogs = new SharedCatalogs({ bus, logger });
    const requests = new UpperRequests({ endpoint, clock, logger });
    this.#inbox = new UpperInbox({
      requests,
      catalogs: this.catalogs,
      forwardControl: options.forwardControl,
      recordInfo: options.recordInfo,
      identity: options.identity,
      logger: logger.child({ component: 'upper-inbox' }),
      onCatalogItemsSent: (count) => metrics?.cascadeCatalogItems.inc(count),
      onManscdpError: (reason) => metrics?.manscdpErrors.inc({ reason }),
    });
    this.subscriptions = new CatalogSubscriptions({
      endpoint,
      catalogs: this.catalogs,
      requests,
      clock,
      logger: logger.child({ component: 'upper-subscriptions' }),
      contactHost,
      onNotify: (result) => metrics?.cascadeNotifies.inc({ result }),
      admit: (upperId, request, context) => this.#admit(upperId, request, context),
    });
    this.relays = new Relays({
      endpoint,
      bus,
      clock,
      logger: logger.child({ component: 'relays' }),
      contactHost,
      openTimeoutMs: options.relayOpenTimeoutMs,
      onOutcome: (outcome) => metrics?.cascadeRelays.inc({ outcome }),
      admit: (upperId, request, context) => this.#admit(upperId, request, context),
    });
    this.#alarms = new AlarmForwarder({
      links: this.links,
      catalogs: this.catalogs,
      requests,
      logger,
      onForwarded: (result) => metrics?.cascadeAlarms.inc({ result }),
    });
  }

  /** Subscribes to the platform's cascade events and loads the links (in the background, retried). */
  async start(): Promise<void> {
    const { bus, logger } = this.#o;
    const guard =
      <T>(what: string, work: (payload: T) => Promise<void> | void) =>
      async (payload: T) => {
        try {
          await work(payload);
        } catch (error) {
          logger.error({ err: error, what }, 'cascade event handling failed');
        }
      };
    // No consumer group: every replica sees every event (each holds its own links, dialogs, subscriptions).
    this.#unsubscribe.push(
      await bus.subscribe(
        'cascade.uppers-changed',
        guard('uppers-changed', () => this.links.reload()),
      ),
      await bus.subscribe(
        'cascade.shares-changed',
        guard('shares-changed', ({ upperId }) => this.#sharesChanged(upperId)),
      ),
      await bus.subscribe(
        'inventory.channel-changed',
        guard('channel-changed', (change) => this.subscriptions.channelChanged(change)),
      ),
      await bus.subscribe(
        'cascade.relay-ended',
        guard('relay-ended', ({ relayId, reason }) => this.relays.relayEnded(relayId, reason)),
      ),
    );
    this.links.start();
  }

  /**
   * Whether a request comes from an upper. Runs for every request the gateway gets, keepalives included, so the
   * common case (no uppers, or a From naming none) costs a string search, not a parse.
   */
  handles(request: SipRequest): boolean {
    if (this.links.size === 0) return false;
    const from = request.headers.get('From');
    if (from === undefined || !this.links.mentionsUpper(from)) return false;
    return this.#linkOf(request) !== undefined;
  }

  async handle(request: SipRequest, context: RequestContext): Promise<void> {
    const link = this.#linkOf(request);
    if (!link || link.state === 'disabled') {
      // The operator switched this upper off: it gets nothing from us, whatever it still believes.
      context.respond(403, 'Forbidden');
      return;
    }
    if (!(await this.#sentBy(link, request, context))) return;
    switch (request.method) {
      case 'MESSAGE':
        this.#inbox.handle(link, request, context);
        return;
      case 'SUBSCRIBE':
        this.subscriptions.handleSubscribe(link, request, context);
        return;
      case 'INVITE':
        return this.relays.handleInvite(link, request, context);
      case 'BYE':
      case 'INFO':
        // Inside a relay's dialog these were routed to it by dialog ID; without a To-tag they belong to none.
        context.respond(481, 'Call/Transaction Does Not Exist');
        return;
      case 'OPTIONS':
        context.respond(200, 'OK', { headers: [['Allow', ALLOW]] });
        return;
      default:
        context.respond(405, 'Method Not Allowed', { headers: [['Allow', ALLOW]] });
    }
  }

  /**
   * An upper's request inside one of its dialogs: the checks its other requests get (the link is on, the request
   * comes from the upper's address). False when answered 403 here.
   */
  async #admit(upperId: string, request: SipRequest, context: RequestContext): Promise<boolean> {
    const link = this.links.get(upperId);
    if (!link || link.state === 'disabled') {
      context.respond(403, 'Forbidden');
      return false;
    }
    return this.#sentBy(link, request, context);
  }

  /**
   * The endpoint's `adoptDialog` hook: a request of an upper whose link this replica holds, in a relay or
   * subscription dialog another replica answered (it died before this one loaded the link's records, or the upper
   * wrote before `takeOver` finished), is continued from the store. Undefined: 481.
   */
  async adoptDialog(request: SipRequest): Promise<{ dialog: Dialog; handler: DialogHandler } | undefined> {
    const records = this.#o.dialogRecords;
    if (records === undefined || this.#closing || !this.handles(request)) return undefined;
    const link = this.#linkOf(request);
    if (!link || !this.links.holds(link.id)) return undefined;
    const stored = await records.load(getCallId(request));
    const record = stored.find((candidate) => namesDialog(request, Dialog.fromRecord(candidate)));
    if (record === undefined) return undefined;
    const dialog = Dialog.fromRecord(record);
    const handler = this.#adopt(link, dialog);
    return handler && { dialog, handler };
  }

  /**
   * This replica took `upper:<id>` (its holder died or lost the lease): the relays and catalog subscriptions the
   * holder answered are held here from their records (docs/ARCHITECTURE.md "Gateway replicas and ownership"), so the
   * upper's next NOTIFY comes in the same dialog and its BYE or refresh is answered, not 481.
   */
  async #takeOver(upperId: string): Promise<void> {
    const records = this.#o.dialogRecords;
    const link = this.links.get(upperId);
    if (records === undefined || link === undefined) return;
    try {
      const stored = await records.loadWhere(
        (data) => data.upperId === upperId && (data.kind === RELAY || data.kind === CATALOG_SUBSCRIPTION),
      );
      let adopted = 0;
      for (const record of stored) {
        // The link changed or went away meanwhile: its dialogs are no longer ours to continue.
        if (this.#closing || this.links.get(upperId) !== link || !this.links.holds(upperId)) return;
        if (this.#adopt(link, Dialog.fromRecord(record))) adopted++;
      }
      if (adopted > 0) this.#o.logger.info({ upper: upperId, adopted }, 'upper link dialogs taken over');
    } catch (error) {
      this.#o.logger.warn({ err: error, upper: upperId }, 'upper link dialogs not taken over');
    }
  }

  #adopt(link: UpperLink, dialog: Dialog): DialogHandler | undefined {
    return this.subscriptions.adopt(link, dialog) ?? this.relays.adopt(link.id, dialog);
  }

  /** An upper's ID is no secret (it is in every catalog we send): only the upper's own address speaks for it. */
  async #sentBy(link: UpperLink, request: SipRequest, context: RequestContext): Promise<boolean> {
    if (await link.sentBy(context.remote)) return true;
    this.#o.metrics?.sourceMismatches.inc({ method: request.method, peer: 'upper' });
    this.#o.logger.debug(
      { upper: link.id, source: context.remote },
      'request for an upper from another address',
    );
    context.respond(403, 'Forbidden');
    return false;
  }

  /** A device's alarm reached the gateway: pass it up to the uppers that share the channel (in the background). */
  alarm(fromDevice: string, alarm: AlarmNotify): void {
    if (this.links.size === 0) return;
    this.#alarms
      .forward(fromDevice, alarm)
      .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'alarm forwarding failed'));
  }

  /** Hangs up relays, ends subscriptions, unregisters every link. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const unsubscribe of this.#unsubscribe.splice(0)) await unsubscribe();
      if (this.#sharesTimer) this.#o.clock.clearTimeout(this.#sharesTimer);
      this.subscriptions.close();
      await this.relays.close();
      await this.links.close();
    })();
    return this.#closing;
  }

  /**
   * What an upper may see changed (channels added or removed below, rules edited). Changes arrive in bursts (one per
   * device catalog), so they are coalesced for a moment; then each registered upper's catalog is fetched again and
   * compared with the one it was last given, and the difference goes to its subscriptions as ADD / DEL / UPDATE, so
   * a tier above learns a new camera without waiting for its next full catalog query.
   */
  #sharesChanged(upperId: string | null): void {
    if (upperId === null) this.#pendingShares = 'all';
    else if (this.#pendingShares !== 'all') this.#pendingShares.add(upperId);
    if (this.#sharesTimer) return;
    this.#sharesTimer = this.#o.clock.setTimeout(() => {
      this.#sharesTimer = undefined;
      const pending = this.#pendingShares;
      this.#pendingShares = new Set();
      void this.#refreshShares(pending);
    }, SHARES_COALESCE_MS);
  }

  async #refreshShares(pending: 'all' | Set<string>): Promise<void> {
    const links = this.links.all().filter((link) => pending === 'all' || pending.has(link.id));
    await Promise.all(
      links.map(async (link) => {
        const before = this.catalogs.cached(link.id);
        this.catalogs.invalidate(link.id);
        if (link.state !== 'registered') return;
        try {
          const after = await this.catalogs.refresh(link.id);
          if (before) await this.subscriptions.notifyChanges(link, diffCatalogs(before, after));
        } catch (error) {
          this.#o.logger.warn({ err: error, upper: link.id }, 'catalog refresh failed');
        }
      }),
    );
  }

  #linkOf(request: SipRequest): UpperLink | undefined {
    try {
      const fromUser = getFrom(request).uri.user;
      if (fromUser === undefined) return undefined;
      return this.links.find(fromUser, getTo(request).uri.user);
    } catch {
      // Unparsable From/To: not an upper we know; the device path answers it as before.
      return undefined;
    }
  }
}
