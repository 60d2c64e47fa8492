import { TransactionCancelledError, TransactionTimeoutError } from '../errors';
import type { SipRequest, SipResponse } from '../message/message';
import type { RemoteAddress } from '../transport/transport';
import { createDeferred } from './deferred';
import { buildNon2xxAck } from './non-2xx-ack';
import { TimerSet } from './timer-set';
import { transactionTimeout } from './timers';
import { type ClientRequestOptions, isReliable, type TransactionContext } from './transaction';

export type InviteClientState = 'calling' | 'proceeding' | 'completed' | 'accepted' | 'terminated';

export interface InviteClientTransactionOptions extends TransactionContext, ClientRequestOptions {
  request: SipRequest;
  remote: RemoteAddress;
}

/**
 * INVITE client transaction, RFC 3261 §17.1.1 with the RFC 6026 "Accepted" state (how the platform asks a camera
 * for a stream).
 *
 * ```text
 *              INVITE from TU / send, start A (UDP) and B
 *                              |
 *   Timer A / resend,     +----v-----+  Timer B or transport error / reject
 *   A = 2A            +---| Calling  |------------------------------------------+
 *                     +-->+----+-----+                                          |
 *                   1xx / to TU|   \  2xx / resolve, start M                    |
 *                         +----v-----+\-------------------------+               |
 *          1xx / to TU +--|Proceeding|--------------------+     |               |
 *                      +->+----+-----+  2xx / resolve,    |     |               |
 *      300-699 / send ACK,     |        start M           |     |               |
 *      resolve, start D   +----v-----+               +----v-----v-+             |
 *   300-699 / resend ACK  | Completed|   2xx / to TU | Accepted   |             |
 *                         +----+-----+   (UA core    +-----+------+             |
 *                              | Timer D  re-ACKs)         | Timer M            |
 *                         +----v-----------------------------v----+             |
 *                         |              Terminated               |<------------+
 *                         +---------------------------------------+
 * ```
 * No Timer B once a provisional arrived (RFC 3261 gives none): the caller bounds ringing with `signal`.
 */
export class InviteClientTransaction {
  readonly request: SipRequest;
  readonly remote: RemoteAddress;
  #state: InviteClientState = 'calling';
  readonly #context: InviteClientTransactionOptions;
  readonly #timers: TimerSet<'A' | 'B' | 'D' | 'M'>;
  readonly #result = createDeferred<SipResponse>();
  #interval: number;
  #ack: SipRequest | undefined;

  constructor(options: InviteClientTransactionOptions) {
    this.request = options.request;
    this.remote = options.remote;
    this.#context = options;
    this.#timers = new TimerSet(options.clock);
    this.#interval = options.timers.t1;
  }

  get state(): InviteClientState {
    return this.#state;
  }

  get response(): Promise<SipResponse> {
    return this.#result.promise;
  }

  start(): void {
    this.#transmit();
    // "If an unreliable transport is being used, the client transaction MUST start timer A with a value of T1."
    if (!isReliable(this.remote)) this.#timers.start('A', this.#interval, () => this.#onTimerA());
    // "For any transport, the client transaction MUST start timer B with a value of 64*T1 seconds."
    this.#timers.start('B', transactionTimeout(this.#context.timers), () => this.#onTimerB());
  }

  receive(response: SipResponse): void {
    switch (this.#state) {
      case 'calling':
      case 'proceeding':
        this.#onResponse(response);
        return;
      case 'completed':
        if (response.status >= 300 && this.#ack) {
          // "Any retransmissions of the final response that are received while in the "Completed" state MUST cause
          // the ACK to be re-passed to the transport layer for retransmission."
          this.#send(this.#ack);
          this.#context.observer.retransmitted();
        } else this.#context.observer.absorbed();
        return;
      case 'accepted':
        // RFC 6026 (Accepted state): further 2xx go to the TU, which owns the ACK for a 2xx.
        if (response.status >= 200 && response.status < 300) this.#context.onRetransmitted2xx?.(response);
        else this.#context.observer.absorbed();
        return;
      case 'terminated':
        return;
    }
  }

  cancel(): void {
    if (this.#state === 'terminated') return;
    this.#result.reject(new TransactionCancelledError(this.request.method));
    this.#terminate();
  }

  #onResponse(response: SipResponse): void {
    if (response.status < 200) {
      // "If the client transaction receives a provisional response while in the "Calling" state, it transitions to
      // the "Proceeding" state. In the "Proceeding" state, the client transaction SHOULD NOT retransmit the request
      // any longer."
      this.#state = 'proceeding';
      this.#timers.stop('A');
      this.#timers.stop('B');
      this.#context.onProvisional?.(response);
      return;
    }
    this.#timers.stopAll();
    this.#result.resolve(response);
    if (response.status < 300) {
      // RFC 6026 replaces RFC 3261's "2xx / Terminated" with the "Accepted" state, kept for Timer M (64*T1) so that
      // retransmitted 2xx still match this transaction instead of arriving as strays.
      this.#state = 'accepted';
      this.#timers.start('M', transactionTimeout(this.#context.timers), () => this.#terminate());
      return;
    }
    // "When in either the "Calling" or "Proceeding" states, reception of a response with status code from 300-699
    // MUST cause the client transaction to transition to "Completed". The client transaction MUST pass the received
    // response up to the TU, and the client transaction MUST generate an ACK request."
    this.#state = 'completed';
    this.#ack = buildNon2xxAck(this.request, response);
    this.#send(this.#ack);
    // "The client transaction SHOULD start timer D when it enters the "Completed" state, with a value of at least 32
    // seconds for unreliable transports, and a value of zero seconds for reliable transports."
    const linger = isReliable(this.remote) ? 0 : transactionTimeout(this.#context.timers);
    this.#timers.start('D', linger, () => this.#terminate());
  }

  #onTimerA(): void {
    // "When timer A fires, the client transaction MUST retransmit the request by passing it to the transport layer,
    // and MUST reset the timer with a value of 2*T1." (doubling on, without the T2 cap of non-INVITE)
    this.#transmit();
    this.#context.observer.retransmitted();
    this.#interval *= 2;
    this.#timers.start('A', this.#interval, () => this.#onTimerA());
  }

  #onTimerB(): void {
    // "If the client transaction is still in the "Calling" state when timer B fires, the client transaction SHOULD
    // inform the TU that a timeout has occurred."
    this.#context.observer.timedOut();
    this.#result.reject(
      new TransactionTimeoutError(this.request.method, 'B', transactionTimeout(this.#context.timers)),
    );
    this.#terminate();
  }

  #transmit(): void {
    this.#context.send(this.request, this.remote).catch((error: unknown) => {
      // RFC 3261 §17.1.4: inform the TU of the transport failure and go straight to "Terminated".
      if (this.#state === 'calling' || this.#state === 'proceeding') {
        this.#result.reject(error);
        this.#terminate();
      }
    });
  }

  #send(ack: SipRequest): void {
    // An ACK that cannot be sent changes nothing: the server retransmits its response and we try again.
    this.#context.send(ack, this.remote).catch(() => undefined);
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.stopAll();
    this.#context.observer.terminated();
  }
}
