import type { Logger } from '@tessera/kit';
import { type AlarmNotify, tryDecodeManscdp } from '@tessera/gb28181';
import type { GatewayMetrics } from '../metrics';
import { getFrom, type RequestContext, type SipRequest } from '@tessera/sip';
import type { DeviceQueries } from './device-queries';
import type { DeviceRequests } from './device-requests';
import { fromRegisteredAddress, fromRegisteredDevice } from './device-source';
import type { PresenceRecord, PresenceTracker } from './presence';

export interface ManscdpInboxOptions {
  presence: PresenceTracker;
  queries: DeviceQueries;
  requests: DeviceRequests;
  metrics: GatewayMetrics;
  logger: Logger;
  /** A device's alarm, after it was answered (the cascade passes it up to uppers that share the channel). */
  onAlarm?: (fromDevice: string, alarm: AlarmNotify) => void;
}

/** Keepalive bodies are tiny; longer ones are something else, or hostile. */
const KEEPALIVE_FAST_PATH_MAX_BYTES = 1024;
const KEEPALIVE_CMD = /<\s*CmdType\s*>\s*Keepalive\s*<\s*\/\s*CmdType\s*>/i;

/**
 * The keepalive is most of what a city's devices send (one a minute each). Its only fact is "this device is alive",
 * and the device is the SIP From user, so it is recognised without building an XML tree: a full parse per
 * keepalive was most of the gateway's allocation, and its garbage collection the tail of the latency.
 */
function isKeepaliveBody(body: Buffer): boolean {
  if (body.length === 0 || body.length > KEEPALIVE_FAST_PATH_MAX_BYTES) return false;
  // latin1 keeps every byte one character: GB2312 text cannot fake the ASCII element names. A keepalive is
  // recognised from the few bytes around its `Keepalive` (a substring: a match there is a match in the whole body);
  // anything else is tested whole, as always.
  const at = body.indexOf('Keepalive', 0, 'latin1');
  if (at >= 0) {
    const open = body.lastIndexOf('<', at);
    const close = body.indexOf('>', at + 9);
    if (open >= 0 && close >= 0 && KEEPALIVE_CMD.test(body.toString('latin1', open, close + 1))) return true;
  }
  return KEEPALIVE_CMD.test(body.toString('latin1'));
}

/**
 * MESSAGE and NOTIFY bodies from devices. Dispatch sniffs the XML root and CmdType, never Content-Type (srs-bench
 * sends keepalives without one). Every message is answered: some platforms judge a device offline when a keepalive
 * goes unanswered, and a device whose message got no answer retransmits it.
 *
 * Only the address a device registered from speaks for it (`fromRegisteredAddress`): anything else is answered
 * 403 (after a decode that changes nothing: a bad body is 400 for anyone) and has no effect. An unregistered ID and a registered ID from the wrong address get the same
 * `403 Forbidden`, so the answer does not tell a prober which IDs are registered; a real device reads either as
 * "register again" (GB/T 28181-2016 §9.6: a device whose keepalives fail registers again).
 */
export class ManscdpInbox {
  readonly #o: ManscdpInboxOptions;

  constructor(options: ManscdpInboxOptions) {
    this.#o = options;
  }

  /** A keepalive is answered synchronously (no promise per keepalive); anything else returns a promise. */
  handle(request: SipRequest, context: RequestContext): void | Promise<void> {
    const fromDevice = getFrom(request).uri.user ?? '';
    const mine = this.#o.presence.get(fromDevice);
    if (mine === undefined || !fromRegisteredAddress(mine.remote, context.remote)) {
      // Not a device this replica owns, or not from where our copy says: the shared record decides (another
      // replica may own it, or the device registered again there). Off the hot path: only on a miss.
      return this.#fromStore(request, context, fromDevice);
    }
    if (isKeepaliveBody(request.body)) {
      this.#keepalive(fromDevice, mine, context, true);
      return;
    }
    return this.#handleOther(request, context, fromDevice, mine, true);
  }

  async #fromStore(request: SipRequest, context: RequestContext, fromDevice: string): Promise<void> {
    let record: PresenceRecord | undefined;
    let registered = false;
    try {
      const stored = /^\d{1,32}$/.test(fromDevice) ? await this.#o.presence.load(fromDevice) : undefined;
      registered = stored !== undefined;
      if (stored) record = this.#speaker(request, fromDevice, context, stored);
    } catch (error) {
      // Without the store, what this replica knows decides (a Redis outage must not silence its own devices).
      this.#o.logger.debug({ err: error, fromDevice }, 'presence store unreadable');
      const mine = this.#o.presence.get(fromDevice);
      registered = mine !== undefined;
      if (mine) record = this.#speaker(request, fromDevice, context, mine);
    }
    // Its packets reach this replica now: it owns the device (offline timer, commands) from here on.
    if (record && this.#o.presence.get(fromDevice) !== record) {
      if (record.node !== this.#o.presence.node) this.#o.metrics.deviceTakeovers.inc({ how: 'packet' });
      record = this.#o.presence.take(record);
    }
    if (isKeepaliveBody(request.body)) {
      this.#keepalive(fromDevice, record, context, registered);
      return;
    }
    return this.#handleOther(request, context, fromDevice, record, registered);
  }

  /**
   * The device's record when the request really comes from where it registered, else undefined; a registered ID
   * from another address is counted (a hijack attempt, or a NAT that rebound the device's port).
   */
  #speaker(
    request: SipRequest,
    fromDevice: string,
    context: RequestContext,
    record: PresenceRecord,
  ): PresenceRecord | undefined {
    if (fromRegisteredDevice(record, context.remote, this.#o.presence.node)) return record;
    this.#o.metrics.sourceMismatches.inc({ method: request.method, peer: 'device' });
    this.#o.logger.debug(
      { fromDevice, source: context.remote, registered: record.remote },
      'request for a registered device from another address refused',
    );
    return undefined;
  }

  async #handleOther(
    request: SipRequest,
    context: RequestContext,
    fromDevice: string,
    record: PresenceRecord | undefined,
    registered: boolean,
  ): Promise<void> {
    const o = this.#o;
    // Decoded whoever sent it (a bad body is 400 and counted for anyone, so the answer does not depend on whether
    // the ID is registered); acted on only for the device itself.
    const decoded = tryDecodeManscdp(request.body, { charset: record?.charset ?? undefined });
    if (!decoded.ok) {
      o.metrics.manscdpErrors.inc({ reason: decoded.error.reason });
      o.logger.debug({ fromDevice, reason: decoded.error.reason }, 'bad MANSCDP body');
      context.respond(400, `Bad MANSCDP: ${decoded.error.reason}`);
      return;
    }
    const message = decoded.message;
    o.metrics.manscdpMessages.inc({ kind: message.kind });

    if (message.kind === 'keepalive') {
      this.#keepalive(fromDevice, record, context, registered);
      return;
    }
    if (!record) {
      context.respond(403, 'Forbidden');
      return;
    }

    switch (message.kind) {
      case 'catalog-response':
        // A catalog is the catalog of the device that sends it (a lower platform answers under its own ID): a
        // registered device must not fill another device's catalog by naming it in the body.
        if (message.deviceId !== fromDevice) {
          o.metrics.manscdpErrors.inc({ reason: 'foreign-device-id' });
          context.respond(403, 'Forbidden');
          return;
        }
        context.respond(200, 'OK');
        o.queries.acceptCatalog(message);
        return;
      case 'catalog-notify':
        context.respond(200, 'OK');
        await o.queries.acceptCatalogNotify(fromDevice, message);
        return;
      case 'device-info-response':
        context.respond(200, 'OK');
        o.queries.acceptDeviceInfo(message);
        return;
      case 'device-status-response':
        context.respond(200, 'OK');
        o.queries.acceptDeviceStatus(message);
        return;
      case 'device-control-response':
        context.respond(200, 'OK');
        o.queries.acceptDeviceControl(message);
        return;
      case 'record-info-response':
        context.respond(200, 'OK');
        o.queries.acceptRecordInfo(message);
        return;
      case 'alarm-notify': {
        // The 200 carries no body; the business answer is a separate Response MESSAGE (notes §1.5).
        context.respond(200, 'OK');
        o.logger.info(
          { deviceId: message.deviceId, priority: message.priority, type: message.alarmType },
          'alarm',
        );
        const answer = {
          kind: 'alarm-response',
          sn: message.sn,
          deviceId: message.deviceId,
          result: 'OK',
        } as const;
        o.requests.message(record, answer).catch((error: unknown) => {
          o.logger.warn({ err: error, deviceId: fromDevice }, 'alarm response not delivered');
        });
        o.onAlarm?.(fromDevice, message);
        return;
      }
      default:
        context.respond(200, 'OK');
        return;
    }
  }

  #keepalive(
    fromDevice: string,
    record: PresenceRecord | undefined,
    context: RequestContext,
    registered: boolean,
  ): void {
    const o = this.#o;
    o.metrics.manscdpMessages.inc({ kind: 'keepalive' });
    const known = record !== undefined && o.presence.keepalive(fromDevice);
    if (!known) {
      const result = registered ? 'wrong-source' : 'unregistered';
      o.metrics.keepalives.inc({ result });
    } else o.metrics.keepalives.inc({ result: 'ok' });
    // The same 403 for an unknown device and for a known one from elsewhere: real devices register again on it.
    if (known) context.respond(200, 'OK');
    else context.respond(403, 'Forbidden');
  }
}
