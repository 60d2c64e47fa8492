import type {
  CatalogQueryResult,
  DeviceInfoResult,
  DeviceStatusResult,
  PtzCommandInput,
  PtzResult,
} from '@tessera/contracts';
import { type Clock, type Logger, TesseraError, TimeoutError } from '@tessera/kit';
import {
  type AcceptOutcome,
  type CatalogAggregator,
  type CatalogNotify,
  type CatalogResponse,
  type DeviceControl,
  type DeviceControlResponse,
  type DeviceInfoResponse,
  type DeviceStatusResponse,
  encodePtz,
  RecordInfoAggregator,
  type RecordInfoQuery,
  type RecordInfoResponse,
  type RecordItem,
  type TypedManscdpMessage,
} from '@tessera/gb28181';
import type { GatewayMetrics } from '../metrics';
import type { SipResponse } from '@tessera/sip';
import { DeviceNotOnlineError, type DeviceRequests } from './device-requests';
import type { DeviceSubscriptions } from './device-subscriptions';
import type { EventOutbox } from './event-outbox';
import { PendingReplies, unwrapReply } from './pending-replies';
import type { PresenceRecord, PresenceTracker } from './presence';

export class DeviceRejectedError extends TesseraError {
  constructor(
    readonly deviceId: string,
    readonly status: number,
    what: string,
  ) {
    super('device-rejected', `device ${deviceId} answered ${what} with ${status}`);
  }
}

/** The DeviceControl commands an upper may pass down (TeleBoot is not: an upper must not reboot our devices). */
export type ForwardedControl = Pick<
  DeviceControl,
  'ptzCmd' | 'controlPriority' | 'guardCmd' | 'recordCmd' | 'alarmCmd' | 'iFrameCmd'
>;

/** What a recording search asks (the RecordInfo Query's fields); SN and DeviceID are ours to set. */
export type RecordSearch = Pick<
  RecordInfoQuery,
  'startTime' | 'endTime' | 'filePath' | 'address' | 'secrecy' | 'type' | 'recorderId' | 'indistinctQuery'
>;

/** A channel's recordings as the device listed them. */
export interface RecordSearchResult {
  sn: number;
  /** SumNum the device announced; null when no packet carried one. */
  sumNum: number | null;
  /** Unique recordings in arrival order. */
  items: RecordItem[];
  /** False when the device stopped sending before SumNum items arrived (the items are what did arrive). */
  complete: boolean;
}

export interface DeviceQueriesOptions {
  requests: DeviceRequests;
  presence: PresenceTracker;
  catalogs: CatalogAggregator;
  clock: Clock;
  logger: Logger;
  metrics: GatewayMetrics;
  platformId: string;
  replyTimeoutMs: number;
  /** The catalog subscriptions' dialogs. */
  subscriptions: Pick<DeviceSubscriptions, 'catalog'>;
  /**
   * RecordInfo answers: give up this long after the query or the last packet (default replyTimeoutMs). An NVR
   * searching its disk may take seconds before the first packet, so this is not the per-packet pacing.
   */
  recordInfoTimeoutMs?: number;
  /** Where results go (the gateway's one outbox): they wait there while the bus is unreachable. */
  outbox: EventOutbox;
}

/**
 * What the platform asks of a device: its catalog (multi-packet, aggregated), identity, status, and a catalog
 * subscription. Results go onto the bus as events, so the inventory learns them whoever asked.
 */
export class DeviceQueries {
  readonly #o: DeviceQueriesOptions;
  readonly #infos: PendingReplies<DeviceInfoResponse>;
  readonly #statuses: PendingReplies<DeviceStatusResponse>;
  readonly #controls: PendingReplies<DeviceControlResponse>;
  readonly #records: RecordInfoAggregator;
  readonly #recordTimeoutMs: number;
  /** Catalogs and identities wait here while the bus is unreachable (Redis outage) instead of being lost. */
  readonly #outbox: EventOutbox;

  constructor(options: DeviceQueriesOptions) {
    this.#o = options;
    this.#outbox = options.outbox;
    this.#infos = new PendingReplies(options.clock);
    this.#statuses = new PendingReplies(options.clock);
    this.#controls = new PendingReplies(options.clock);
    this.#recordTimeoutMs = options.recordInfoTimeoutMs ?? options.replyTimeoutMs;
    // Our own aggregator (not an option like the catalog's): nobody else consumes RecordInfo answers, and an
    // unsolicited one (a straggler after we gave up) has no inventory to feed, so it is only logged.
    this.#records = new RecordInfoAggregator({
      clock: options.clock,
      idleTimeoutMs: this.#recordTimeoutMs,
      onUnsolicited: (result) =>
        options.logger.debug(
          { channelId: result.deviceId, sn: result.sn, items: result.items.length },
          'RecordInfo answer nobody waits for',
        ),
    });
  }

  #online(deviceId: string): PresenceRecord {
    const record = this.#o.presence.get(deviceId);
    if (!record) throw new DeviceNotOnlineError(deviceId);
    return record;
  }

  #check(deviceId: string, response: SipResponse, what: string): void {
    if (response.status >= 300) {
      this.#o.metrics.deviceQueries.inc({ query: what, result: `sip-${response.status}` });
      throw new DeviceRejectedError(deviceId, response.status, what);
    }
  }

  /**
   * Sends a query whose answer comes back as a MESSAGE of its own (DeviceInfo, DeviceStatus) and settles on that
   * answer, its timeout, or the query's failure, whichever is first. The MESSAGE transaction is not awaited ahead
   * of the answer: a device that went silent keeps it retransmitting until Timer F (64·T1, 32 s; RFC 3261
   * §17.1.2.2), past the answer's own deadline, so the query would have taken 32 s to fail instead of
   * replyTimeoutMs. Its outcome is handled here in both directions (it cancels the wait) and never left floating.
   */
  async #ask<T>(
    pending: PendingReplies<T>,
    record: PresenceRecord,
    what: 'device-info' | 'device-status',
    label: string,
    body: Extract<TypedManscdpMessage, { kind: 'device-info-query' | 'device-status-query' }>,
  ): Promise<T> {
    const { deviceId, sn } = body;
    const reply = pending.wait(deviceId, sn, this.#o.replyTimeoutMs, label);
    this.#o.requests.message(record, body).then(
      (response) => {
        if (response.status < 300) return;
        this.#o.metrics.deviceQueries.inc({ query: what, result: `sip-${response.status}` });
        pending.cancel(deviceId, sn, new DeviceRejectedError(deviceId, response.status, what));
      },
      (error: unknown) => pending.cancel(deviceId, sn, asError(error)),
    );
    const outcome = await reply;
    // Either timer: the answer's, or Timer F when T1 is short enough for it to fire first.
    if (!outcome.ok && outcome.error instanceof TimeoutError) {
      this.#o.metrics.deviceQueries.inc({ query: what, result: 'timeout' });
    }
    return unwrapReply(outcome);
  }

  async catalog(deviceId: string): Promise<CatalogQueryResult> {
    const record = this.#online(deviceId);
    const sn = this.#o.requests.nextSn();
    // Registered before the query is sent and awaited only after its transaction: safe, because an aggregation
    // never rejects (a timeout resolves it with what arrived, complete: false).
    const result = this.#o.catalogs.expect(deviceId, sn);
    const response = await this.#o.requests.message(record, {
      kind: 'catalog-query',
      sn,
      deviceId,
      startTime: null,
      endTime: null,
    });
    // A refused query would otherwise sit in the aggregator until its timeout; the timeout still cleans it.
    this.#check(deviceId, response, 'catalog');
    const aggregated = await result;
    this.#outbox.publish('catalog.received', {
      deviceId,
      sn,
      sumNum: aggregated.sumNum ?? aggregated.items.length,
      complete: aggregated.complete,
      items: aggregated.items,
      at: new Date(this.#o.clock.now()).toISOString(),
    });
    this.#o.metrics.deviceQueries.inc({
      query: 'catalog',
      result: aggregated.complete ? 'complete' : 'partial',
    });
    return {
      sn,
      complete: aggregated.complete,
      itemCount: aggregated.items.length,
      sumNum: aggregated.sumNum ?? aggregated.items.length,
    };
  }

  async deviceInfo(deviceId: string): Promise<DeviceInfoResult> {
    const record = this.#online(deviceId);
    const sn = this.#o.requests.nextSn();
    const info = await this.#ask(this.#infos, record, 'device-info', `DeviceInfo from ${deviceId}`, {
      kind: 'device-info-query',
      sn,
      deviceId,
    });
    const result: DeviceInfoResult = {
      deviceId,
      name: info.deviceName,
      manufacturer: info.manufacturer,
      model: info.model,
      firmware: info.firmware,
      channelCount: info.channel,
    };
    this.#outbox.publish('device.info', { ...result, at: new Date(this.#o.clock.now()).toISOString() });
    this.#o.metrics.deviceQueries.inc({ query: 'device-info', result: 'ok' });
    return result;
  }

  async deviceStatus(deviceId: string): Promise<DeviceStatusResult> {
    const record = this.#online(deviceId);
    const sn = this.#o.requests.nextSn();
    const status = await this.#ask(this.#statuses, record, 'device-status', `DeviceStatus from ${deviceId}`, {
      kind: 'device-status-query',
      sn,
      deviceId,
    });
    const raw: Record<string, string> = {};
    for (const [key, value] of Object.entries({
      result: status.result,
      reason: status.reason,
      deviceTime: status.deviceTime,
      encode: status.encode,
      record: status.record,
    })) {
      if (value !== null) raw[key] = String(value);
    }
    this.#o.metrics.deviceQueries.inc({ query: 'device-status', result: 'ok' });
    return {
      deviceId,
      online: status.online ?? true,
      statusOk: status.statusOk ?? status.result === 'OK',
      raw,
    };
  }

  /**
   * PTZ (GB/T 28181 §9.3.2): DeviceControl with PTZCmd to the channel, via the device that owns it. Many devices
   * never send the DeviceControl Response for PTZ, so its Result is awaited only briefly.
   */
  async ptz(
    deviceId: string,
    channelId: string,
    command: PtzCommandInput,
    resultWaitMs = 1_500,
  ): Promise<PtzResult> {
    const record = this.#online(deviceId);
    const sn = this.#o.requests.nextSn();
    const ptzCmd = encodePtz(command);
    // Never rejects (PendingReplies): the transaction below may outlast resultWaitMs by far (Timer F, 32 s).
    const reply = this.#controls.wait(channelId, sn, resultWaitMs, `DeviceControl answer from ${channelId}`);
    let response: SipResponse;
    try {
      response = await this.#o.requests.message(record, {
        kind: 'device-control',
        sn,
        deviceId: channelId,
        ptzCmd,
        controlPriority: 5,
        guardCmd: null,
        recordCmd: null,
        teleBoot: null,
        alarmCmd: null,
        iFrameCmd: null,
      });
    } catch (error) {
      this.#controls.cancel(channelId, sn, asError(error));
      throw error;
    }
    if (response.status >= 300) {
      this.#controls.cancel(channelId, sn, new DeviceRejectedError(deviceId, response.status, 'ptz'));
      this.#o.metrics.deviceQueries.inc({ query: 'ptz', result: `sip-${response.status}` });
      return { ptzCmd, status: response.status, result: null };
    }
    const answer = await reply;
    const result = answer.ok ? answer.value.result : null;
    this.#o.metrics.deviceQueries.inc({ query: 'ptz', result: 'ok' });
    return { ptzCmd, status: response.status, result };
  }

  /**
   * Asks a channel for a keyframe now (DeviceControl IFameCmd Send, GB/T 28181 §9.3.2.6): a viewer lost the picture
   * and the next periodic keyframe may be seconds away. Devices rarely answer it with a Response.
   */
  async keyframe(deviceId: string, channelId: string): Promise<{ status: number }> {
    const record = this.#online(deviceId);
    const response = await this.#o.requests.message(record, {
      kind: 'device-control',
      sn: this.#o.requests.nextSn(),
      deviceId: channelId,
      ptzCmd: null,
      controlPriority: null,
      guardCmd: null,
      recordCmd: null,
      teleBoot: null,
      alarmCmd: null,
      iFrameCmd: 'Send',
    });
    this.#o.metrics.deviceQueries.inc({
      query: 'keyframe',
      result: response.status < 300 ? 'ok' : `sip-${response.status}`,
    });
    return { status: response.status };
  }

  /**
   * DeviceControl on behalf of an upper platform (cascade, notes §1.8): PTZCmd and the other commands go down exactly
   * as the upper wrote them — re-encoding a PTZCmd would lose vendor bytes and its checksum. Resolves with the
   * device's SIP status and its Result when it sends one within `resultWaitMs` (many never do).
   */
  async forwardControl(
    deviceId: string,
    channelId: string,
    control: ForwardedControl,
    resultWaitMs = 1_500,
  ): Promise<{ status: number; result: string | null }> {
    const record = this.#online(deviceId);
    const sn = this.#o.requests.nextSn();
    // Never rejects (PendingReplies): the transaction below may outlast resultWaitMs by far (Timer F, 32 s).
    const reply = this.#controls.wait(channelId, sn, resultWaitMs, `DeviceControl answer from ${channelId}`);
    let response: SipResponse;
    try {
      response = await this.#o.requests.message(record, {
        kind: 'device-control',
        sn,
        deviceId: channelId,
        teleBoot: null,
        ...control,
      });
    } catch (error) {
      this.#controls.cancel(channelId, sn, asError(error));
      throw error;
    }
    if (response.status >= 300) {
      this.#controls.cancel(channelId, sn, new DeviceRejectedError(deviceId, response.status, 'control'));
      this.#o.metrics.deviceQueries.inc({ query: 'forwarded-control', result: `sip-${response.status}` });
      return { status: response.status, result: null };
    }
    const answer = await reply;
    const result = answer.ok ? answer.value.result : null;
    this.#o.metrics.deviceQueries.inc({ query: 'forwarded-control', result: 'ok' });
    return { status: response.status, result };
  }

  /**
   * Recording search (GB/T 28181 §9.7, notes §1.5): a RecordInfo Query to the channel via the device that owns it,
   * the multi-packet answer put together per (channel, SN) until SumNum unique recordings arrived. A device that
   * stops half-way gives a partial result (complete: false) rather than an error: what arrived is true. A device
   * that sends nothing at all rejects with TimeoutError, which is not the same as "no recordings" (SumNum 0).
   * The answer packets must be handed to `acceptRecordInfo` by whoever receives the device's MESSAGEs.
   */
  async recordInfo(deviceId: string, channelId: string, search: RecordSearch): Promise<RecordSearchResult> {
    const record = this.#online(deviceId);
    const sn = this.#o.requests.nextSn();
    // Devices answer with DeviceID = the channel queried (notes §1.5), so that is the aggregation key.
    const result = this.#records.expect(channelId, sn);
    // Awaited after the transaction, like the catalog's: an aggregation never rejects.
    const response = await this.#o.requests.message(record, {
      kind: 'record-info-query',
      sn,
      deviceId: channelId,
      ...search,
    });
    // A refused query sits in the aggregator until its timeout, which cleans it (as for catalogs).
    this.#check(deviceId, response, 'record-info');
    const aggregated = await result;
    if (aggregated.packets === 0 && !aggregated.complete) {
      this.#o.metrics.deviceQueries.inc({ query: 'record-info', result: 'timeout' });
      if (aggregated.ending === 'closed') throw new TesseraError('closed', 'gateway closed');
      throw new TimeoutError(`RecordInfo from ${channelId}`, this.#recordTimeoutMs);
    }
    this.#o.metrics.deviceQueries.inc({
      query: 'record-info',
      result: aggregated.complete ? 'complete' : 'partial',
    });
    return { sn, sumNum: aggregated.sumNum, items: aggregated.items, complete: aggregated.complete };
  }

  /** One packet of a device's RecordInfo answer (MESSAGE body). */
  acceptRecordInfo(message: RecordInfoResponse): AcceptOutcome {
    return this.#records.accept(message);
  }

  acceptDeviceControl(message: DeviceControlResponse): boolean {
    return this.#controls.settle(message.deviceId, message.sn, message);
  }

  /** Catalog subscription (GB/T 28181 §9.11): changes then arrive as NOTIFY, in its dialog (DeviceSubscriptions). */
  async subscribeCatalog(deviceId: string): Promise<void> {
    const response = await this.#o.subscriptions.catalog(this.#online(deviceId));
    this.#check(deviceId, response, 'subscribe');
    this.#o.metrics.deviceQueries.inc({ query: 'subscribe', result: 'ok' });
  }

  /** A device's answer arrived (MESSAGE body); returns false when nobody asked. */
  acceptDeviceInfo(message: DeviceInfoResponse): boolean {
    return this.#infos.settle(message.deviceId, message.sn, message);
  }

  acceptDeviceStatus(message: DeviceStatusResponse): boolean {
    return this.#statuses.settle(message.deviceId, message.sn, message);
  }

  acceptCatalog(message: CatalogResponse): void {
    this.#o.catalogs.accept(message);
  }

  async acceptCatalogNotify(fromDevice: string, message: CatalogNotify): Promise<void> {
    if (message.changes.length === 0) return;
    this.#outbox.publish('catalog.changed', {
      deviceId: fromDevice,
      changes: message.changes,
      at: new Date(this.#o.clock.now()).toISOString(),
    });
  }

  close(): void {
    const closed = new TesseraError('closed', 'gateway closed');
    this.#infos.close(closed);
    this.#statuses.close(closed);
    this.#controls.close(closed);
    this.#records.close();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
