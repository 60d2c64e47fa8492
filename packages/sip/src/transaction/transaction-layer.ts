import { type Clock, systemClock } from '@tessera/kit';
import { SipTransactionError, SipTransportError, TransactionCancelledError } from '../errors';
import type { SipMessage, SipRequest, SipResponse } from '../message/message';
import { serializeMessage } from '../message/serialize';
import { branchMagicCookie } from '../message/via';
import { getTopVia } from '../message/fields';
import type { InboundMessage, RemoteAddress, SipTransport } from '../transport/transport';
import { type CompletedResponse, CompletedResponses } from './completed-responses';
import { InviteClientTransaction } from './invite-client-transaction';
import { InviteServerTransaction } from './invite-server-transaction';
import { NonInviteClientTransaction } from './non-invite-client-transaction';
import { NonInviteServerTransaction } from './non-invite-server-transaction';
import { responseBelongsTo } from './response-match';
import { defaultSipTimers, type SipTimers } from './timers';
import type { ClientRequestOptions, TransactionContext, TransactionObserver } from './transaction';
import { cancelledInviteKey, clientTransactionKey, serverTransactionKey } from './transaction-key';
import {
  emptyTransactionStats,
  increment,
  methodLabel,
  type SipTransactionStats,
  statusLabel,
} from './transaction-stats';

export type ClientTransaction = InviteClientTransaction | NonInviteClientTransaction;
export type ServerTransaction = InviteServerTransaction | NonInviteServerTransaction;

/** The UA core above the transaction layer (RFC 3261 calls it the TU). */
export interface TransactionUser {
  /** A new request with the server transaction that will carry its responses. Never an ACK. */
  onRequest(request: SipRequest, transaction: ServerTransaction, remote: RemoteAddress): void;
  /** An ACK that no transaction absorbed: the ACK for a 2xx, which belongs to the UA core. */
  onAck(ack: SipRequest, remote: RemoteAddress): void;
}

export interface SipTransactionLayerOptions {
  /** One per transport kind; outgoing requests pick theirs by `RemoteAddress.transport`. */
  transports: readonly SipTransport[];
  user: TransactionUser;
  clock?: Clock;
  timers?: Partial<SipTimers>;
}

/**
 * RFC 3261 §17: owns the client and server transactions, matches every inbound message to one (§17.1.3, §17.2.3),
 * creates server transactions for new requests and hands those to the TU. Listens to the transports it is given
 * and stops listening on `close`; it does not close them.
 */
export class SipTransactionLayer {
  readonly stats: SipTransactionStats = emptyTransactionStats();
  readonly timers: SipTimers;
  readonly #clock: Clock;
  readonly #user: TransactionUser;
  readonly #transports: readonly SipTransport[];
  readonly #clients = new Map<string, ClientTransaction>();
  /** Live server transactions; completed non-INVITE ones over UDP move to #completed. */
  readonly #servers = new Map<string, ServerTransaction>();
  readonly #completed: CompletedResponses;
  readonly #onMessage = (inbound: InboundMessage) => this.#receive(inbound);
  readonly #sendMessage = (message: SipMessage, remote: RemoteAddress) => this.#send(message, remote);
  /** What a server transaction's hooks may do to the layer; made once. */
  readonly #internals: LayerInternals = {
    stats: this.stats,
    forget: (key, transaction) => {
      if (this.#servers.get(key) === transaction) this.#servers.delete(key);
    },
    complete: (key, response, remote, lingerMs) => this.#complete(key, response, remote, lingerMs),
  };
  readonly #sharedObserver: Omit<TransactionObserver, 'terminated'> = {
    retransmitted: () => this.stats.retransmissions++,
    absorbed: () => this.stats.absorbed++,
    timedOut: () => this.stats.timeouts++,
  };
  #closed = false;

  constructor(options: SipTransactionLayerOptions) {
    this.#clock = options.clock ?? systemClock;
    this.timers = { ...defaultSipTimers, ...options.timers };
    this.#user = options.user;
    this.#transports = options.transports;
    this.#completed = new CompletedResponses(this.#clock);
    for (const transport of this.#transports) transport.on('message', this.#onMessage);
  }

  /** Live transactions (for tests and gauges), completed non-INVITE ones in their Timer J included. */
  get size(): { clients: number; servers: number } {
    return { clients: this.#clients.size, servers: this.#servers.size + this.#completed.size };
  }

  /**
   * Starts a client transaction. The request must carry its top Via with a `z9hG4bK` branch (SipEndpoint adds it).
   * Resolves with the final response whatever its status; rejects with TransactionTimeoutError,
   * TransactionCancelledError, SipTransportError or SipTransactionError.
   */
  sendRequest(
    request: SipRequest,
    remote: RemoteAddress,
    options: ClientRequestOptions = {},
  ): Promise<SipResponse> {
    if (this.#closed) return Promise.reject(new SipTransactionError('closed', 'transaction layer closed'));
    if (request.method === 'ACK') {
      return Promise.reject(
        new SipTransactionError('no-branch', 'an ACK is not a transaction; use sendStateless'),
      );
    }
    if (!getTopVia(request).branch?.startsWith(branchMagicCookie)) {
      return Promise.reject(new SipTransactionError('no-branch', `${request.method} has no z9hG4bK branch`));
    }
    const key = clientTransactionKey(request);
    if (this.#clients.has(key)) {
      return Promise.reject(
        new SipTransactionError('duplicate-transaction', `branch already in use: ${key}`),
      );
    }
    if (options.signal?.aborted) return Promise.reject(new TransactionCancelledError(request.method));
    let transaction: ClientTransaction;
    const context = {
      ...this.#context(() => {
        if (this.#clients.get(key) === transaction) this.#clients.delete(key);
        options.signal?.removeEventListener('abort', onAbort);
      }),
      ...options,
      request,
      remote,
    };
    transaction =
      request.method === 'INVITE'
        ? new InviteClientTransaction(context)
        : new NonInviteClientTransaction(context);
    const onAbort = () => transaction.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    this.#clients.set(key, transaction);
    transaction.start();
    return transaction.response;
  }

  /** Sends outside any transaction: the ACK for a 2xx (RFC 3261 §13.2.2.4) and its retransmissions. */
  sendStateless(message: SipMessage, remote: RemoteAddress): Promise<void> {
    return this.#send(message, remote);
  }

  /** The INVITE server transaction a CANCEL refers to, if it still exists (RFC 3261 §9.2). */
  findCancelledInvite(cancel: SipRequest): InviteServerTransaction | undefined {
    const transaction = this.#servers.get(cancelledInviteKey(cancel));
    return transaction instanceof InviteServerTransaction ? transaction : undefined;
  }

  /** Stops listening, rejects pending client transactions and drops all state. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const transport of this.#transports) transport.off('message', this.#onMessage);
    for (const transaction of [...this.#clients.values()]) transaction.cancel();
    for (const transaction of [...this.#servers.values()]) transaction.terminate();
    this.#completed.clear();
  }

  #context(terminated: () => void): TransactionContext {
    return {
      clock: this.#clock,
      timers: this.timers,
      send: this.#sendMessage,
      observer: { ...this.#sharedObserver, terminated },
    };
  }

  async #send(message: SipMessage, remote: RemoteAddress): Promise<void> {
    const label = message.kind === 'request' ? methodLabel(message.method) : statusLabel(message.status);
    return this.#sendBytes(serializeMessage(message), message.kind, label, remote);
  }

  async #sendBytes(
    bytes: Buffer,
    kind: SipMessage['kind'],
    label: string,
    remote: RemoteAddress,
  ): Promise<void> {
    let transport: SipTransport | undefined;
    // A loop, not find(): no closure per message sent.
    for (const candidate of this.#transports) {
      if (candidate.kind === remote.transport) {
        transport = candidate;
        break;
      }
    }
    if (!transport) throw new SipTransportError('no-transport', `no ${remote.transport} transport`);
    await transport.send(bytes, remote);
    this.stats.sent++;
    increment(kind === 'request' ? this.stats.requestsSent : this.stats.responsesSent, label);
  }

  /** The final response of a non-INVITE server transaction over UDP: sent, and kept as bytes for Timer J. */
  #complete(key: string, response: SipResponse, remote: RemoteAddress, lingerMs: number): Promise<void> {
    const bytes = serializeMessage(response);
    this.#servers.delete(key);
    this.#completed.add(key, { bytes, status: response.status, remote }, lingerMs);
    return this.#sendBytes(bytes, 'response', statusLabel(response.status), remote).catch(
      (error: unknown) => {
        this.#completed.delete(key);
        throw error;
      },
    );
  }

  /** RFC 3261 §17.2.2 "Completed": a retransmitted request gets the final response again. */
  #resendCompleted(completed: CompletedResponse): void {
    this.stats.retransmissions++;
    // A lost retransmission is repaired by the peer's next one; the failure is in the transport's sendErrors.
    this.#sendBytes(completed.bytes, 'response', statusLabel(completed.status), completed.remote).catch(
      () => undefined,
    );
  }

  #receive({ message, remote }: InboundMessage): void {
    this.stats.received++;
    try {
      if (message.kind === 'response') this.#receiveResponse(message);
      else this.#receiveRequest(message, remote);
    } catch {
      // Runs inside a socket callback: a throwing TU must cost one message, not the process.
      this.stats.userErrors++;
    }
  }

  #receiveResponse(response: SipResponse): void {
    increment(this.stats.responsesReceived, statusLabel(response.status));
    const transaction = this.#clients.get(clientTransactionKey(response));
    if (!transaction) {
      // A UA is no proxy: a response matching no transaction is dropped (RFC 6026 tightened the handling of unmatched responses).
      this.stats.strayResponses++;
      return;
    }
    if (!responseBelongsTo(transaction.request, response)) {
      this.stats.mismatchedResponses++;
      return;
    }
    transaction.receive(response);
  }

  #receiveRequest(request: SipRequest, remote: RemoteAddress): void {
    increment(this.stats.requestsReceived, methodLabel(request.method));
    const key = serverTransactionKey(request);
    const existing = this.#servers.get(key);
    if (request.method === 'ACK') {
      const disposition = existing instanceof InviteServerTransaction ? existing.receiveAck() : 'pass-to-tu';
      if (disposition === 'pass-to-tu') this.#user.onAck(request, remote);
      return;
    }
    if (existing) {
      existing.receiveRetransmission();
      return;
    }
    if (request.method !== 'INVITE') {
      const completed = this.#completed.get(key);
      if (completed) {
        this.#resendCompleted(completed);
        return;
      }
    }
    // One hooks object per request (observer and completion as its methods) and the shared parts of the context:
    // no closures, since this runs for every keepalive.
    const hooks = new ServerHooks(this.#internals, key, remote);
    const context = {
      clock: this.#clock,
      timers: this.timers,
      send: this.#sendMessage,
      observer: hooks,
      completion: hooks,
      request,
      remote,
    };
    let transaction: ServerTransaction;
    if (request.method === 'INVITE') {
      transaction = new InviteServerTransaction(context);
      hooks.transaction = transaction;
      this.#servers.set(key, transaction);
      this.#user.onRequest(request, transaction, remote);
      return;
    }
    const nonInvite = new NonInviteServerTransaction(context);
    transaction = nonInvite;
    hooks.transaction = nonInvite;
    this.#servers.set(key, nonInvite);
    try {
      this.#user.onRequest(request, nonInvite, remote);
    } finally {
      nonInvite.awaitAnswer();
    }
  }
}

interface LayerInternals {
  readonly stats: SipTransactionStats;
  forget(key: string, transaction: ServerTransaction | undefined): void;
  complete(key: string, response: SipResponse, remote: RemoteAddress, lingerMs: number): Promise<void>;
}

/**
 * A server transaction's observer and completion: methods on one object holding the key, where closures capturing
 * it (four per request before) cost an allocation each on every keepalive.
 */
class ServerHooks implements TransactionObserver {
  transaction: ServerTransaction | undefined;
  readonly #layer: LayerInternals;
  readonly #key: string;
  readonly #remote: RemoteAddress;

  constructor(layer: LayerInternals, key: string, remote: RemoteAddress) {
    this.#layer = layer;
    this.#key = key;
    this.#remote = remote;
  }

  retransmitted(): void {
    this.#layer.stats.retransmissions++;
  }

  absorbed(): void {
    this.#layer.stats.absorbed++;
  }

  timedOut(): void {
    this.#layer.stats.timeouts++;
  }

  terminated(): void {
    this.#layer.forget(this.#key, this.transaction);
  }

  complete(response: SipResponse, lingerMs: number): Promise<void> {
    return this.#layer.complete(this.#key, response, this.#remote, lingerMs);
  }
}
