import { createResponse } from '../message/response';
import type { SipRequest, SipResponse } from '../message/message';
import type { RemoteAddress } from '../transport/transport';
import { TimerSet } from './timer-set';
import { transactionTimeout } from './timers';
import { isReliable, type TransactionContext } from './transaction';

export type InviteServerState = 'proceeding' | 'completed' | 'confirmed' | 'accepted' | 'terminated';

export interface InviteServerTransactionOptions extends TransactionContext {
  request: SipRequest;
  remote: RemoteAddress;
}

/** What the layer does with an ACK that matched this transaction. */
export type AckDisposition = 'absorbed' | 'pass-to-tu';

// RFC 3261 §17.2.1: 100 Trying is due "unless it knows that the TU will generate a provisional or final response
// within 200 ms".
const tryingDelayMs = 200;

/**
 * INVITE server transaction, RFC 3261 §17.2.1 with the RFC 6026 "Accepted" state (an upper platform's INVITE in a
 * cascade, a device's broadcast INVITE).
 *
 * ```text
 *                INVITE received / pass to TU, 100 Trying after 200 ms unless the TU answered
 *                              |
 *   INVITE retransmit /   +----v-----+
 *   resend last 1xx   +---|Proceeding|---------------------------+
 *   1xx from TU / send+-->+----+-----+                           | 2xx from TU / send, start L
 *         300-699 from TU /    |                            +----v-----+  INVITE / absorb
 *         send, start G, H     |                            | Accepted |  2xx from TU / send
 *   INVITE retransmit or  +----v-----+                      +----+-----+  ACK / pass to TU
 *   Timer G / resend,  +--| Completed|--+ Timer H / inform TU     | Timer L
 *   G = min(2G, T2)    +->+----+-----+  | (no ACK came)          |
 *                          ACK |        |                        |
 *   ACK / absorb          +----v-----+  |                        |
 *                      +--| Confirmed|  |                        |
 *                      +->+----+-----+  |                        |
 *                  Timer I (T4 UDP)|    |                        |
 *                         +--------v----v------------------------v--+
 *                         |                 Terminated              |
 *                         +-----------------------------------------+
 * ```
 * In "Accepted" the transaction does not retransmit the 2xx itself; the UA core does (RFC 3261 §13.3.1.4) and
 * passes each retransmission through `respond`.
 */
export class InviteServerTransaction {
  readonly request: SipRequest;
  readonly remote: RemoteAddress;
  #state: InviteServerState = 'proceeding';
  readonly #context: InviteServerTransactionOptions;
  readonly #timers: TimerSet<'trying' | 'G' | 'H' | 'I' | 'L'>;
  #lastResponse: SipResponse | undefined;
  #interval: number;

  constructor(options: InviteServerTransactionOptions) {
    this.request = options.request;
    this.remote = options.remote;
    this.#context = options;
    this.#timers = new TimerSet(options.clock);
    this.#interval = options.timers.t1;
    this.#timers.start('trying', tryingDelayMs, () => this.#sendTrying());
  }

  get state(): InviteServerState {
    return this.#state;
  }

  /** True until a final response was sent: a CANCEL can still take effect. */
  get cancellable(): boolean {
    return this.#state === 'proceeding';
  }

  receiveRetransmission(): void {
    switch (this.#state) {
      case 'proceeding':
        // "If a request retransmission is received while in the "Proceeding" state, the most recent provisional
        // response that was received from the TU MUST be passed to the transport layer for retransmission."
        // Without one yet, the 100 Trying goes out now: the client is retransmitting, so quench it.
        if (this.#lastResponse) this.#transmit(this.#lastResponse);
        else this.#sendTrying();
        this.#context.observer.retransmitted();
        return;
      case 'completed':
        // "Furthermore, while in the "Completed" state, if a request retransmission is received, the server SHOULD
        // pass the response to the transport for retransmission."
        this.#transmit(this.#lastResponse!);
        this.#context.observer.retransmitted();
        return;
      default:
        this.#context.observer.absorbed();
    }
  }

  receiveAck(): AckDisposition {
    if (this.#state === 'completed') {
      // "If an ACK is received while the server transaction is in the "Completed" state, the server transaction MUST
      // transition to the "Confirmed" state. As Timer G is ignored in this state, any retransmissions of the response
      // will cease."
      this.#state = 'confirmed';
      this.#timers.stop('G');
      this.#timers.stop('H');
      // "The purpose of the "Confirmed" state is to absorb any additional ACK messages that arrive, triggered from
      // retransmissions of the final response." Timer I: T4 for unreliable transports, zero for reliable ones.
      const linger = isReliable(this.remote) ? 0 : this.#context.timers.t4;
      this.#timers.start('I', linger, () => this.#terminate());
      return 'absorbed';
    }
    // RFC 6026: an ACK matching a transaction in "Accepted" belongs to the TU (the 2xx's ACK).
    if (this.#state === 'accepted') return 'pass-to-tu';
    this.#context.observer.absorbed();
    return 'absorbed';
  }

  respond(response: SipResponse): boolean {
    if (this.#state === 'accepted' && response.status >= 200 && response.status < 300) {
      // RFC 6026: a 2xx retransmission from the TU in "Accepted" is passed to the transport.
      this.#transmit(response);
      this.#context.observer.retransmitted();
      return true;
    }
    if (this.#state !== 'proceeding') return false;
    this.#timers.stop('trying');
    this.#lastResponse = response;
    this.#transmit(response);
    if (response.status < 200) return true;
    if (response.status < 300) {
      // RFC 6026: "2xx from TU / send response" leads to "Accepted", left on Timer L (64*T1).
      this.#state = 'accepted';
      this.#timers.start('L', transactionTimeout(this.#context.timers), () => this.#terminate());
      return true;
    }
    // "While in the "Proceeding" state, if the TU passes a response with status code from 300 to 699 to the server
    // transaction, the response MUST be passed to the transport layer for transmission, and the state machine MUST
    // enter the "Completed" state. For unreliable transports, timer G is set to fire in T1 seconds, and is not set
    // to fire for reliable transports."
    this.#state = 'completed';
    if (!isReliable(this.remote)) this.#timers.start('G', this.#interval, () => this.#onTimerG());
    // "When the "Completed" state is entered, timer H MUST be set to fire in 64*T1 seconds for all transports."
    this.#timers.start('H', transactionTimeout(this.#context.timers), () => this.#onTimerH());
    return true;
  }

  terminate(): void {
    this.#terminate();
  }

  #sendTrying(): void {
    const trying = createResponse(this.request, 100, 'Trying');
    this.#lastResponse = trying;
    this.#transmit(trying);
  }

  #onTimerG(): void {
    // "If timer G fires, the response is passed to the transport layer once more for retransmission, and timer G is
    // set to fire in MIN(2*T1, T2) seconds."
    this.#transmit(this.#lastResponse!);
    this.#context.observer.retransmitted();
    this.#interval = Math.min(2 * this.#interval, this.#context.timers.t2);
    this.#timers.start('G', this.#interval, () => this.#onTimerG());
  }

  #onTimerH(): void {
    // "If timer H fires while in the "Completed" state, it implies that the ACK was never received. In this case,
    // the server transaction MUST transition to the "Terminated" state, and MUST indicate to the TU that a
    // transaction failure has occurred."
    this.#context.observer.timedOut();
    this.#terminate();
  }

  #transmit(response: SipResponse): void {
    this.#context.send(response, this.remote).catch(() => {
      // RFC 3261 §17.2.4: a transport failure ends the transaction; the transport counted it.
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
