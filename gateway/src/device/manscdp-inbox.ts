import type { Logger } from '@tessera/kit';
import { type AlarmNotify, tryDecodeManscdp } from '../manscdp';
import type { GatewayMetrics } from '../metrics';
import { getFrom, type RequestContext, type SipRequest } from '../sip';
import type { DeviceQueries } from './device-queries';
import type { DeviceRequests } from './device-requests';
import type { PresenceTracker } from './presence';

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
 */
export class ManscdpInbox {
  readonly #o: ManscdpInboxOptions;

  constructor(options: ManscdpInboxOptions) {
    this.#o = options;
  }

  /** A keepalive is answered synchronously (no promise per keepalive); anything else returns a promise. */
  handle(request: SipRequest, context: RequestContext): void | Promise<void> {
    const fromDevice = getFrom(request).uri.user ?? '';
    if (isKeepaliveBody(request.body)) {
      this.#keepalive(fromDevice, context);
      return;
    }
    return this.#handleOther(request, context, fromDevice);
  }

  async #handleOther(request: SipRequest, context: RequestContext, fromDevice: string): Promise<void> {
    const o = this.#o;
    const record = o.presence.get(fromDevice);
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
      this.#keepalive(fromDevice, context);
      return;
    }
    if (!record) {
      context.respond(403, 'Not Registered');
      return;
    }

    switch (message.kind) {
      case 'catalog-response':
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

  #keepalive(fromDevice: string, context: RequestContext): void {
    const o = this.#o;
    o.metrics.manscdpMessages.inc({ kind: 'keepalive' });
    const remote = context.remote;
    const known = o.presence.keepalive(fromDevice, {
      transport: remote.transport,
      address: remote.address,
      port: remote.port,
      connectionId: remote.connectionId ?? null,
    });
    o.metrics.keepalives.inc({ result: known ? 'ok' : 'unregistered' });
    // 403 to an unknown device makes real devices register again.
    context.respond(known ? 200 : 403, known ? 'OK' : 'Forbidden');
  }
}
