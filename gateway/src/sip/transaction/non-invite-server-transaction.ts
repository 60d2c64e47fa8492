import type { SipRequest, SipResponse } from '../message/message';
import { SipTransactionError } from '../errors';
import type { RemoteAddress } from '../transport/transport';
import { TimerSet } from './timer-set';
import { transactionTimeout } from './timers';
import { isReliable, type TransactionContext } from './transaction';

export type NonInviteServerState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface NonInviteServerTransactionOptions extends TransactionContext {
  request: SipRequest;
  /** Packet source of the request: responses go back there (and over the same TCP connection). */
  remote: RemoteAddress;
}

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
 * Not in the RFC: if the TU never answers, the transaction ends after 64·T1 anyway, when the client has given up
 * (its Timer F), so an unanswered request cannot pin memory forever.
 */
export class NonInviteServerTransaction {
  readonly remote: RemoteAddress;
  readonly method: string;
  #request: SipRequest | undefined;
  #state: NonInviteServerState = 'trying';
  readonly #context: Pick<NonInviteServerTransactionOptions, 'send' | 'observer' | 'timers'>;
  readonly #timers: TimerSet<'J' | 'unanswered'>;
  #lastResponse: SipResponse | undefined;

  constructor(options: NonInviteServerTransactionOptions) {
    this.#request = options.request;
    this.method = options.request.method;
    this.remote = options.remote;
    this.#context = { send: options.send, observer: options.observer, timers: options.timers };
    this.#timers = new TimerSet(options.clock);
    this.#timers.start('unanswered', transactionTimeout(options.timers), () => this.#terminate());
  }

  get state(): NonInviteServerState {
    return this.#state;
  }

  /**
   * The request, until the final response: a completed transaction only lingers (Timer J, 32 s over UDP) to answer
   * retransmissions from `lastResponse`, and at thousands of keepalives a second holding every request that long
   * is hundreds of megabytes for the garbage collector to walk.
   */
  get request(): SipRequest {
    if (!this.#request)
      throw new SipTransactionError('closed', `${this.method} transaction already completed`);
    return this.#request;
  }

  /** A retransmission of the request arrived (same branch, sent-by and method). */
  receiveRetransmission(): void {
    if (this.#state === 'trying') {
      // "If a retransmission of the request is received while in the "Trying" state, the request MUST be discarded."
      this.#context.observer.absorbed();
      return;
    }
    if ((this.#state === 'proceeding' || this.#state === 'completed') && this.#lastResponse) {
      // "While in the "Proceeding" state, if a retransmission of the request is received, the most recently sent
      // provisional response MUST be passed to the transport layer for retransmission." ("Completed": the final.)
      this.#transmit(this.#lastResponse);
      this.#context.observer.retransmitted();
    }
  }

  /** Sends a response from the TU; returns false when the transaction no longer takes one. */
  respond(response: SipResponse): boolean {
    if (this.#state === 'completed' || this.#state === 'terminated') return false;
    this.#lastResponse = response;
    this.#transmit(response);
    if (response.status < 200) {
      // "While in the "Trying" state, if the TU passes a provisional response to the server transaction, the server
      // transaction MUST enter the "Proceeding" state."
      this.#state = 'proceeding';
      return true;
    }
    // "If the TU passes a final response (status codes 200-699) to the server while in the "Proceeding" state, the
    // transaction MUST enter the "Completed" state, and the response MUST be passed to the transport layer."
    this.#state = 'completed';
    this.#request = undefined;
    this.#timers.stop('unanswered');
    // "When the server transaction enters the "Completed" state, it MUST set Timer J to fire in 64*T1 seconds for
    // unreliable transports, and zero seconds for reliable transports."
    const linger = isReliable(this.remote) ? 0 : transactionTimeout(this.#context.timers);
    this.#timers.start('J', linger, () => this.#terminate());
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

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.stopAll();
    this.#context.observer.terminated();
  }
}
