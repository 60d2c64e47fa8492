import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import {
  type Dialog,
  type DialogHandler,
  getExpires,
  readTag,
  type RemoteAddress,
  type RequestContext,
  type SipEndpoint,
  type SipRequest,
  type SipResponse,
} from '@tessera/sip';
import type { GatewayMetrics } from '../metrics';
import type { DeviceRequests } from './device-requests';
import type { PresenceRecord } from './presence';

export interface DeviceSubscriptionsOptions {
  endpoint: Pick<SipEndpoint, 'request' | 'closeDialog'>;
  requests: DeviceRequests;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
  /** The device's presence record here; undefined when it is not held here (offline, or another replica's). */
  presence: (deviceId: string) => PresenceRecord | undefined;
  /** The device's NOTIFY in a subscription's dialog, to be answered (the MANSCDP inbox: source check, body). */
  onNotify: (request: SipRequest, context: RequestContext) => void | Promise<void>;
  /** Expires asked for in a catalog SUBSCRIBE (default 3600 s, wvp's). */
  expiresSec?: number;
}

/** What a subscription dialog's record carries, so that the replica its NOTIFYs reach can take it over. */
const CATALOG_SUBSCRIPTION = 'catalog-subscription';

/** Refresh at this share of the granted Expires (as the upper links' REGISTER). */
const REFRESH_AT = 0.8;

/** How long an un-SUBSCRIBE waits for its answer before its dialog is forgotten anyway. */
const UNSUBSCRIBE_WAIT_MS = 2_000;

interface Subscription {
  readonly deviceId: string;
  readonly event: string;
  readonly dialog: Dialog;
  timer: TimerHandle | undefined;
}

/**
 * The catalog subscriptions we hold at devices and lower platforms (GB/T 28181 §9.11, we are the subscriber): each
 * is a UAC dialog of the endpoint's dialog layer, made by the SUBSCRIBE's 2xx or its first NOTIFY, whichever comes
 * first (RFC 6665 §4.1.2), so the device's NOTIFYs are routed to it by dialog ID and a NOTIFY naming no dialog is
 * 481 like any in-dialog request. Refreshed in the dialog at 80 % of the granted Expires (§4.1.2.2); a new
 * subscription to the same device replaces the old one with an un-SUBSCRIBE in it (`Expires: 0`, §4.1.2.3). A device
 * that says `Subscription-State: terminated`, refuses a refresh or goes offline ends it. Records are kept in the
 * store (the endpoint's dialog persistence), so the replica a device's NOTIFY reaches after a takeover continues it
 * (`adopt`). NOTIFYs without a To-tag (devices that send them outside any dialog) never come here: they go to the
 * inbox as before.
 */
export class DeviceSubscriptions {
  readonly #o: DeviceSubscriptionsOptions;
  readonly #byDevice = new Map<string, Subscription>();
  readonly #handler: DialogHandler = {
    onRequest: (request, context, dialog) => this.#inDialog(request, context, dialog),
  };
  #closed = false;

  constructor(options: DeviceSubscriptionsOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#byDevice.size;
  }

  /** The device's catalog subscription held here. */
  get(deviceId: string): Dialog | undefined {
    return this.#byDevice.get(deviceId)?.dialog;
  }

  /**
   * SUBSCRIBE `Event: Catalog;id=<SN>` with a catalog query body (notes §1.4). Resolves with the device's final
   * response; the subscription is held when it is a 2xx.
   */
  async catalog(record: PresenceRecord): Promise<SipResponse> {
    const { requests } = this.#o;
    const sn = requests.nextSn();
    const event = `Catalog;id=${sn}`;
    const { deviceId } = record;
    const { response, dialog } = await requests.subscribe(
      record,
      {
        event,
        expiresSec: this.#o.expiresSec ?? 3600,
        body: { kind: 'catalog-query', sn, deviceId, startTime: null, endTime: null },
      },
      { handler: this.#handler, data: { kind: CATALOG_SUBSCRIPTION, deviceId, event } },
    );
    if (dialog === undefined) return response;
    if (this.#closed || dialog.state === 'terminated') {
      // Closed meanwhile, or its first NOTIFY already said terminated: nothing to hold.
      if (dialog.state !== 'terminated') this.#o.endpoint.closeDialog(dialog);
      return response;
    }
    const old = this.#byDevice.get(deviceId);
    const subscription: Subscription = { deviceId, event, dialog, timer: undefined };
    this.#byDevice.set(deviceId, subscription);
    this.#schedule(subscription, grantedSec(response, this.#o.expiresSec ?? 3600));
    if (old && old.dialog !== dialog) void this.#unsubscribe(old);
    return response;
  }

  /**
   * A subscription dialog another replica (or this process before a restart) kept in the store, named by a NOTIFY
   * that reached us: taken over when the device is held here, and refreshed at once (its granted Expires is not in
   * the record, and the refresh tells whether the device still has it). Undefined: not ours to continue (481).
   */
  adopt(dialog: Dialog): { dialog: Dialog; handler: DialogHandler } | undefined {
    if (this.#closed || dialog.data.kind !== CATALOG_SUBSCRIPTION || dialog.role !== 'uac') return undefined;
    const deviceId = dialog.data.deviceId ?? '';
    const event = dialog.data.event ?? 'Catalog';
    if (this.#o.presence(deviceId) === undefined || this.#byDevice.has(deviceId)) return undefined;
    this.#o.logger.info(
      { deviceId, callId: dialog.callId },
      'catalog subscription taken over from its record',
    );
    const subscription: Subscription = { deviceId, event, dialog, timer: undefined };
    this.#byDevice.set(deviceId, subscription);
    this.#schedule(subscription, 0);
    return { dialog, handler: this.#handler };
  }

  /** The device went offline: its subscription is over (no un-SUBSCRIBE to a device that is gone). */
  deviceOffline(deviceId: string): void {
    const subscription = this.#byDevice.get(deviceId);
    if (subscription) this.#end(subscription);
  }

  /**
   * Stops refreshing. The dialogs and their records stay: the replica that takes over our devices continues their
   * subscriptions from the records when their next NOTIFY reaches it. Idempotent.
   */
  close(): void {
    this.#closed = true;
    for (const subscription of this.#byDevice.values()) this.#clearTimer(subscription);
    this.#byDevice.clear();
  }

  /**
   * The device's request in a subscription's dialog (the endpoint matched it by dialog ID and checked its CSeq):
   * a NOTIFY goes to the inbox, which answers it; one with `Subscription-State: terminated` ends the subscription
   * (RFC 6665 §4.1.3). Anything else is 405.
   */
  #inDialog(request: SipRequest, context: RequestContext, dialog: Dialog): void | Promise<void> {
    if (request.method !== 'NOTIFY') {
      context.respond(405, 'Method Not Allowed', { headers: [['Allow', 'NOTIFY']] });
      return;
    }
    const state = (request.headers.get('Subscription-State') ?? '').split(';')[0]?.trim().toLowerCase();
    if (state === 'terminated') {
      const subscription = this.#byDevice.get(dialog.data.deviceId ?? '');
      if (subscription?.dialog === dialog) this.#end(subscription);
      else this.#o.endpoint.closeDialog(dialog);
    }
    return this.#o.onNotify(request, context);
  }

  #schedule(subscription: Subscription, grantedSec: number): void {
    this.#clearTimer(subscription);
    if (this.#closed) return;
    subscription.timer = this.#o.clock.setTimeout(
      () => void this.#refresh(subscription),
      Math.floor(grantedSec * REFRESH_AT * 1000),
    );
  }

  /**
   * Re-SUBSCRIBE in the dialog (RFC 6665 §4.1.2.2: same Event, new Expires; a target refresh, so with our Contact).
   * A refusal (481: the device forgot it) or no answer ends it, and one new subscription is tried while the device
   * is held here.
   */
  async #refresh(subscription: Subscription): Promise<void> {
    subscription.timer = undefined;
    const { deviceId, dialog } = subscription;
    if (this.#byDevice.get(deviceId) !== subscription) return;
    const expiresSec = this.#o.expiresSec ?? 3600;
    let response: SipResponse | undefined;
    try {
      response = await this.#o.endpoint.request(
        dialog.request('SUBSCRIBE', {
          headers: [
            ['Event', subscription.event],
            ['Expires', String(expiresSec)],
            ['Contact', this.#o.requests.contact()],
          ],
        }),
        this.#remote(subscription),
      );
    } catch (error) {
      this.#o.logger.info({ err: error, deviceId }, 'catalog subscription refresh not answered');
    }
    if (this.#byDevice.get(deviceId) !== subscription) return;
    const result =
      response === undefined ? 'failed' : response.status < 300 ? 'ok' : `sip-${response.status}`;
    this.#o.metrics.deviceQueries.inc({ query: 'subscribe-refresh', result });
    if (response !== undefined && response.status >= 200 && response.status < 300) {
      this.#schedule(subscription, grantedSec(response, expiresSec));
      return;
    }
    this.#end(subscription);
    const record = this.#o.presence(deviceId);
    if (record === undefined || this.#closed) return;
    this.#o.logger.info(
      { deviceId, status: response?.status },
      'catalog subscription lost: subscribing again',
    );
    await this.catalog(record).catch((error: unknown) =>
      this.#o.logger.info({ err: error, deviceId }, 'catalog SUBSCRIBE again failed'),
    );
  }

  /** Where the device is now (its TCP connection or its packet source), else where the dialog was made. */
  #remote(subscription: Subscription): RemoteAddress {
    const record = this.#o.presence(subscription.deviceId);
    return record ? this.#o.requests.remoteOf(record) : subscription.dialog.remote;
  }

  /** An un-SUBSCRIBE in the dialog (RFC 6665 §4.1.2.3), then the dialog is forgotten whatever the answer. */
  async #unsubscribe(subscription: Subscription): Promise<void> {
    this.#clearTimer(subscription);
    const { dialog } = subscription;
    const sent = this.#o.endpoint
      .request(
        dialog.request('SUBSCRIBE', {
          headers: [
            ['Event', subscription.event],
            ['Expires', '0'],
          ],
        }),
        this.#remote(subscription),
      )
      .catch(() => undefined);
    let timer: TimerHandle | undefined;
    await Promise.race([
      sent,
      new Promise<void>((resolve) => {
        timer = this.#o.clock.setTimeout(resolve, UNSUBSCRIBE_WAIT_MS);
      }),
    ]);
    if (timer !== undefined) this.#o.clock.clearTimeout(timer);
    this.#o.endpoint.closeDialog(dialog);
  }

  #end(subscription: Subscription): void {
    this.#clearTimer(subscription);
    if (this.#byDevice.get(subscription.deviceId) === subscription)
      this.#byDevice.delete(subscription.deviceId);
    this.#o.endpoint.closeDialog(subscription.dialog);
  }

  #clearTimer(subscription: Subscription): void {
    if (subscription.timer !== undefined) this.#o.clock.clearTimeout(subscription.timer);
    subscription.timer = undefined;
  }
}

/** The Expires the device granted (its 2xx may shorten ours, RFC 6665 §4.1.2.1); ours when it says none. */
function grantedSec(response: SipResponse, askedSec: number): number {
  try {
    const granted = getExpires(response);
    return granted === undefined || granted <= 0 ? askedSec : Math.min(granted, askedSec);
  } catch {
    return askedSec;
  }
}

/** For the gateway's `adoptDialog`: whether a stored dialog is the one the request names (its tags from our side). */
export function namesDialog(request: SipRequest, dialog: Dialog): boolean {
  if (dialog.localTag !== readTag(request.headers.get('To') ?? '')) return false;
  const theirTag = readTag(request.headers.get('From') ?? '');
  return dialog.remoteTag === null || dialog.remoteTag === theirTag;
}
