import type { CatalogChange, CatalogItem, InventoryChannelChanged, SharedEntry } from '@tessera/contracts';
import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import { encodeCatalogNotifies, encodeManscdp, tryDecodeManscdp } from '@tessera/gb28181';
import {
  Dialog,
  type DialogHandler,
  getExpires,
  type RequestContext,
  type SipEndpoint,
  type SipRequest,
} from '@tessera/sip';
import type { SharedCatalog, SharedCatalogs } from './shared-catalogs';
import type { UpperLink } from './upper-link';
import type { UpperRequests } from './upper-requests';

export interface CatalogSubscriptionsOptions {
  endpoint: Pick<SipEndpoint, 'request' | 'openDialog' | 'closeDialog' | 'releaseDialog'>;
  catalogs: SharedCatalogs;
  requests: UpperRequests;
  clock: Clock;
  logger: Logger;
  /** `host:port` the upper reaches us at (Contact of our 200). */
  contactHost: () => string;
  /** Longest subscription we grant (default 1 day); a longer ask is answered with this. */
  maxExpiresSec?: number;
  onNotify?: (result: 'sent' | 'refused' | 'failed') => void;
  /**
   * Whether the upper may still speak in its subscription's dialog (link enabled, request from its address); false
   * answers the request (403) itself. Default: always.
   */
  admit?: (upperId: string, request: SipRequest, context: RequestContext) => Promise<boolean>;
}

interface Subscription {
  link: UpperLink;
  dialog: Dialog;
  /** The Event header as the upper sent it (`Catalog;id=7`), echoed in every NOTIFY. */
  event: string;
  expiresAt: number;
  timer: TimerHandle;
}

const DEFAULT_EXPIRES_SEC = 3600;
/** `data.kind` of an upper's catalog subscription's dialog record. */
export const CATALOG_SUBSCRIPTION = 'catalog-subscription';

/**
 * An upper's catalog subscription (SUBSCRIBE Event: Catalog, notes §1.4): answered 200 with Expires and Event
 * echoed, kept until it expires, is refreshed, or is ended with Expires: 0. When the inventory reports a change of a
 * channel shared with that upper (`inventory.channel-changed`), a NOTIFY goes to it in the subscription's dialog
 * with the channel under the upper's ID: DeviceID + Event for ON/OFF/VLOST/DEFECT/DEL, the full item for ADD/UPDATE.
 * The subscription's dialog is the endpoint's dialog layer's: a refresh or an unsubscribe (a SUBSCRIBE in it) is
 * routed to `#inDialog` by dialog ID.
 */
export class CatalogSubscriptions {
  readonly #o: CatalogSubscriptionsOptions;
  /** By Call-ID: the subscription dialog. */
  readonly #subscriptions = new Map<string, Subscription>();
  readonly #dialogHandler: DialogHandler = {
    onRequest: (request, context, dialog) => this.#inDialog(request, context, dialog),
  };

  constructor(options: CatalogSubscriptionsOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#subscriptions.size;
  }

  /** Subscriptions of one upper link (tests, logs). */
  of(upperId: string): number {
    let count = 0;
    for (const s of this.#subscriptions.values()) if (s.link.id === upperId) count++;
    return count;
  }

  /** A new SUBSCRIBE from an upper (one inside a subscription's dialog reaches `#inDialog` instead). */
  handleSubscribe(link: UpperLink, request: SipRequest, context: RequestContext): void {
    const event = request.headers.get('Event') ?? '';
    if (!isCatalog(event, context)) return;
    const expiresSec = this.#expires(request);
    const callId = request.headers.get('Call-ID') ?? '';
    const response = context.respond(200, 'OK', {
      headers: [...this.#headers(link, event, expiresSec), ['Content-Type', 'Application/MANSCDP+xml']],
      body: this.#okBody(link, request),
    });
    // Expires: 0 on a new subscription is a one-time fetch (RFC 6665 §4.2.1.1); nothing to keep.
    if (expiresSec === 0) return;
    const subscription: Subscription = {
      link,
      dialog: Dialog.asUas({
        request,
        response,
        remote: context.remote,
        // What another replica needs to continue it (`adopt`): whose it is, the Event to echo, the granted Expires.
        data: { kind: CATALOG_SUBSCRIPTION, upperId: link.id, event, expiresSec: String(expiresSec) },
      }),
      event,
      expiresAt: 0,
      timer: { id: -1 },
    };
    this.#subscriptions.set(callId, subscription);
    this.#o.endpoint.openDialog(subscription.dialog, this.#dialogHandler);
    this.#arm(subscription, expiresSec);
    this.#o.logger.info({ upper: link.id, expiresSec }, 'upper subscribed to the catalog');
  }

  /**
   * A subscription another replica answered, from its record, when this replica took the upper's link
   * (`Cascade.takeOver`) or the upper's request in it reached us (the endpoint's `adoptDialog`): held here, its
   * NOTIFYs sent in the same dialog (our CSeq continues past the stored one). The record keeps the Expires granted
   * at the start, not the refreshes': it is armed anew for that long, and an upper that dropped it meanwhile answers
   * our next NOTIFY 481, which ends it. Undefined: not a catalog subscription of this link, or already held.
   */
  adopt(link: UpperLink, dialog: Dialog): DialogHandler | undefined {
    if (
      dialog.data.kind !== CATALOG_SUBSCRIPTION ||
      dialog.data.upperId !== link.id ||
      dialog.role !== 'uas'
    ) {
      return undefined;
    }
    if (this.#subscriptions.has(dialog.callId)) return undefined;
    const expiresSec = Number(dialog.data.expiresSec ?? DEFAULT_EXPIRES_SEC);
    const subscription: Subscription = {
      link,
      dialog,
      event: dialog.data.event ?? 'Catalog',
      expiresAt: 0,
      timer: { id: -1 },
    };
    this.#subscriptions.set(dialog.callId, subscription);
    this.#o.endpoint.openDialog(dialog, this.#dialogHandler);
    this.#arm(subscription, Number.isFinite(expiresSec) && expiresSec > 0 ? expiresSec : DEFAULT_EXPIRES_SEC);
    this.#o.logger.info({ upper: link.id, callId: dialog.callId }, 'upper catalog subscription taken over');
    return this.#dialogHandler;
  }

  /** A refresh or an unsubscribe (Expires: 0) inside the subscription's dialog (RFC 6665 §4.1.2.1, §4.1.2.3). */
  async #inDialog(request: SipRequest, context: RequestContext, dialog: Dialog): Promise<void> {
    const subscription = this.#subscriptions.get(dialog.callId);
    if (subscription?.dialog !== dialog) {
      context.respond(481, 'Subscription Does Not Exist');
      return;
    }
    if (this.#o.admit && !(await this.#o.admit(subscription.link.id, request, context))) return;
    if (request.method !== 'SUBSCRIBE') {
      context.respond(405, 'Method Not Allowed', { headers: [['Allow', 'SUBSCRIBE']] });
      return;
    }
    const event = request.headers.get('Event') ?? '';
    if (!isCatalog(event, context)) return;
    const expiresSec = this.#expires(request);
    context.respond(200, 'OK', { headers: this.#headers(subscription.link, event, expiresSec) });
    if (expiresSec === 0) this.#end(subscription, 'unsubscribed');
    else this.#arm(subscription, expiresSec);
  }

  #expires(request: SipRequest): number {
    const asked = getExpires(request) ?? DEFAULT_EXPIRES_SEC;
    return Math.min(asked, this.#o.maxExpiresSec ?? 86_400);
  }

  /** A link went away (removed, disabled): its subscriptions with it. */
  dropLink(upperId: string): void {
    for (const subscription of [...this.#subscriptions.values()]) {
      if (subscription.link.id === upperId) this.#end(subscription, 'link closed');
    }
  }

  /**
   * This replica lost the link's lease while alive (a pause, a Redis outage): its subscriptions are the new holder's
   * now, so they are forgotten here without ending them; their records stay for it to continue.
   */
  release(upperId: string): void {
    for (const subscription of [...this.#subscriptions.values()]) {
      if (subscription.link.id !== upperId) continue;
      this.#o.clock.clearTimeout(subscription.timer);
      this.#subscriptions.delete(subscription.dialog.callId);
      this.#o.endpoint.releaseDialog(subscription.dialog);
    }
  }

  /** `inventory.channel-changed`: a NOTIFY to each subscribed upper that shares the channel. */
  async channelChanged(change: InventoryChannelChanged): Promise<void> {
    const links = new Map<string, Subscription[]>();
    for (const subscription of this.#subscriptions.values()) {
      const list = links.get(subscription.link.id);
      if (list) list.push(subscription);
      else links.set(subscription.link.id, [subscription]);
    }
    await Promise.all([...links.values()].map((subscriptions) => this.#notifyUpper(subscriptions, change)));
  }

  /** Changes already under the upper's IDs (from comparing shared catalogs) to every subscription of one link. */
  async notifyChanges(link: UpperLink, changes: CatalogChange[]): Promise<void> {
    if (changes.length === 0) return;
    const subscriptions = [...this.#subscriptions.values()].filter((s) => s.link.id === link.id);
    if (subscriptions.length === 0) return;
    const bodies = encodeCatalogNotifies({
      sn: this.#o.requests.nextSn(),
      deviceId: link.config.localId,
      charset: link.config.charset,
      maxBytes: this.#o.requests.budget(link),
      changes,
    });
    for (const subscription of subscriptions) {
      for (const body of bodies) await this.#notify(subscription, body);
    }
    this.#o.logger.info({ upper: link.id, changes: changes.length }, 'catalog changes sent to upper');
  }

  close(): void {
    for (const subscription of [...this.#subscriptions.values()]) this.#end(subscription, 'closing');
  }

  async #notifyUpper(subscriptions: Subscription[], change: InventoryChannelChanged): Promise<void> {
    const link = subscriptions[0]!.link;
    const entries = await this.#entries(link, change);
    if (entries.length === 0) return;
    const catalog = this.#o.catalogs.cached(link.id);
    const changes: CatalogChange[] = entries.map((entry) => {
      const full = change.event === 'ADD' || change.event === 'UPDATE';
      const item = full ? remap(change.item ?? entry.item, entry, link.config.localId) : null;
      if (item) catalog?.replaceItem(entry.item.id, item);
      else if (change.event === 'ON' || change.event === 'OFF') {
        catalog?.replaceItem(entry.item.id, {
          ...entry.item,
          status: change.event === 'ON' ? 'online' : 'offline',
        });
      }
      return { id: entry.item.id, event: change.event, item };
    });
    const bodies = encodeCatalogNotifies({
      sn: this.#o.requests.nextSn(),
      deviceId: link.config.localId,
      charset: link.config.charset,
      maxBytes: this.#o.requests.budget(link),
      changes,
    });
    for (const subscription of subscriptions) {
      for (const body of bodies) await this.#notify(subscription, body);
    }
  }

  /**
   * The shared entries for the changed channel. A channel just ADDed may not be in the cached catalog yet (the
   * platform publishes the change and the new share independently): look again in a fresh one before giving up.
   */
  async #entries(link: UpperLink, change: InventoryChannelChanged): Promise<SharedEntry[]> {
    const local = { deviceId: change.deviceId, channelId: change.channelId };
    let catalog: SharedCatalog;
    try {
      catalog = await this.#o.catalogs.get(link.id);
      const entries = catalog.byLocal(local);
      if (entries.length > 0 || change.event !== 'ADD') return entries;
      catalog = await this.#o.catalogs.refresh(link.id);
    } catch (error) {
      this.#o.logger.warn({ err: error, upper: link.id }, 'shared catalog unavailable: NOTIFY not sent');
      return [];
    }
    return catalog.byLocal(local);
  }

  async #notify(subscription: Subscription, body: Buffer): Promise<void> {
    const remainingSec = Math.max(0, Math.round((subscription.expiresAt - this.#o.clock.now()) / 1000));
    const request = subscription.dialog.request('NOTIFY', {
      headers: [
        ['Event', subscription.event],
        ['Subscription-State', `active;expires=${remainingSec}`],
        // RFC 6665 §4.2.2: our Contact; after a takeover it names this replica, so the upper's refreshes come here.
        ['Contact', `<sip:${subscription.link.config.localId}@${this.#o.contactHost()}>`],
      ],
      contentType: 'Application/MANSCDP+xml',
      body,
    });
    try {
      const response = await this.#o.endpoint.request(request, subscription.dialog.remote);
      if (response.status < 300) {
        this.#o.onNotify?.('sent');
        return;
      }
      this.#o.onNotify?.('refused');
      // RFC 6665 §4.1.3: 481 means the subscriber no longer has the subscription.
      if (response.status === 481) this.#end(subscription, 'upper answered 481');
    } catch (error) {
      this.#o.onNotify?.('failed');
      this.#o.logger.info({ err: error, upper: subscription.link.id }, 'NOTIFY to upper failed');
    }
  }

  #arm(subscription: Subscription, expiresSec: number): void {
    this.#o.clock.clearTimeout(subscription.timer);
    subscription.expiresAt = this.#o.clock.now() + expiresSec * 1000;
    subscription.timer = this.#o.clock.setTimeout(
      () => this.#end(subscription, 'expired'),
      expiresSec * 1000,
    );
  }

  #end(subscription: Subscription, why: string): void {
    this.#o.clock.clearTimeout(subscription.timer);
    if (this.#subscriptions.get(subscription.dialog.callId) === subscription) {
      this.#subscriptions.delete(subscription.dialog.callId);
      this.#o.endpoint.closeDialog(subscription.dialog);
      this.#o.logger.info({ upper: subscription.link.id, why }, 'catalog subscription ended');
    }
  }

  #headers(link: UpperLink, event: string, expiresSec: number): [string, string][] {
    return [
      ['Event', event],
      ['Expires', String(expiresSec)],
      ['Contact', `<sip:${link.config.localId}@${this.#o.contactHost()}>`],
    ];
  }

  /** `<Response>…Catalog…<Result>OK</Result>` with the subscription's SN, as devices answer (notes §1.4). */
  #okBody(link: UpperLink, request: SipRequest): Buffer {
    const decoded = request.body.length > 0 ? tryDecodeManscdp(request.body) : undefined;
    const sn = decoded?.ok && decoded.message.sn !== null ? decoded.message.sn : 0;
    return encodeManscdp(
      {
        kind: 'catalog-response',
        sn,
        deviceId: link.config.localId,
        sumNum: null,
        listNum: null,
        items: [],
        invalidItems: 0,
        result: 'OK',
      },
      { charset: link.config.charset },
    );
  }
}

/** RFC 6665 §4.2.1.2: an event package we do not serve is 489 (alarm/position use "presence" in wvp, not built yet). */
function isCatalog(event: string, context: RequestContext): boolean {
  if (/^\s*catalog\b/i.test(event)) return true;
  context.respond(489, 'Bad Event', { headers: [['Allow-Events', 'Catalog']] });
  return false;
}

/**
 * The inventory's item under the upper's view: identity and place in the tree (ID, parent, business group, civil
 * code) come from the shared entry, state and description from the inventory.
 */
function remap(item: CatalogItem, entry: SharedEntry, localId: string): CatalogItem {
  return {
    ...item,
    id: entry.item.id,
    parentId: entry.item.parentId ?? localId,
    businessGroupId: entry.item.businessGroupId,
    civilCode: entry.item.civilCode ?? item.civilCode,
  };
}
