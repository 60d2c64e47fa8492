import type { TimerHandle } from '@tessera/kit';
import type { SipRequest, SipResponse } from '../message/message';
import { SipTransactionError } from '../errors';
import type { RemoteAddress } from '../transport/transport';
import { transactionTimeout } from './timers';
import { isReliable, type TransactionContext } from './transaction';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface NonInviteServerTransactionOptions extends TransactionContext {
  request: SipRequest;
  /** Packet source of the request: responses go back there (and over the same TCP connection). */
  remote: RemoteAddress;
  /**
   * Sends the final response over an unreliable transport and takes over the "Completed" state: the layer answers
   * retransmissions from the response's bytes until `lingerMs` (Timer J) has passed, and forgets this object. A
   * rejection is a transport error.
   */
  complete(response: SipResponse, lingerMs: number): Promise<void>;
}

/** `complete` as a method of an object, so the layer gives each transaction one object rather than closures. */
export type NonInviteServerTransactionInit = Omit<NonInviteServerTransactionOptions, 'complete'> & {
  completion: Pick<NonInviteServerTransactionOptions, 'complete'>;
};

/**
 * Non-INVITE server transaction, RFC 3261 §17.2.2 (a device's REGISTER, keepalive MESSAGE, NOTIFY…).
 *
 * ```text
 *                  request received / pass to TU
 *                              |
 *   request retransmit /  +----v-----+
 *   absorb            +---|  Trying  |--------------+
 *                     +-->+----+-----+              |
 *                  1xx from TU |                    | 200-699 from TU / send
 *                  / send      |                    |
 *   request retransmit /  +----v-----+              |
 *   resend 1xx        +---|Proceeding|-------------+|
 *   1xx from TU / send+-->+----------+ 200-699 from|| TU / send, start J
 *                                                  vv
 *   request retransmit /                      +----------+
 *   resend final                          +---| Completed|
 *                                         +-->+----+-----+
 *                                    Timer J (64·T1 UDP, 0 TCP)
 *                                         +--------v-----+
 *                                         |  Terminated  |
 *                                         +--------------+
 * ```
 * "Completed" over UDP is handed to the layer (`complete`), which keeps only the response bytes for Timer J and
 * re-sends them to retransmissions (see CompletedResponses): this object then holds no timer, and reads as
 * "terminated" once Timer J has passed.
 *
 * Not in the RFC: if the TU never answers, the transaction ends after 64·T1 anyway, when the client has given up
 * (its Timer F), so an unanswered request cannot pin memory forever. That guard is armed by `awaitAnswer` after the
 * TU has had the request, so the keepalives answered on the spot never create (and cancel) a timer.
 */
export class NonInviteServerTransaction {
  readonly remote: RemoteAddress;
  readonly method: string;
  #request: SipRequest | undefined;
  #state: NonInviteServerState = 'trying';
  readonly #context: Pick<NonInviteServerTransactionOptions, 'send' | 'observer' | 'timers' | 'clock'>;
  readonly #completion: Pick<NonInviteServerTransactionOptions, 'complete'>;
  #unanswered: TimerHandle | undefined;
  #lastResponse: SipResponse | undefined;
  /** End of Timer J once "Completed" was handed to the layer. */
  #completedUntil = Number.POSITIVE_INFINITY;

  constructor(options: NonInviteServerTransactionOptions | NonInviteServerTransactionInit) {
    this.#request = options.request;
    this.method = options.request.method;
    this.remote = options.remote;
    this.#context = {
      send: options.send,
      observer: options.observer,
      timers: options.timers,
      clock: options.clock,
    };
    this.#completion = 'completion' in options ? options.completion : options;
  }

  get state(): NonInviteServerState {
    if (this.#state === 'completed' && this.#context.clock.now() >= this.#completedUntil) return 'terminated';
    return this.#state;
  }

  /**
   * The request, until the final response: a completed transaction only lingers (Timer J, 32 s over UDP) to answer
   * retransmissions, and at thousands of keepalives a second holding every request that long is hundreds of
   * megabytes for the garbage collector to walk.
   */
  get request(): SipRequest {
    if (!this.#request)
      throw new SipTransactionError('closed', `${this.method} transaction already completed`);
    return this.#request;
  }

  /** Called by the layer once the TU has had the request: starts the unanswered guard unless it was answered. */
  awaitAnswer(): void {
    if (this.#unanswered !== undefined || (this.#state !== 'trying' && this.#state !== 'proceeding')) return;
    this.#unanswered = this.#context.clock.setTimeout(() => {
      this.#unanswered = undefined;
      this.#terminate();
    }, transactionTimeout(this.#context.timers));
  }

  /** A retransmission of the request arrived (same branch, sent-by and method) while the layer still holds us. */
  receiveRetransmission(): void {
    if (this.#state === 'trying') {
      // "If a retransmission of the request is received while in the "Trying" state, the request MUST be discarded."
      this.#context.observer.absorbed();
      return;
    }
    if (this.#state === 'proceeding' && this.#lastResponse) {
      // "While in the "Proceeding" state, if a retransmission of the request is received, the most recently sent
      // provisional response MUST be passed to the transport layer for retransmission." ("Completed" over UDP is
      // the layer's; over TCP it ends at once.)
      this.#transmit(this.#lastResponse);
      this.#context.observer.retransmitted();
    }
  }

  /** Sends a response from the TU; returns false when the transaction no longer takes one. */
  respond(response: SipResponse): boolean {
    if (this.#state === 'completed' || this.#state === 'terminated') return false;
    if (response.status < 200) {
      this.#lastResponse = response;
      this.#transmit(response);
      // "While in the "Trying" state, if the TU passes a provisional response to the server transaction, the server
      // transaction MUST enter the "Proceeding" state."
      this.#state = 'proceeding';
      return true;
    }
    // "If the TU passes a final response (status codes 200-699) to the server while in the "Proceeding" state, the
    // transaction MUST enter the "Completed" state, and the response MUST be passed to the transport layer."
    this.#state = 'completed';
    this.#request = undefined;
    this.#lastResponse = undefined;
    this.#stopUnanswered();
    // "When the server transaction enters the "Completed" state, it MUST set Timer J to fire in 64*T1 seconds for
    // unreliable transports, and zero seconds for reliable transports."
    if (isReliable(this.remote)) {
      this.#transmit(response);
      this.#terminate();
      return true;
    }
    const linger = transactionTimeout(this.#context.timers);
    this.#completedUntil = this.#context.clock.now() + linger;
    this.#completion.complete(response, linger).catch(() => {
      // RFC 3261 §17.2.4: on a transport failure "the transaction SHOULD inform the TU ... and transition to the
      // "Terminated" state"; the layer has dropped the cached response. The failure is counted by the transport.
      this.#terminate();
    });
    return true;
  }

  /** Ends the transaction now (the layer is closing). */
  terminate(): void {
    this.#terminate();
  }

  #transmit(response: SipResponse): void {
    this.#context.send(response, this.remote).catch(() => {
      // RFC 3261 §17.2.4: on a transport failure "the transaction SHOULD inform the TU ... and transition to the
      // "Terminated" state". The failure itself is counted by the transport.
      this.#terminate();
    });
  }

  #stopUnanswered(): void {
    if (this.#unanswered === undefined) return;
    this.#context.clock.clearTimeout(this.#unanswered);
    this.#unanswered = undefined;
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#completedUntil = Number.POSITIVE_INFINITY;
    this.#stopUnanswered();
    this.#context.observer.terminated();
  }
}
