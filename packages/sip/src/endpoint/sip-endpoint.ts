import { type Clock, systemClock } from '@tessera/kit';
import { Dialog } from '../dialog/dialog';
import { DialogStore } from '../dialog/dialog-store';
import { SipTransportError, TransactionCancelledError } from '../errors';
import { readTag } from '../dialog/in-dialog-request';
import { getCallId, getCSeq, getFrom } from '../message/fields';
import { newBranch } from '../message/ids';
import type { SipRequest, SipResponse } from '../message/message';
import { type SipTimers, transactionTimeout } from '../transaction/timers';
import type { ClientRequestOptions } from '../transaction/transaction';
import { type ServerTransaction, SipTransactionLayer } from '../transaction/transaction-layer';
import type { RemoteAddress, SipTransport } from '../transport/transport';
import { type AckOptions, build2xxAck } from './ack-2xx';
import { type SipEndpointStats, snapshotStats } from './endpoint-stats';
import { InviteCancel } from './invite-cancel';
import { ackKey, OkRetransmitter } from './ok-retransmitter';
import { type RequestContext, ServerRequestContext } from './request-context';

export type RequestHandler = (request: SipRequest, context: RequestContext) => void | Promise<void>;
export type AckHandler = (ack: SipRequest, remote: RemoteAddress) => void;

/** What the owner of a dialog does with the other side's requests in it. */
export interface DialogHandler {
  /**
   * BYE, INFO, NOTIFY, SUBSCRIBE, re-INVITE, UPDATE… in the dialog, after the CSeq check (§12.2.2). Must answer
   * through the context (a throw or rejection is answered 500). Ending the dialog is the handler's: `closeDialog`.
   */
  onRequest(request: SipRequest, context: RequestContext, dialog: Dialog): void | Promise<void>;
  /** The ACK for our 2xx to the dialog's INVITE (it may carry an SDP answer); the dialog is confirmed by then. */
  onAck?(ack: SipRequest, remote: RemoteAddress, dialog: Dialog): void;
}

export interface SipEndpointOptions {
  /** At most one per kind. The endpoint owns them: `close()` closes them. */
  transports: readonly SipTransport[];
  clock?: Clock;
  timers?: Partial<SipTimers>;
  /**
   * Host written in our Via sent-by. Defaults to the transport's bound address, which is wrong when bound to
   * 0.0.0.0: set it to the address devices can reach.
   */
  viaHost?: string;
  /** Written as User-Agent into requests that have none. */
  userAgent?: string;
  /** The dialogs in-dialog requests are routed to (default: a memory store of its own). */
  dialogs?: DialogStore;
  /**
   * What a request with a To-tag that matches no open dialog gets: 'reject' answers it 481 (RFC 3261 §12.2.2) and
   * absorbs such an ACK; 'pass' (the default, for peers that keep no dialogs, such as a simulated camera) hands it
   * to `onRequest` / `onAck` as if it were outside any dialog.
   */
  unknownDialogs?: 'reject' | 'pass';
  /**
   * Methods handed to `onRequest` even with 'reject' when their dialog is not open here, for in-dialog requests of
   * dialogs the application keeps outside the dialog layer.
   */
  passUnknownDialogMethods?: readonly string[];
  /**
   * With 'reject': asked before answering 481, for a dialog another replica (or this process before a restart) kept
   * in the store's persistence. The dialog it returns is opened with its handler and gets the request; undefined is
   * 481; a rejection is 500 (the other side retries).
   */
  adoptDialog?: (request: SipRequest) => Promise<{ dialog: Dialog; handler: DialogHandler } | undefined>;
}

export interface SubscribeOptions {
  /** Gets the other side's requests (NOTIFY) in the subscription's dialog, the first one included. */
  handler: DialogHandler;
  /** The application's fields, kept in the dialog's record. */
  data?: Record<string, string>;
  /** User part of the fallback remote target when neither the 2xx nor the NOTIFY has a Contact. */
  targetUser?: string;
}

/** Our SUBSCRIBE's outcome; `dialog` is open (handler set) when the subscription exists, else undefined. */
export interface SubscribeOutcome {
  response: SipResponse;
  dialog: Dialog | undefined;
}

/** A SUBSCRIBE of ours waiting for its final response; a NOTIFY may make its dialog first. */
interface PendingSubscribe {
  readonly request: SipRequest;
  readonly options: SubscribeOptions;
  dialog: Dialog | undefined;
}

export interface EndpointRequestOptions extends Omit<ClientRequestOptions, 'onRetransmitted2xx'> {
  /**
   * INVITE only: send the ACK for a 2xx automatically, and again for each retransmitted 2xx (default true). Set false
   * to call `ack()` yourself; retransmitted 2xx then go unanswered, so the device will resend until your ACK.
   */
  autoAck?: boolean;
  /**
   * INVITE only: aborting CANCELs the INVITE (RFC 3261 §9.1) — at once after a provisional response, else as soon
   * as one arrives. The INVITE then normally ends with 487 (resolved as usual). A 2xx that races the CANCEL is ACKed
   * and hung up with a BYE here (§15: "the UAC core … SHOULD … send a BYE"), and still resolved, so that the caller
   * knows: it must not use that dialog. Without a final response 64·T1 after the CANCEL, rejects with
   * TransactionCancelledError.
   */
  cancel?: AbortSignal;
}

/**
 * The UA core: composes transports and the transaction layer into "handle a request, answer it once" and "send a
 * request, get its final response". Owns what RFC 3261 leaves to the core for INVITE: the ACK for a 2xx (sent, and
 * re-sent for each retransmitted 2xx), retransmitting our own 2xx until the ACK arrives, answering CANCEL and
 * sending our own. Requests inside an open dialog (a To-tag) go to that dialog's handler before any method handler
 * (RFC 3261 §12.2.2); the others to `onRequest`.
 */
export class SipEndpoint {
  readonly #transports: readonly SipTransport[];
  readonly #layer: SipTransactionLayer;
  readonly #okRetransmitter: OkRetransmitter;
  readonly #contexts = new WeakMap<ServerTransaction, ServerRequestContext>();
  readonly #viaHost: string | undefined;
  readonly #userAgent: string | undefined;
  readonly #clock: Clock;
  readonly #dialogs: DialogStore;
  readonly #dialogHandlers = new WeakMap<Dialog, DialogHandler>();
  readonly #unknownDialogs: 'reject' | 'pass';
  readonly #passUnknown: ReadonlySet<string>;
  readonly #adoptDialog: SipEndpointOptions['adoptDialog'];
  /** Our SUBSCRIBEs in flight, by Call-ID and our tag (the To-tag of their NOTIFYs). */
  readonly #subscribing = new Map<string, PendingSubscribe>();
  readonly #counters = {
    ackTimeouts: 0,
    handlerErrors: 0,
    lateResponses: 0,
    unknownDialogs: 0,
    outOfOrderRequests: 0,
    cancelsSent: 0,
    cancelRaces: 0,
  };
  #requestHandler: RequestHandler = (_request, context) => {
    context.respond(501, 'Not Implemented');
  };
  #ackHandler: AckHandler | undefined;
  #closing: Promise<void> | undefined;

  constructor(options: SipEndpointOptions) {
    const clock = options.clock ?? systemClock;
    this.#clock = clock;
    this.#dialogs = options.dialogs ?? new DialogStore();
    this.#unknownDialogs = options.unknownDialogs ?? 'pass';
    this.#passUnknown = new Set(options.passUnknownDialogMethods ?? []);
    this.#adoptDialog = options.adoptDialog;
    this.#transports = options.transports;
    this.#viaHost = options.viaHost;
    this.#userAgent = options.userAgent;
    this.#layer = new SipTransactionLayer({
      transports: options.transports,
      clock,
      timers: options.timers,
      user: {
        onRequest: (request, transaction, remote) => this.#onRequest(request, transaction, remote),
        onAck: (ack, remote) => this.#onAck(ack, remote),
      },
    });
    this.#okRetransmitter = new OkRetransmitter({ clock, timers: this.#layer.timers });
  }

  /** Every counter as one plain object. */
  get stats(): SipEndpointStats {
    return snapshotStats(
      this.#transports.map((transport) => transport.stats),
      this.#layer.stats,
      this.#counters,
    );
  }

  /** Live transactions and pending 2xx retransmissions (for tests and gauges). */
  get pending(): { clients: number; servers: number; unacknowledged: number } {
    return { ...this.#layer.size, unacknowledged: this.#okRetransmitter.size };
  }

  /** The dialogs in-dialog requests are routed to. */
  get dialogs(): DialogStore {
    return this.#dialogs;
  }

  /** Routes the other side's requests in `dialog` to `handler` from now on (and keeps the dialog in the store). */
  openDialog(dialog: Dialog, handler: DialogHandler): void {
    this.#dialogHandlers.set(dialog, handler);
    this.#dialogs.add(dialog);
  }

  /** Terminates the dialog and forgets it here and in the store's persistence; its requests get 481 from now on. */
  closeDialog(dialog: Dialog): void {
    dialog.terminate();
    this.#dialogHandlers.delete(dialog);
    this.#dialogs.remove(dialog);
  }

  /**
   * Forgets the dialog here but keeps its persisted record: another replica continues it (the holder of what it
   * belongs to changed). Its requests reaching this endpoint are the unknown dialogs' (481, or `adoptDialog`).
   */
  releaseDialog(dialog: Dialog): void {
    this.#dialogHandlers.delete(dialog);
    this.#dialogs.release(dialog);
  }

  /**
   * Sets the handler for new requests outside any open dialog (one handler; CANCEL is handled here, ACKs go to
   * `onAck`). If it throws or
   * rejects before answering, the request is answered 500. Without a handler requests get 501.
   */
  onRequest(handler: RequestHandler): void {
    this.#requestHandler = handler;
  }

  /** Receives ACKs for our 2xx answers (they may carry an SDP answer). */
  onAck(handler: AckHandler): void {
    this.#ackHandler = handler;
  }

  /**
   * Sends a request in a new client transaction. Adds our Via (new `z9hG4bK` branch, `rport`), Max-Forwards and
   * User-Agent; the caller's request object is not modified. Resolves with the final response of any status; for a
   * 2xx to an INVITE the ACK is sent unless `autoAck` is false.
   */
  async request(
    request: SipRequest,
    remote: RemoteAddress,
    options: EndpointRequestOptions = {},
  ): Promise<SipResponse> {
    const outgoing = this.#prepare(request, remote);
    const isInvite = outgoing.method === 'INVITE';
    if (isInvite && options.cancel?.aborted) throw new TransactionCancelledError(outgoing.method);
    const drop = new AbortController();
    const cancel =
      isInvite && options.cancel
        ? new InviteCancel({
            invite: outgoing,
            signal: options.cancel,
            clock: this.#clock,
            giveUpMs: transactionTimeout(this.#layer.timers),
            send: (message) => {
              this.#counters.cancelsSent++;
              return this.#layer.sendRequest(message, remote);
            },
            onGiveUp: () => drop.abort(),
          })
        : undefined;
    // A 2xx after our CANCEL is acknowledged whatever `autoAck` says: we hang it up at once.
    const acks = () => isInvite && (options.autoAck !== false || cancel?.requested === true);
    let ack: SipRequest | undefined;
    let response: SipResponse;
    try {
      response = await this.#layer.sendRequest(outgoing, remote, {
        onProvisional: (provisional) => {
          options.onProvisional?.(provisional);
          cancel?.provisional();
        },
        signal: options.signal ? AbortSignal.any([options.signal, drop.signal]) : drop.signal,
        // RFC 3261 §13.2.2.4: "The UAC core MUST generate an ACK request for each 2xx received from the transaction
        // layer." — the same ACK again for a retransmitted 2xx.
        onRetransmitted2xx: (again) => {
          if (acks()) this.#sendAck(ack ?? this.#prepare(build2xxAck(outgoing, again), remote), remote);
        },
      });
    } finally {
      cancel?.settle();
    }
    if (acks() && response.status >= 200 && response.status < 300) {
      ack = this.#prepare(build2xxAck(outgoing, response), remote);
      this.#sendAck(ack, remote);
      if (cancel?.requested) this.#hangUpRace(outgoing, response, remote);
    }
    return response;
  }

  /**
   * RFC 3261 §15: a 2xx arrived although we CANCELled ("the CANCEL … has no effect" once the INVITE is answered):
   * the call exists and nobody wants it, so it is ended with a BYE in its new dialog.
   */
  #hangUpRace(invite: SipRequest, response: SipResponse, remote: RemoteAddress): void {
    this.#counters.cancelRaces++;
    const dialog = Dialog.asUac({ request: invite, response, remote });
    // A lost BYE leaves the other side's session timers to end the call; the failure is in the stats.
    this.request(dialog.request('BYE'), remote).catch(() => undefined);
  }

  /**
   * Sends our SUBSCRIBE (RFC 6665 §4.1.2) and makes its dialog, by the 2xx or by the first NOTIFY, whichever comes
   * first (§4.4.1): a NOTIFY with our tag in its To and the SUBSCRIBE's Call-ID reaches `options.handler` even ahead
   * of the 2xx. The dialog is open when a 2xx arrives; on a failure response one a NOTIFY made is closed again. Its
   * refresh and unsubscribe are requests in it (`dialog.request('SUBSCRIBE')`), its end is `closeDialog`.
   */
  async subscribe(
    request: SipRequest,
    remote: RemoteAddress,
    options: SubscribeOptions,
  ): Promise<SubscribeOutcome> {
    const key = pendingKey(getCallId(request), getFrom(request).tag ?? null);
    const pending: PendingSubscribe = { request, options, dialog: undefined };
    this.#subscribing.set(key, pending);
    let response: SipResponse;
    try {
      response = await this.request(request, remote);
    } catch (error) {
      if (pending.dialog) this.closeDialog(pending.dialog);
      throw error;
    } finally {
      this.#subscribing.delete(key);
    }
    if (response.status >= 300 || response.status < 200) {
      if (pending.dialog) this.closeDialog(pending.dialog);
      return { response, dialog: undefined };
    }
    // A NOTIFY that came first made the dialog already (its Contact is the notifier's as much as the 2xx's).
    if (pending.dialog) return { response, dialog: pending.dialog };
    const dialog = Dialog.asUac({
      request,
      response,
      remote,
      targetUser: options.targetUser,
      data: options.data,
    });
    this.openDialog(dialog, options.handler);
    return { response, dialog };
  }

  /** Sends the ACK for a 2xx yourself (with `autoAck: false`, e.g. to carry an SDP answer). */
  async ack(
    invite: SipRequest,
    response: SipResponse,
    remote: RemoteAddress,
    options: AckOptions = {},
  ): Promise<void> {
    await this.#layer.sendStateless(this.#prepare(build2xxAck(invite, response, options), remote), remote);
  }

  /** Closes the transaction layer, then the transports. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#okRetransmitter.stopAll();
      this.#layer.close();
      await Promise.all(this.#transports.map((transport) => transport.close()));
    })();
    return this.#closing;
  }

  /** A copy of the request with our Via on top (a UA-originated request has exactly one Via). */
  #prepare(request: SipRequest, remote: RemoteAddress): SipRequest {
    const transport = this.#transports.find((candidate) => candidate.kind === remote.transport);
    if (!transport) throw new SipTransportError('no-transport', `no ${remote.transport} transport`);
    const local = transport.localAddress;
    const host = this.#viaHost ?? local?.address ?? '127.0.0.1';
    const sentBy = local ? `${host}:${local.port}` : host;
    const headers = request.headers.clone();
    headers.delete('Via');
    headers.prepend('Via', `SIP/2.0/${remote.transport.toUpperCase()} ${sentBy};rport;branch=${newBranch()}`);
    if (!headers.has('Max-Forwards')) headers.append('Max-Forwards', '70');
    if (this.#userAgent !== undefined && !headers.has('User-Agent'))
      headers.append('User-Agent', this.#userAgent);
    return { ...request, headers };
  }

  #sendAck(ack: SipRequest, remote: RemoteAddress): void {
    // A lost ACK is repaired by the peer retransmitting its 2xx; the failure is in stats.sendErrors.
    this.#layer.sendStateless(ack, remote).catch(() => undefined);
  }

  #onRequest(request: SipRequest, transaction: ServerTransaction, remote: RemoteAddress): void {
    if (request.method === 'CANCEL') {
      this.#onCancel(request, transaction, remote);
      return;
    }
    const context = this.#context(request, transaction, remote);
    // A To-tag marks a request inside a dialog (RFC 3261 §12.2.2). The substring test first: keepalives have none,
    // and they must not pay for parsing their To.
    const to = request.headers.get('To');
    if (to?.includes('tag=') && this.#inDialog(request, context)) return;
    let outcome: void | Promise<void>;
    try {
      outcome = this.#requestHandler(request, context);
    } catch (error) {
      this.#onHandlerError(context, error);
      return;
    }
    this.#watch(context, outcome);
  }

  /**
   * Hands a request to its dialog's handler; true when it was answered here (its dialog's, a 481, a 500 for an
   * out-of-order CSeq), false when it goes to `onRequest`.
   */
  #inDialog(request: SipRequest, context: ServerRequestContext): boolean {
    let dialog = this.#dialogs.match(request);
    if (dialog === undefined && request.method === 'NOTIFY')
      dialog = this.#notifyOfSubscribe(request, context);
    const handler = dialog === undefined ? undefined : this.#dialogHandlers.get(dialog);
    if (dialog === undefined || handler === undefined) {
      if (this.#unknownDialogs === 'pass' || this.#passUnknown.has(request.method)) return false;
      if (this.#adoptDialog !== undefined) {
        this.#watch(context, this.#adopt(this.#adoptDialog, request, context));
        return true;
      }
      this.#rejectUnknown(context);
      return true;
    }
    this.#route(request, context, dialog, handler);
    return true;
  }

  /**
   * The first NOTIFY of our SUBSCRIBE still waiting for its response (RFC 6665 §4.4.1): it makes the subscription's
   * dialog, opened with the SUBSCRIBE's handler. Undefined when it matches no SUBSCRIBE in flight.
   */
  #notifyOfSubscribe(notify: SipRequest, context: ServerRequestContext): Dialog | undefined {
    const pending = this.#subscribing.get(
      pendingKey(getCallId(notify), readTag(notify.headers.get('To') ?? '')),
    );
    if (pending === undefined || pending.dialog !== undefined) return undefined;
    const { request, options } = pending;
    pending.dialog = Dialog.byNotify({ request, notify, remote: context.remote, data: options.data });
    this.openDialog(pending.dialog, options.handler);
    return pending.dialog;
  }

  /** A dialog not held here, asked of `adoptDialog`: opened and routed, or 481. */
  async #adopt(
    adopt: NonNullable<SipEndpointOptions['adoptDialog']>,
    request: SipRequest,
    context: ServerRequestContext,
  ): Promise<void> {
    const adopted = await adopt(request);
    if (adopted === undefined) {
      this.#rejectUnknown(context);
      return;
    }
    this.openDialog(adopted.dialog, adopted.handler);
    this.#route(request, context, adopted.dialog, adopted.handler);
  }

  #rejectUnknown(context: ServerRequestContext): void {
    // §12.2.2: "If the UAS wishes to reject the request because it does not wish to recreate the dialog, it
    // MUST respond to the request with a 481 (Call/Transaction Does Not Exist) status code".
    this.#counters.unknownDialogs++;
    context.respond(481, 'Call/Transaction Does Not Exist');
  }

  /** The request to its dialog's handler, after the remote CSeq check (§12.2.2). */
  #route(request: SipRequest, context: ServerRequestContext, dialog: Dialog, handler: DialogHandler): void {
    if (dialog.receive(request) === 'out-of-order') {
      this.#counters.outOfOrderRequests++;
      context.respond(500, 'Server Internal Error');
      return;
    }
    let outcome: void | Promise<void>;
    try {
      outcome = handler.onRequest(request, context, dialog);
    } catch (error) {
      this.#onHandlerError(context, error);
      return;
    }
    this.#watch(context, outcome);
  }

  #context(request: SipRequest, transaction: ServerTransaction, remote: RemoteAddress): ServerRequestContext {
    const context = new ServerRequestContext({
      request,
      remote,
      transaction,
      onLate: this.#countLate,
      // Only an INVITE's 2xx needs anything after it was sent; no closure for the other requests.
      onFinal:
        request.method === 'INVITE'
          ? (response) => this.#onFinal(request, response, transaction, remote)
          : undefined,
    });
    // Only an INVITE can be CANCELled; keeping every context alive for Timer J (32 s) would hold each keepalive's
    // request in memory and make the garbage collector the tail of the latency.
    if (request.method === 'INVITE') this.#contexts.set(transaction, context);
    return context;
  }

  /** A handler that rejects before answering gets its request answered 500 (no closure for a sync handler). */
  #watch(context: ServerRequestContext, outcome: void | Promise<void>): void {
    if (outcome instanceof Promise) outcome.catch((error: unknown) => this.#onHandlerError(context, error));
  }

  /** Counts answers that came after their transaction ended. */
  readonly #countLate = () => {
    this.#counters.lateResponses++;
  };

  #onHandlerError(context: ServerRequestContext, _error: unknown): void {
    this.#counters.handlerErrors++;
    if (!context.responded) context.respond(500, 'Server Internal Error');
  }

  /** RFC 3261 §9.2: 200 to the CANCEL, 487 to the INVITE if it is still pending, 481 if there is no such INVITE. */
  #onCancel(cancel: SipRequest, transaction: ServerTransaction, remote: RemoteAddress): void {
    const invite = this.#layer.findCancelledInvite(cancel);
    const context = invite ? this.#contexts.get(invite) : undefined;
    const answer = new ServerRequestContext({
      request: cancel,
      remote,
      transaction,
      onLate: this.#countLate,
    });
    if (!invite || !context) {
      answer.respond(481, 'Call/Transaction Does Not Exist');
      return;
    }
    answer.respond(200, 'OK');
    if (invite.cancellable) context.cancel();
  }

  #onFinal(
    request: SipRequest,
    response: SipResponse,
    transaction: ServerTransaction,
    remote: RemoteAddress,
  ): void {
    if (request.method !== 'INVITE' || response.status >= 300 || remote.transport !== 'udp') return;
    // RFC 3261 §13.3.1.4: the UAS core retransmits its 2xx until the ACK arrives. Only over UDP: over TCP to the
    // device itself (no proxy between) the connection is already reliable end to end.
    this.#okRetransmitter.start(
      ackKey(getCallId(request), getCSeq(request).seq),
      () => transaction.respond(response),
      () => {
        this.#counters.ackTimeouts++;
      },
    );
  }

  #onAck(ack: SipRequest, remote: RemoteAddress): void {
    this.#okRetransmitter.stop(ackKey(getCallId(ack), getCSeq(ack).seq));
    const dialog = this.#dialogs.match(ack);
    const handler = dialog === undefined ? undefined : this.#dialogHandlers.get(dialog);
    if (dialog !== undefined && handler !== undefined) {
      dialog.confirm();
      handler.onAck?.(ack, remote, dialog);
      return;
    }
    // An ACK is never answered (§17): one for no dialog of ours is absorbed, and counted.
    if (this.#unknownDialogs === 'reject' && (ack.headers.get('To') ?? '').includes('tag=')) {
      this.#counters.unknownDialogs++;
      return;
    }
    this.#ackHandler?.(ack, remote);
  }
}

function pendingKey(callId: string, localTag: string | null): string {
  return `${callId}\n${localTag ?? ''}`;
}
