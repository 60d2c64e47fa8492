import { answerMediaDialogRequest } from '../media-dialog-requests';
import type { Bus, CallEnded, InviteRequest, InviteResult } from '@tessera/contracts';
import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import { type GbAnswer, parseAnswer, SdpParseError } from '@tessera/gb28181';
import {
  Dialog,
  type DialogHandler,
  type RemoteAddress,
  type RequestContext,
  type SipEndpoint,
  type SipRequest,
  type SipResponse,
} from '@tessera/sip';
import { buildInvite } from './invite-request';
import { failureOf, gatewayClosing, inviteTimedOut, notRegistered, refusedBy } from './invite-outcome';

export interface CallManagerOptions {
  endpoint: Pick<SipEndpoint, 'request' | 'openDialog' | 'closeDialog' | 'dialogs'>;
  bus: Pick<Bus, 'publish'>;
  clock: Clock;
  logger: Logger;
  platformId: string;
  realm: string;
  /** `host:port` devices reach us at, for Contact. */
  contactHost: () => string;
  /** Where the device is now (presence: its packet source, or its TCP connection); undefined when offline. */
  locate: (deviceId: string) => RemoteAddress | undefined;
  /**
   * Whether a request in a call's dialog comes from the device (its registered address, see device-source.ts);
   * false answers it 403 and the call goes on. Counting the mismatch is the caller's. Default: any source.
   */
  fromDevice?: (deviceId: string, request: SipRequest, source: RemoteAddress) => boolean;
  /**
   * How long an INVITE may wait for its final answer. Needed on top of Timer B: after a 100 Trying RFC 3261 has no
   * timer at all. Default 10 s; the platform's bus deadline for `gateway.invite` must be longer.
   */
  inviteTimeoutMs?: number;
  /** How long `bye` (and `close`) wait for the device's answer to our BYE. Default 2 s. */
  byeWaitMs?: number;
}

/** Plain counters, for a metrics collector to read. */
export interface CallManagerStats {
  invites: number;
  answered: number;
  refused: number;
  timedOut: number;
  failed: number;
  /** INVITEs we gave up on and CANCELled (RFC 3261 §9.1). */
  cancelled: number;
  /** 2xx that arrived after we had given up (raced our CANCEL): acknowledged and hung up at once. */
  lateAnswers: number;
  /** 2xx whose SDP could not be read (the call is kept, with the offer's values). */
  badAnswers: number;
  deviceByes: number;
}

type EndReason = CallEnded['reason'];

/** One answered INVITE: its dialog (we are the UAC, RFC 3261 §12.1.2) and what the platform asked for. */
export interface PlayCall {
  readonly dialog: Dialog;
  readonly callId: string;
  readonly sessionId: string;
  readonly deviceId: string;
  readonly channelId: string;
  readonly startedAt: number;
}

/** What a play dialog's record carries, so that another replica can find the device and end the call. */
const PLAY = 'play';

/**
 * The platform's side of GB/T 28181 live play, playback and download (§9.2, notes §1.6): INVITEs a channel through
 * the device that owns it, keeps the resulting dialogs, hangs them up on request, and reports calls the device
 * ended (its BYE, or its going offline) as `gateway.call-ended`. The ACK for a 2xx is the endpoint's (`autoAck`),
 * the dialogs are the endpoint's dialog layer's: the device's requests in them reach `#dialogHandler`, and their
 * records (when the store persists) let a `gateway.bye` that lands on another replica end the call there. An INVITE
 * we give up on (our timeout, closing) is CANCELled, so that the camera does not start streaming to nobody.
 */
export class CallManager {
  readonly stats: CallManagerStats = {
    invites: 0,
    answered: 0,
    refused: 0,
    timedOut: 0,
    failed: 0,
    cancelled: 0,
    lateAnswers: 0,
    badAnswers: 0,
    deviceByes: 0,
  };
  readonly #o: CallManagerOptions;
  readonly #calls = new Map<string, PlayCall>();
  /** INVITEs in flight: aborting one CANCELs it; settled when its transaction has ended. */
  readonly #pending = new Map<AbortController, Promise<unknown>>();
  readonly #dialogHandler: DialogHandler = {
    onRequest: (request, context, dialog) => this.#inDialog(request, context, dialog),
  };
  #closing: Promise<void> | undefined;

  constructor(options: CallManagerOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#calls.size;
  }

  get(callId: string): PlayCall | undefined {
    return this.#calls.get(callId);
  }

  /** The `gateway.invite` command. Never rejects for device behaviour; SdpBuildError for an offer that cannot be written. */
  async invite(request: InviteRequest): Promise<InviteResult> {
    if (this.#closing) return gatewayClosing(false);
    const remote = this.#o.locate(request.deviceId);
    if (!remote) return notRegistered;
    const invite = buildInvite(request, {
      platformId: this.#o.platformId,
      realm: this.#o.realm,
      contactHost: this.#o.contactHost(),
    });
    this.stats.invites++;
    const giveUp = new AbortController();
    const sent = this.#o.endpoint.request(invite, remote, { cancel: giveUp.signal });
    this.#pending.set(giveUp, this.#settleAbandoned(sent, giveUp, request));
    const outcome = await this.#withTimeout(sent, giveUp.signal, request.answerTimeoutMs);
    if (outcome.kind === 'timeout') {
      // §9.1: CANCEL it (now, or after its first provisional response); a 2xx racing the CANCEL is the endpoint's
      // to ACK and hang up.
      giveUp.abort();
      if (this.#closing) return gatewayClosing(true);
      this.stats.timedOut++;
      return inviteTimedOut;
    }
    if (outcome.kind === 'error') {
      if (this.#closing) return gatewayClosing(true);
      this.stats.failed++;
      this.#o.logger.info({ err: outcome.error, deviceId: request.deviceId }, 'INVITE failed');
      return failureOf(outcome.error);
    }
    const response = outcome.response;
    if (response.status >= 300) {
      this.stats.refused++;
      return refusedBy(response.status, response.reason);
    }
    const call = this.#newCall(invite, response, request, remote);
    if (this.#closing) {
      // Answered while we were closing: the ACK went out, so the dialog exists and must be ended.
      void this.#hangUp(call);
      return gatewayClosing(true);
    }
    this.#calls.set(call.callId, call);
    this.#o.endpoint.openDialog(call.dialog, this.#dialogHandler);
    this.stats.answered++;
    const answer = this.#readAnswer(response, request);
    return {
      ok: true,
      callId: call.callId,
      deviceHost: answer?.host ?? null,
      devicePort: answer?.port ?? null,
      ssrc: answer?.ssrc ?? null,
      setup: answer?.setup ?? null,
    };
  }

  /**
   * The `gateway.bye` command: hangs up and forgets the call. A call this replica does not hold is looked up in the
   * persisted dialog records (another replica placed it), ended from here, and announced as `gateway.call-ended`
   * (`hung-up`), so that the replica holding it in memory forgets it (`endedElsewhere`) instead of keeping a dead
   * call until the device's BYE or its going offline. Idempotent: an unknown call is already gone.
   */
  async bye(callId: string): Promise<{ ok: true }> {
    const call = this.#calls.get(callId);
    if (call) {
      this.#calls.delete(callId);
      await this.#hangUp(call);
      return { ok: true };
    }
    let dialogs: Dialog[];
    try {
      dialogs = await this.#o.endpoint.dialogs.load(callId);
    } catch (error) {
      this.#o.logger.warn({ err: error, callId }, 'dialog record unreadable: BYE not sent');
      return { ok: true };
    }
    for (const dialog of dialogs) {
      if (dialog.data.kind !== PLAY) continue;
      const deviceId = dialog.data.deviceId ?? '';
      this.#o.logger.info({ callId, deviceId }, "ending another replica's call from its dialog record");
      this.#o.endpoint.closeDialog(dialog);
      await this.#sendBye(dialog, deviceId);
      this.#publishEnded(callId, dialog.data.sessionId ?? '', 'hung-up');
    }
    return { ok: true };
  }

  /**
   * `gateway.call-ended` from any replica: a call still held here was ended elsewhere (another replica sent its BYE
   * from the record), so it is forgotten here without a BYE of our own. Our own events find the call gone already.
   */
  endedElsewhere(callId: string): void {
    const call = this.#calls.get(callId);
    if (!call) return;
    this.#calls.delete(callId);
    this.#o.endpoint.closeDialog(call.dialog);
    this.#o.logger.info({ callId, deviceId: call.deviceId }, 'call ended by another replica: forgotten here');
  }

  /**
   * The device went offline (presence): its calls are over. A BYE is still tried, without waiting: a device that
   * only missed keepalives may well be streaming, and one that is gone costs a few retransmissions.
   */
  deviceOffline(deviceId: string): void {
    for (const call of [...this.#calls.values()]) {
      if (call.deviceId !== deviceId) continue;
      this.#calls.delete(call.callId);
      this.#ended(call, 'device-offline');
      void this.#hangUp(call);
    }
  }

  /**
   * The device's request in one of our calls' dialogs (the endpoint routed it by dialog ID, RFC 3261 §12.2.2):
   * only from where the device registered (else 403, the call goes on). BYE ends the call (200 and
   * `gateway.call-ended`, §15.1.2); INFO (a vendor's status) is answered 200 so the device does not tear the call
   * down; a re-INVITE is refused, the stream cannot be changed in place.
   */
  #inDialog(request: SipRequest, context: RequestContext, dialog: Dialog): void {
    const call = this.#calls.get(dialog.callId);
    if (!call || call.dialog !== dialog) {
      context.respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    if (this.#o.fromDevice && !this.#o.fromDevice(call.deviceId, request, context.remote)) {
      context.respond(403, 'Forbidden');
      return;
    }
    if (answerMediaDialogRequest(request, context) === 'answered') return;
    this.#calls.delete(call.callId);
    this.#o.endpoint.closeDialog(dialog);
    context.respond(200, 'OK');
    this.stats.deviceByes++;
    this.#ended(call, 'device-bye');
  }

  /**
   * Abandons pending INVITEs and hangs up every call (waiting at most `byeWaitMs`), so devices stop streaming to a
   * media server nobody will read. No `gateway.call-ended`: the gateway is going away, not the device. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      // CANCEL what is still ringing, and give those CANCELs the same time as the BYEs to go out.
      const pending = [...this.#pending.entries()];
      for (const [giveUp] of pending) giveUp.abort();
      const calls = [...this.#calls.values()];
      this.#calls.clear();
      await Promise.all([
        ...calls.map((call) => this.#hangUp(call)),
        this.#atMost(Promise.all(pending.map(([, settled]) => settled))),
      ]);
    })();
    return this.#closing;
  }

  #newCall(
    invite: SipRequest,
    response: SipResponse,
    request: InviteRequest,
    remote: RemoteAddress,
  ): PlayCall {
    const dialog = Dialog.asUac({
      request: invite,
      response,
      remote,
      // Without a Contact in the 2xx, the channel at the address we reached it on.
      targetUser: request.channelId,
      data: {
        kind: PLAY,
        sessionId: request.sessionId,
        deviceId: request.deviceId,
        channelId: request.channelId,
      },
    });
    return {
      dialog,
      callId: dialog.callId,
      sessionId: request.sessionId,
      deviceId: request.deviceId,
      channelId: request.channelId,
      startedAt: this.#o.clock.now(),
    };
  }

  /** The device's SDP; null when its 2xx has none (srs-bench) or one we cannot read (counted and logged). */
  #readAnswer(response: SipResponse, request: InviteRequest): GbAnswer | null {
    if (response.body.length === 0) return null;
    try {
      return parseAnswer(response.body);
    } catch (error) {
      if (!(error instanceof SdpParseError)) throw error;
      this.stats.badAnswers++;
      this.#o.logger.warn(
        { err: error, deviceId: request.deviceId, channelId: request.channelId },
        'unreadable SDP answer; keeping the call with the offered values',
      );
      return null;
    }
  }

  /** Ends the dialog and sends BYE; failures are logged, the call is gone either way. */
  #hangUp(call: PlayCall): Promise<void> {
    this.#o.endpoint.closeDialog(call.dialog);
    return this.#sendBye(call.dialog, call.deviceId);
  }

  /** BYE in the dialog, waiting for its answer at most `byeWaitMs`. */
  async #sendBye(dialog: Dialog, deviceId: string): Promise<void> {
    // In-dialog requests go where the device is now (a new TCP connection, a NAT rebinding), not to its Contact, which
    // is often a private address; the Contact is the Request-URI.
    const remote = this.#o.locate(deviceId) ?? dialog.remote;
    const bye = this.#o.endpoint.request(dialog.request('BYE'), remote).then(
      (response) => {
        if (response.status >= 300) {
          this.#o.logger.info({ callId: dialog.callId, status: response.status }, 'device refused our BYE');
        }
      },
      (error: unknown) => this.#o.logger.info({ err: error, callId: dialog.callId }, 'BYE failed'),
    );
    await this.#atMost(bye);
  }

  /** Waits for `work`, but at most `byeWaitMs`. */
  async #atMost(work: Promise<unknown>): Promise<void> {
    let timer: TimerHandle | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = this.#o.clock.setTimeout(resolve, this.#o.byeWaitMs ?? 2000);
    });
    await Promise.race([work, waited]);
    if (timer) this.#o.clock.clearTimeout(timer);
  }

  #ended(call: PlayCall, reason: EndReason): void {
    this.#publishEnded(call.callId, call.sessionId, reason);
  }

  #publishEnded(callId: string, sessionId: string, reason: EndReason): void {
    this.#o.bus
      .publish('gateway.call-ended', {
        callId,
        sessionId,
        reason,
        at: new Date(this.#o.clock.now()).toISOString(),
      })
      .catch((error: unknown) => this.#o.logger.error({ err: error }, 'publish call-ended failed'));
  }

  /**
   * The INVITE's outcome, or 'timeout' at the INVITE timeout (or the requester's `answerTimeoutMs`, if shorter) or
   * when it is given up (closing) before.
   */
  async #withTimeout(
    sent: Promise<SipResponse>,
    givenUp: AbortSignal,
    answerTimeoutMs: number | undefined,
  ): Promise<
    { kind: 'response'; response: SipResponse } | { kind: 'error'; error: unknown } | { kind: 'timeout' }
  > {
    let timer: TimerHandle | undefined;
    let onAbort: (() => void) | undefined;
    const timeout = new Promise<{ kind: 'timeout' }>((resolve) => {
      // The requester's own wait when shorter: after it nobody reads the answer.
      const waitMs = Math.min(answerTimeoutMs ?? Number.POSITIVE_INFINITY, this.#o.inviteTimeoutMs ?? 10_000);
      timer = this.#o.clock.setTimeout(() => resolve({ kind: 'timeout' }), waitMs);
      onAbort = () => resolve({ kind: 'timeout' });
      givenUp.addEventListener('abort', onAbort, { once: true });
    });
    const settled = sent.then(
      (response) => ({ kind: 'response' as const, response }),
      (error: unknown) => ({ kind: 'error' as const, error }),
    );
    const outcome = await Promise.race([settled, timeout]);
    if (timer) this.#o.clock.clearTimeout(timer);
    if (onAbort) givenUp.removeEventListener('abort', onAbort);
    return outcome;
  }

  /**
   * Counts how an INVITE we gave up on ended: a 487 (our CANCEL worked), or a 2xx that raced it (the endpoint
   * ACKed it and sent BYE, RFC 3261 §15); and forgets it once its transaction is over.
   */
  async #settleAbandoned(
    sent: Promise<SipResponse>,
    giveUp: AbortController,
    request: InviteRequest,
  ): Promise<void> {
    try {
      const response = await sent;
      if (!giveUp.signal.aborted) return;
      if (response.status < 300) {
        this.stats.lateAnswers++;
        this.#o.logger.info({ deviceId: request.deviceId }, 'a 2xx raced our CANCEL: ACKed and hung up');
      } else this.stats.cancelled++;
    } catch {
      // Abandoned for good (Timer B, 64·T1 after our CANCEL, the transport): nothing was established.
      if (giveUp.signal.aborted) this.stats.cancelled++;
    } finally {
      this.#pending.delete(giveUp);
    }
  }
}
