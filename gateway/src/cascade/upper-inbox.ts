import type { CatalogItem } from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import type { ForwardedControl, RecordSearch, RecordSearchResult } from '../device/device-queries';
import {
  type DeviceControl,
  type DeviceInfoQuery,
  type DeviceStatusQuery,
  encodeCatalogResponses,
  encodeManscdp,
  encodeRecordInfoResponses,
  type ManscdpMessage,
  type RecordInfoQuery,
  type RecordItem,
  type TypedManscdpMessage,
  tryDecodeManscdp,
} from '@tessera/gb28181';
import type { RequestContext, SipRequest } from '@tessera/sip';
import type { LocalChannel, SharedCatalog, SharedCatalogs } from './shared-catalogs';
import type { UpperLink } from './upper-link';
import type { UpperRequests } from './upper-requests';

/** What we say about ourselves in DeviceInfo (wvp answers its name, "WVP-28181-PRO", "platform", its version). */
export interface PlatformIdentity {
  name: string;
  manufacturer: string;
  model: string;
  firmware: string;
}

export interface UpperInboxOptions {
  requests: UpperRequests;
  catalogs: SharedCatalogs;
  /** DeviceQueries.forwardControl: PTZ and other commands down to the device that owns the channel. */
  forwardControl: (
    deviceId: string,
    channelId: string,
    control: ForwardedControl,
  ) => Promise<{ status: number; result: string | null }>;
  /**
   * DeviceQueries.recordInfo: a recording search down to the device that owns the channel. Without it every
   * RecordInfo is answered SumNum 0 (nothing to search with), as before it existed.
   */
  recordInfo?: (deviceId: string, channelId: string, search: RecordSearch) => Promise<RecordSearchResult>;
  identity: PlatformIdentity;
  logger: Logger;
  onCatalogItemsSent?: (count: number) => void;
  onManscdpError?: (reason: string) => void;
}

/**
 * MANSCDP MESSAGEs from an upper platform: we answer as a lower platform (notes §1.8). Each is answered 200 at once
 * and the business answer follows as our own MESSAGE, as devices do: Catalog (the shared catalog, remapped, in
 * several MESSAGEs), DeviceInfo/DeviceStatus (ourselves, or a shared channel from the catalog), RecordInfo (searched
 * on the device that owns the channel, answered in several MESSAGEs) and DeviceControl (passed down unchanged).
 */
export class UpperInbox {
  readonly #o: UpperInboxOptions;

  constructor(options: UpperInboxOptions) {
    this.#o = options;
  }

  handle(link: UpperLink, request: SipRequest, context: RequestContext): void {
    // No charset override: an upper's bodies are sniffed like a device's; the link's charset is for what we send.
    const decoded = tryDecodeManscdp(request.body);
    if (!decoded.ok) {
      this.#o.onManscdpError?.(decoded.error.reason);
      context.respond(400, `Bad MANSCDP: ${decoded.error.reason}`);
      return;
    }
    const message = decoded.message;
    context.respond(200, 'OK');
    const work = this.#answer(link, message);
    work.catch((error: unknown) =>
      this.#o.logger.warn({ err: error, upper: link.id, kind: message.kind }, 'answer to upper failed'),
    );
  }

  async #answer(link: UpperLink, message: ManscdpMessage): Promise<void> {
    switch (message.kind) {
      case 'catalog-query':
        return this.#catalog(link, message.sn);
      case 'device-info-query':
        return this.#deviceInfo(link, message);
      case 'device-status-query':
        return this.#deviceStatus(link, message);
      case 'record-info-query':
        return this.#recordInfo(link, message);
      case 'device-control':
        return this.#control(link, message);
      default:
        this.#o.logger.debug({ upper: link.id, kind: message.kind }, 'MESSAGE from upper not acted on');
    }
  }

  /**
   * The shared catalog, refreshed from the platform (the upper asking is when it must be right), under the upper's
   * IDs: DeviceID of the response is our local ID, SumNum the number of entries, items without a parent hang under
   * us (wvp's behaviour), split to the link's body budget and paced (notes §1.4). When the platform cannot answer,
   * the last cached catalog is sent; without one, nothing (an empty answer would tell the upper nothing is shared).
   */
  async #catalog(link: UpperLink, sn: number): Promise<void> {
    const catalog = await this.#fresh(link);
    if (!catalog) return;
    const { localId, charset } = link.config;
    const items: CatalogItem[] = catalog.entries.map((entry) =>
      entry.item.parentId === null ? { ...entry.item, parentId: localId } : entry.item,
    );
    const bodies = encodeCatalogResponses({
      sn,
      deviceId: localId,
      charset,
      maxBytes: this.#o.requests.budget(link),
      items,
    });
    const result = await this.#o.requests.series(link, bodies);
    const sentItems = bodies.slice(0, result.sent).reduce((sum, body) => sum + listNum(body), 0);
    this.#o.onCatalogItemsSent?.(sentItems);
    this.#o.logger.info(
      { upper: link.id, sn, items: items.length, packets: bodies.length, sent: result.sent },
      'catalog sent to upper',
    );
  }

  async #deviceInfo(link: UpperLink, query: DeviceInfoQuery): Promise<void> {
    const { localId } = link.config;
    const identity = this.#o.identity;
    let answer: TypedManscdpMessage;
    if (query.deviceId === localId) {
      const catalog = await this.#cachedOrFetch(link);
      answer = {
        kind: 'device-info-response',
        sn: query.sn,
        deviceId: localId,
        deviceName: identity.name,
        manufacturer: identity.manufacturer,
        model: identity.model,
        firmware: identity.firmware,
        channel: catalog?.channelCount ?? null,
        maxCamera: null,
        maxAlarm: null,
        result: 'OK',
      };
    } else {
      const entry = (await this.#cachedOrFetch(link))?.byRemote(query.deviceId);
      answer = {
        kind: 'device-info-response',
        sn: query.sn,
        deviceId: query.deviceId,
        deviceName: entry?.item.name ?? null,
        manufacturer: entry?.item.manufacturer ?? null,
        model: entry?.item.model ?? null,
        firmware: null,
        channel: null,
        maxCamera: null,
        maxAlarm: null,
        result: entry ? 'OK' : 'ERROR',
      };
    }
    await this.#reply(link, answer);
  }

  /** Ourselves: online and OK. A shared channel: online as the inventory last reported it. */
  async #deviceStatus(link: UpperLink, query: DeviceStatusQuery): Promise<void> {
    const self = query.deviceId === link.config.localId;
    const entry = self ? undefined : (await this.#cachedOrFetch(link))?.byRemote(query.deviceId);
    const known = self || entry !== undefined;
    await this.#reply(link, {
      kind: 'device-status-response',
      sn: query.sn,
      deviceId: query.deviceId,
      result: known ? 'OK' : 'ERROR',
      online: known ? (entry ? entry.item.status === 'online' : true) : null,
      statusOk: known ? true : null,
      reason: known ? null : 'not shared',
      encode: null,
      record: null,
      deviceTime: null,
      alarms: [],
    });
  }

  /**
   * Recording search for a shared channel: the upper's ID mapped to the local {device, channel}, the query passed
   * down with the upper's conditions, the device's recordings sent back under the upper's ID and SN, split to the
   * link's budget and paced like the catalog. Whatever goes wrong below (not shared, device offline, refused or
   * silent) is answered SumNum 0 and logged: an honest empty answer keeps the upper from waiting for nothing. A
   * partial answer (the device stopped half-way) is sent as what it is, SumNum = the recordings we have.
   */
  async #recordInfo(link: UpperLink, query: RecordInfoQuery): Promise<void> {
    const search = this.#o.recordInfo;
    const entry = search ? (await this.#cachedOrFetch(link))?.byRemote(query.deviceId) : undefined;
    if (!search || !entry?.local) {
      this.#o.logger.info(
        { upper: link.id, deviceId: query.deviceId, searchable: search !== undefined },
        'record search impossible (channel not shared, or no search wired): SumNum 0',
      );
      await this.#sendRecords(link, query, null, []);
      return;
    }
    const local = entry.local;
    let found: RecordSearchResult;
    try {
      found = await search(local.deviceId, local.channelId, {
        startTime: query.startTime,
        endTime: query.endTime,
        filePath: query.filePath,
        address: query.address,
        secrecy: query.secrecy,
        type: query.type,
        // The upper can only name the channel by its own ID; the device knows it by ours.
        recorderId: query.recorderId === query.deviceId ? local.channelId : query.recorderId,
        indistinctQuery: query.indistinctQuery,
      });
    } catch (error) {
      this.#o.logger.info(
        { err: error, upper: link.id, deviceId: query.deviceId, local },
        'record search on the device failed: SumNum 0',
      );
      await this.#sendRecords(link, query, entry.item.name, []);
      return;
    }
    if (!found.complete) {
      this.#o.logger.info(
        { upper: link.id, local, sumNum: found.sumNum, items: found.items.length },
        'device sent part of its recordings: passing on what arrived',
      );
    }
    const items = found.items.map((item) => remapRecord(item, local, query.deviceId));
    await this.#sendRecords(link, query, entry.item.name, items);
  }

  async #sendRecords(
    link: UpperLink,
    query: RecordInfoQuery,
    name: string | null,
    items: readonly RecordItem[],
  ): Promise<void> {
    const bodies = encodeRecordInfoResponses({
      sn: query.sn,
      deviceId: query.deviceId,
      name,
      charset: link.config.charset,
      maxBytes: this.#o.requests.budget(link),
      items,
    });
    const result = await this.#o.requests.series(link, bodies);
    this.#o.logger.info(
      {
        upper: link.id,
        sn: query.sn,
        deviceId: query.deviceId,
        items: items.length,
        packets: bodies.length,
        sent: result.sent,
      },
      'recordings sent to upper',
    );
  }

  /** PTZ, keyframe and the like, down to the device under the local IDs; its Result (if any) back up. */
  async #control(link: UpperLink, control: DeviceControl): Promise<void> {
    const entry = (await this.#cachedOrFetch(link))?.byRemote(control.deviceId);
    const reply = (result: string) =>
      this.#reply(link, {
        kind: 'device-control-response',
        sn: control.sn,
        deviceId: control.deviceId,
        result,
      });
    if (!entry?.local) {
      this.#o.logger.info({ upper: link.id, deviceId: control.deviceId }, 'control for a channel not shared');
      await reply('ERROR');
      return;
    }
    if (control.teleBoot !== null) {
      this.#o.logger.info({ upper: link.id, deviceId: control.deviceId }, 'TeleBoot from an upper refused');
      await reply('ERROR');
      return;
    }
    const { ptzCmd, controlPriority, guardCmd, recordCmd, alarmCmd, iFrameCmd } = control;
    let outcome: { status: number; result: string | null };
    try {
      outcome = await this.#o.forwardControl(entry.local.deviceId, entry.local.channelId, {
        ptzCmd,
        controlPriority,
        guardCmd,
        recordCmd,
        alarmCmd,
        iFrameCmd,
      });
    } catch (error) {
      this.#o.logger.info({ err: error, upper: link.id, local: entry.local }, 'control not delivered');
      await reply('ERROR');
      return;
    }
    if (outcome.status >= 300) await reply('ERROR');
    else if (outcome.result !== null) await reply(outcome.result);
  }

  async #reply(link: UpperLink, message: TypedManscdpMessage): Promise<void> {
    const response = await this.#o.requests.message(
      link,
      encodeManscdp(message, { charset: link.config.charset }),
    );
    if (response.status >= 300) {
      this.#o.logger.info(
        { upper: link.id, kind: message.kind, status: response.status },
        'upper refused answer',
      );
    }
  }

  async #fresh(link: UpperLink): Promise<SharedCatalog | undefined> {
    try {
      return await this.#o.catalogs.refresh(link.id);
    } catch (error) {
      const cached = this.#o.catalogs.cached(link.id);
      this.#o.logger.warn(
        { err: error, upper: link.id, cached: cached !== undefined },
        'shared catalog unavailable',
      );
      return cached;
    }
  }

  async #cachedOrFetch(link: UpperLink): Promise<SharedCatalog | undefined> {
    try {
      return await this.#o.catalogs.get(link.id);
    } catch (error) {
      this.#o.logger.warn({ err: error, upper: link.id }, 'shared catalog unavailable');
      return undefined;
    }
  }
}

/**
 * A recording as the upper may see it: every item is of the channel asked (whatever DeviceID an NVR wrote), under
 * the upper's ID. RecorderID naming our channel is remapped; naming another local ID (an NVR's own) it is dropped,
 * because the upper can address nothing by our IDs.
 */
function remapRecord(item: RecordItem, local: LocalChannel, remoteId: string): RecordItem {
  const remap = (id: string | null) => (id === local.channelId ? remoteId : null);
  return { ...item, deviceId: remoteId, recorderId: remap(item.recorderId) };
}

/** Items in one encoded catalog body: its DeviceList Num (ASCII in every charset we write). */
function listNum(body: Buffer): number {
  const match = /<DeviceList Num="(\d+)"/.exec(body.toString('latin1'));
  return match ? Number(match[1]) : 0;
}
