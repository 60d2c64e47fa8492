import type { Bus, CallEnded, InviteRequest, InviteResult } from '@tessera/contracts';
import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import { type GbAnswer, parseAnswer, SdpParseError } from '@tessera/gb28181';
import type { RemoteAddress, RequestContext, SipEndpoint, SipRequest, SipResponse } from '@tessera/sip';
import { Call } from './call';
import { buildInvite } from './invite-request';
import { failureOf, gatewayClosing, inviteTimedOut, notRegistered, refusedBy } from './invite-outcome';

export interface CallManagerOptions {
  endpoint: Pick<SipEndpoint, 'request'>;
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
   * How long an INVITE may wait for its final answer. Needed on top of Timer B: after a 100 Trying RFC 3261 has no
   * timer at all. Default 10 s; the platform's bus deadline for `gateway.invite` must be longer.
   */
  inviteTimeoutMs?: number;
  /** After giving up on an INVITE, how long a late 2xx is still acknowledged and hung up. Default 32 s (64·T1). */
  lateAnswerMs?: number;
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
  /** 2xx that arrived after we had given up: acknowledged and hung up at once. */
  lateAnswers: number;
  /** 2xx whose SDP could not be read (the call is kept, with the offer's values). */
  badAnswers: number;
  deviceByes: number;
}

type EndReason = CallEnded['reason'];

/**
 * The platform's side of GB/T 28181 live play, playback and download (§9.2, notes §1.6): INVITEs a channel through
 * the device that owns it, keeps the resulting dialogs, hangs them up on request, and reports calls the device
 * ended (its BYE, or its going offline) as `gateway.call-ended`. The ACK for a 2xx is the endpoint's (`autoAck`).
 * Dialogs live in this gateway only: a `gateway.bye` must reach the replica that sent the INVITE.
 */
export class CallManager {
  readonly stats: CallManagerStats = {
    invites: 0,
    answered: 0,
    refused: 0,
    timedOut: 0,
    failed: 0,
    lateAnswers: 0,
    badAnswers: 0,
    deviceByes: 0,
  };
  readonly #o: CallManagerOptions;
  readonly #calls = new Map<string, Call>();
  readonly #pending = new Set<AbortController>();
  #closing: Promise<void> | undefined;

  constructor(options: CallManagerOptions) {
    this.#o = options;
  }

  get size(): number {
    return this.#calls.size;
  }

  get(callId: string): Call | undefined {
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
    const abort = new AbortController();
    this.#pending.add(abort);
    const sent = this.#o.endpoint.request(invite, remote, { signal: abort.signal });
    const outcome = await this.#withTimeout(sent);
    if (outcome.kind === 'timeout') {
      this.stats.timedOut++;
      this.#expectLateAnswer(sent, abort, invite, request, remote);
      return inviteTimedOut;
    }
    this.#pending.delete(abort);
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

  /** The `gateway.bye` command: hangs up and forgets the call. Idempotent: an unknown call is already gone. */
  async bye(callId: string): Promise<{ ok: true }> {
    const call = this.#calls.get(callId);
    if (call) {
      this.#calls.delete(callId);
      await this.#hangUp(call);
    }
    return { ok: true };
  }

  /** A BYE from a device: 200 and `gateway.call-ended` for one of our calls, 481 otherwise (RFC 3261 §15.1.2). */
  handleBye(request: SipRequest, context: RequestContext): void {
    const call = this.#owner(request);
    if (!call) {
      context.respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    this.#calls.delete(call.callId);
    context.respond(200, 'OK');
    this.stats.deviceByes++;
    this.#ended(call, 'device-bye');
  }

  /**
   * Another in-dialog request from a device (INFO, e.g. a vendor's status). Nothing reads them yet: 200 keeps the
   * device from tearing the call down, 481 outside a dialog.
   */
  /** The device whose call an in-dialog request belongs to (its source is checked against that device's address). */
  deviceOf(request: SipRequest): string | undefined {
    return this.#owner(request)?.deviceId;
  }

  handleInDialog(request: SipRequest, context: RequestContext): void {
    if (this.#owner(request)) context.respond(200, 'OK');
    else context.respond(481, 'Call/Transaction Does Not Exist');
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
   * Abandons pending INVITEs and hangs up every call (waiting at most `byeWaitMs`), so devices stop streaming to a
   * media server nobody will read. No `gateway.call-ended`: the gateway is going away, not the device. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const abort of this.#pending) abort.abort();
      this.#pending.clear();
      const calls = [...this.#calls.values()];
      this.#calls.clear();
      await Promise.all(calls.map((call) => this.#hangUp(call)));
    })();
    return this.#closing;
  }

  #newCall(invite: SipRequest, response: SipResponse, request: InviteRequest, remote: RemoteAddress): Call {
    return new Call({
      sessionId: request.sessionId,
      deviceId: request.deviceId,
      channelId: request.channelId,
      invite,
      response,
      remote,
      startedAt: this.#o.clock.now(),
    });
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

  #owner(request: SipRequest): Call | undefined {
    const call = this.#calls.get(request.headers.get('Call-ID') ?? '');
    return call?.owns(request) ? call : undefined;
  }

  /** Sends BYE and waits for its answer at most `byeWaitMs`; failures are logged, the call is gone either way. */
  async #hangUp(call: Call): Promise<void> {
    // In-dialog requests go where the device is now (a new TCP connection, a NAT rebinding), not to its Contact, which
    // is often a private address; the Contact is the Request-URI.
    const remote = this.#o.locate(call.deviceId) ?? call.remote;
    const bye = this.#o.endpoint.request(call.request('BYE'), remote).then(
      (response) => {
        if (response.status >= 300) {
          this.#o.logger.info({ callId: call.callId, status: response.status }, 'device refused our BYE');
        }
      },
      (error: unknown) => this.#o.logger.info({ err: error, callId: call.callId }, 'BYE failed'),
    );
    let timer: TimerHandle | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = this.#o.clock.setTimeout(resolve, this.#o.byeWaitMs ?? 2000);
    });
    await Promise.race([bye, waited]);
    if (timer) this.#o.clock.clearTimeout(timer);
  }

  #ended(call: Call, reason: EndReason): void {
    this.#o.bus
      .publish('gateway.call-ended', {
        callId: call.callId,
        sessionId: call.sessionId,
        reason,
        at: new Date(this.#o.clock.now()).toISOString(),
      })
      .catch((error: unknown) => this.#o.logger.error({ err: error }, 'publish call-ended failed'));
  }

  async #withTimeout(
    sent: Promise<SipResponse>,
  ): Promise<
    { kind: 'response'; response: SipResponse } | { kind: 'error'; error: unknown } | { kind: 'timeout' }
  > {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<{ kind: 'timeout' }>((resolve) => {
      timer = this.#o.clock.setTimeout(() => resolve({ kind: 'timeout' }), this.#o.inviteTimeoutMs ?? 10_000);
    });
    const settled = sent.then(
      (response) => ({ kind: 'response' as const, response }),
      (error: unknown) => ({ kind: 'error' as const, error }),
    );
    const outcome = await Promise.race([settled, timeout]);
    if (timer) this.#o.clock.clearTimeout(timer);
    return outcome;
  }

  /**
   * We gave up, but the device may still answer (RFC 3261 has no CANCEL-less way to stop it, and the endpoint does
   * not send CANCEL yet). A late 2xx is ACKed by the endpoint and hung up here at once; after `lateAnswerMs` the
   * transaction is dropped so that a device that only ever said 100 Trying does not hold it forever.
   */
  #expectLateAnswer(
    sent: Promise<SipResponse>,
    abort: AbortController,
    invite: SipRequest,
    request: InviteRequest,
    remote: RemoteAddress,
  ): void {
    const timer = this.#o.clock.setTimeout(() => abort.abort(), this.#o.lateAnswerMs ?? 32_000);
    sent.then(
      (response) => {
        this.#o.clock.clearTimeout(timer);
        this.#pending.delete(abort);
        if (response.status >= 300) return;
        this.stats.lateAnswers++;
        this.#o.logger.info({ deviceId: request.deviceId }, 'late 2xx to an abandoned INVITE: hanging up');
        void this.#hangUp(this.#newCall(invite, response, request, remote));
      },
      () => {
        // Abandoned for good (our abort, Timer B or the transport): nothing was established.
        this.#o.clock.clearTimeout(timer);
        this.#pending.delete(abort);
      },
    );
  }
}
