import { answerMediaDialogRequest } from '../media-dialog-requests';
import type { Bus, RelayOpenResult } from '@tessera/contracts';
import { type Clock, type Logger, TimeoutError, type TimerHandle } from '@tessera/kit';
import { SdpParseError } from '@tessera/gb28181';
import {
  Dialog,
  type DialogHandler,
  getCallId,
  parseUri,
  type RequestContext,
  type SipEndpoint,
  type SipRequest,
} from '@tessera/sip';
import { CascadeError } from './errors';
import { buildRelayAnswer, readUpperOffer } from './relay-sdp';
import type { UpperLink } from './upper-link';

/** `data.kind` of a relay's dialog record. */
export const RELAY = 'relay';

export type RelayOutcome = 'opened' | 'refused' | 'bad-offer' | 'unsupported' | 'failed' | 'cancelled';

export interface RelaysOptions {
  endpoint: Pick<SipEndpoint, 'request' | 'openDialog' | 'closeDialog' | 'releaseDialog'>;
  bus: Pick<Bus, 'request'>;
  clock: Clock;
  logger: Logger;
  /** `host:port` the upper reaches us at (Contact of our 200). */
  contactHost: () => string;
  /** Deadline of `cascade.relay-open`: the platform may have to INVITE the device and wait for its first frame. */
  openTimeoutMs: number;
  /** A 2xx not ACKed within this is hung up (default 32 s = 64·T1, when the endpoint stops retransmitting it). */
  ackTimeoutMs?: number;
  /** How long `close()` waits for the answers to its BYEs (default 2 s). */
  byeWaitMs?: number;
  onOutcome?: (outcome: RelayOutcome) => void;
  /**
   * Whether the upper may still speak in its dialog (link enabled, request from its address); false answers the
   * request (403) itself. Default: always.
   */
  admit?: (upperId: string, request: SipRequest, context: RequestContext) => Promise<boolean>;
}

interface Relay {
  relayId: string;
  upperId: string;
  channelId: string;
  dialog: Dialog;
  ackTimer: TimerHandle | undefined;
}

/**
 * Live video an upper asks of us (notes §1.8): its INVITE for a shared channel becomes `cascade.relay-open` (the
 * platform starts or joins the upstream and has the media server send PS to the upper), the answer our 200 OK.
 * We are the UAS of these dialogs: the upper's BYE is `cascade.relay-close`; `cascade.relay-ended` from the platform
 * (the device hung up, media stopped) is our BYE to the upper. A CANCEL while the platform is still opening closes
 * the relay as soon as it is open. The dialogs are the endpoint's dialog layer's (it routes the upper's BYE, INFO,
 * ACK and re-INVITE here by dialog ID); the relay itself lives in this gateway replica.
 */
export class Relays {
  readonly #o: RelaysOptions;
  readonly #byCallId = new Map<string, Relay>();
  readonly #byRelayId = new Map<string, Relay>();
  readonly #dialogHandler: DialogHandler = {
    onRequest: (request, context, dialog) => this.#inDialog(request, context, dialog),
    onAck: (_ack, _remote, dialog) => this.#confirmed(dialog),
  };
  #closing: Promise<void> | undefined;

  constructor(options: RelaysOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#byRelayId.size;
  }

  /** A new INVITE from an upper (one inside a relay's dialog reaches `#inDialog` instead). */
  async handleInvite(link: UpperLink, request: SipRequest, context: RequestContext): Promise<void> {
    context.respond(100, 'Trying');
    const callId = getCallId(request);
    const channelId = requestUser(request);
    let offer: ReturnType<typeof readUpperOffer>;
    try {
      offer = readUpperOffer(request.body);
    } catch (error) {
      this.#refuseOffer(link, channelId, error, context);
      return;
    }
    if (this.#closing) {
      context.respond(503, 'Service Unavailable');
      return;
    }
    let result: RelayOpenResult;
    try {
      result = await this.#o.bus.request(
        'cascade.relay-open',
        { upperId: link.id, callId, channelId, offer },
        { timeoutMs: this.#o.openTimeoutMs },
      );
    } catch (error) {
      this.#o.onOutcome?.('failed');
      this.#o.logger.warn({ err: error, upper: link.id, channelId }, 'relay-open failed');
      if (!context.responded) {
        if (error instanceof TimeoutError) context.respond(504, 'Server Time-out');
        else context.respond(500, 'Server Internal Error');
      }
      return;
    }
    if (context.signal.aborted || this.#closing) {
      // The upper CANCELled (the endpoint answered 487) or we are closing: whatever opened must be closed again.
      this.#o.onOutcome?.('cancelled');
      if (result.ok) this.#close(result.relayId, context.signal.aborted ? 'cancelled' : 'gateway-closing');
      else if (!context.responded) context.respond(503, 'Service Unavailable');
      return;
    }
    if (!result.ok) {
      this.#o.onOutcome?.('refused');
      context.respond(result.status, result.reason);
      return;
    }
    const transport = context.remote.transport === 'tcp' ? ';transport=tcp' : '';
    const response = context.respond(200, 'OK', {
      headers: [
        ['Contact', `<sip:${link.config.localId}@${this.#o.contactHost()}${transport}>`],
        ['Content-Type', 'APPLICATION/SDP'],
      ],
      body: buildRelayAnswer({
        originId: channelId,
        host: result.host,
        port: result.port,
        transport: offer.transport,
        // The SSRC the media server really sends with; the platform echoes the upper's y= (the contract's egress).
        ssrc: result.ssrc,
      }),
    });
    const relay: Relay = {
      relayId: result.relayId,
      upperId: link.id,
      channelId,
      dialog: Dialog.asUas({
        request,
        response,
        remote: context.remote,
        // What another replica needs to end it (`adopt`): whose it is and the platform's relay.
        data: { kind: RELAY, upperId: link.id, relayId: result.relayId, channelId },
      }),
      ackTimer: undefined,
    };
    relay.ackTimer = this.#o.clock.setTimeout(() => {
      this.#o.logger.warn({ upper: link.id, relayId: relay.relayId }, 'no ACK for our 200: hanging up');
      this.#forget(relay);
      this.#close(relay.relayId, 'no-ack');
      void this.#bye(relay);
    }, this.#o.ackTimeoutMs ?? 32_000);
    this.#byCallId.set(callId, relay);
    this.#byRelayId.set(relay.relayId, relay);
    this.#o.endpoint.openDialog(relay.dialog, this.#dialogHandler);
    this.#o.onOutcome?.('opened');
    this.#o.logger.info(
      { upper: link.id, channelId, relayId: relay.relayId, offer },
      'relay to upper opened',
    );
  }

  /**
   * A relay another replica answered, from its record, when this replica took the upper's link (`Cascade.takeOver`)
   * or the upper's request in it reached us (the endpoint's `adoptDialog`). Its media never ran in the gateway: the
   * egress is the media server's and keeps sending; held here, the upper's BYE closes it (`cascade.relay-close`) and
   * `cascade.relay-ended` BYEs the upper from here. Undefined: not a relay of this link, or already held.
   */
  adopt(upperId: string, dialog: Dialog): DialogHandler | undefined {
    const { kind, relayId, channelId } = dialog.data;
    if (kind !== RELAY || dialog.data.upperId !== upperId || dialog.role !== 'uas' || !relayId)
      return undefined;
    if (this.#closing || this.#byCallId.has(dialog.callId) || this.#byRelayId.has(relayId)) return undefined;
    // An ACK that never came is no longer ours to wait for: the holder that answered would have hung up on it.
    const relay: Relay = { relayId, upperId, channelId: channelId ?? '', dialog, ackTimer: undefined };
    this.#byCallId.set(dialog.callId, relay);
    this.#byRelayId.set(relayId, relay);
    this.#o.endpoint.openDialog(dialog, this.#dialogHandler);
    this.#o.logger.info({ upper: upperId, relayId, callId: dialog.callId }, 'relay to upper taken over');
    return this.#dialogHandler;
  }

  /** The ACK for our 200 (routed by the endpoint to the relay's dialog): confirmed, no hang-up for want of it. */
  #confirmed(dialog: Dialog): void {
    const relay = this.#byCallId.get(dialog.callId);
    if (relay?.dialog !== dialog) return;
    if (relay.ackTimer) this.#o.clock.clearTimeout(relay.ackTimer);
    relay.ackTimer = undefined;
  }

  /**
   * The upper's request in a relay's dialog: BYE is 200 and `cascade.relay-close`; INFO is 200 (MANSRTSP playback
   * control belongs to Playback relays, not built yet); a re-INVITE (session refresh, hold) is refused: nothing in
   * GB/T 28181 needs one and we cannot change the stream.
   */
  async #inDialog(request: SipRequest, context: RequestContext, dialog: Dialog): Promise<void> {
    const relay = this.#byCallId.get(dialog.callId);
    if (relay?.dialog !== dialog) {
      context.respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    if (this.#o.admit && !(await this.#o.admit(relay.upperId, request, context))) return;
    if (answerMediaDialogRequest(request, context) === 'answered') return;
    this.#forget(relay);
    context.respond(200, 'OK');
    this.#close(relay.relayId, 'upper-bye');
  }

  /** `cascade.relay-ended`: the stream ended below us; BYE the upper. Unknown relays belong to another replica. */
  async relayEnded(relayId: string, reason: string): Promise<void> {
    const relay = this.#byRelayId.get(relayId);
    if (!relay) return;
    this.#forget(relay);
    this.#o.logger.info({ relayId, reason, upper: relay.upperId }, 'relay ended below: BYE to upper');
    await this.#bye(relay);
  }

  /**
   * This replica lost the upper's link (its lease) while alive: the relays are the new holder's, forgotten here
   * without a BYE or a relay-close (the media keeps flowing); their records stay for the new holder.
   */
  release(upperId: string): void {
    for (const relay of [...this.#byRelayId.values()]) {
      if (relay.upperId !== upperId) continue;
      if (relay.ackTimer) this.#o.clock.clearTimeout(relay.ackTimer);
      this.#byCallId.delete(relay.dialog.callId);
      this.#byRelayId.delete(relay.relayId);
      this.#o.endpoint.releaseDialog(relay.dialog);
    }
  }

  /** Hangs up every relay (BYE to the upper, relay-close to the platform) and refuses new INVITEs. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const relays = [...this.#byRelayId.values()];
      for (const relay of relays) {
        this.#forget(relay);
        this.#close(relay.relayId, 'gateway-closing');
      }
      let timer: TimerHandle | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = this.#o.clock.setTimeout(resolve, this.#o.byeWaitMs ?? 2_000);
      });
      await Promise.race([Promise.all(relays.map((relay) => this.#bye(relay))), waited]);
      if (timer) this.#o.clock.clearTimeout(timer);
    })();
    return this.#closing;
  }

  #refuseOffer(link: UpperLink, channelId: string, error: unknown, context: RequestContext): void {
    if (error instanceof CascadeError && error.reason === 'unsupported-session') {
      this.#o.onOutcome?.('unsupported');
      context.respond(488, 'Not Acceptable Here');
      return;
    }
    if (!(error instanceof CascadeError) && !(error instanceof SdpParseError)) throw error;
    this.#o.onOutcome?.('bad-offer');
    this.#o.logger.info({ upper: link.id, channelId, reason: error.message }, 'unusable INVITE offer');
    // wvp answers an offer without y= with 400 too (notes §1.8).
    context.respond(
      400,
      error instanceof CascadeError && error.reason === 'no-ssrc' ? 'Missing y= SSRC' : 'Bad SDP',
    );
  }

  #forget(relay: Relay): void {
    if (relay.ackTimer) this.#o.clock.clearTimeout(relay.ackTimer);
    relay.ackTimer = undefined;
    this.#byCallId.delete(relay.dialog.callId);
    this.#byRelayId.delete(relay.relayId);
    this.#o.endpoint.closeDialog(relay.dialog);
  }

  #close(relayId: string, reason: string): void {
    this.#o.bus
      .request('cascade.relay-close', { relayId, reason }, { timeoutMs: 5_000 })
      .catch((error: unknown) => this.#o.logger.warn({ err: error, relayId }, 'relay-close failed'));
  }

  async #bye(relay: Relay): Promise<void> {
    try {
      const response = await this.#o.endpoint.request(relay.dialog.request('BYE'), relay.dialog.remote);
      if (response.status >= 300) {
        this.#o.logger.info({ relayId: relay.relayId, status: response.status }, 'upper refused our BYE');
      }
    } catch (error) {
      this.#o.logger.info({ err: error, relayId: relay.relayId }, 'BYE to upper failed');
    }
  }
}

/** The Request-URI user: the channel ID as the upper sees it. */
function requestUser(request: SipRequest): string {
  try {
    return parseUri(request.uri).user ?? '';
  } catch {
    return '';
  }
}
