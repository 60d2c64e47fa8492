import { TransactionCancelledError, TransactionTimeoutError } from '../errors';
import type { SipRequest, SipResponse } from '../message/message';
import type { RemoteAddress } from '../transport/transport';
import { createDeferred } from './deferred';
import { TimerSet } from './timer-set';
import { transactionTimeout } from './timers';
import { type ClientRequestOptions, isReliable, type TransactionContext } from './transaction';

export type NonInviteClientState = 'trying' | 'proceeding' | 'completed' | 'terminated';

export interface NonInviteClientTransactionOptions extends TransactionContext, ClientRequestOptions {
  request: SipRequest;
  remote: RemoteAddress;
}

/**
 * Non-INVITE client transaction, RFC 3261 §17.1.2 (REGISTER, MESSAGE, SUBSCRIBE, BYE… — most of GB/T 28181).
 *
 * ```text
 *            request from TU / send, start E (UDP) and F
 *                              |
 *   Timer E / resend,     +----v-----+   Timer F or transport error / reject
 *   E = min(2E, T2)   +---|  Trying  |-----------------------------------+
 *                     +-->+----+-----+                                   |
 *                   1xx / to TU|    \ 200-699 / resolve                  |
 *                         +----v-----+ \                                 |
 *   Timer E / resend,  +--|Proceeding|--+---------------------------+    |
 *   E = T2             +->+----+-----+  Timer F or error / reject   |    |
 *          1xx / to TU         | 200-699 / resolve, start K         |    |
 *                         +----v-----+                              |    |
 *   response / absorb     | Completed|  (K = T4 over UDP, 0 over TCP)|    |
 *                         +----+-----+                              |    |
 *                              | Timer K                            |    |
 *                         +----v-----+<-----------------------------+    |
 *                         |Terminated|<----------------------------------+
 *                         +----------+
 * ```
 * Retransmissions over UDP are therefore sent at 0.5, 1.5, 3.5, 7.5, 11.5 … s and the request fails at 32 s.
 */
export class NonInviteClientTransaction {
  readonly request: SipRequest;
  readonly remote: RemoteAddress;
  #state: NonInviteClientState = 'trying';
  readonly #context: NonInviteClientTransactionOptions;
  readonly #timers: TimerSet<'E' | 'F' | 'K'>;
  readonly #result = createDeferred<SipResponse>();
  #interval: number;

  constructor(options: NonInviteClientTransactionOptions) {
    this.request = options.request;
    this.remote = options.remote;
    this.#context = options;
    this.#timers = new TimerSet(options.clock);
    this.#interval = options.timers.t1;
  }

  get state(): NonInviteClientState {
    return this.#state;
  }

  /** Settles with the final response, or rejects on Timer F, a transport error or cancellation. */
  get response(): Promise<SipResponse> {
    return this.#result.promise;
  }

  start(): void {
    this.#transmit();
    // "If an unreliable transport is in use, the client transaction MUST set timer E to fire in T1 seconds."
    if (!isReliable(this.remote)) this.#timers.start('E', this.#interval, () => this.#onTimerE());
    // "When entering this state, the client transaction SHOULD set timer F to fire in 64*T1 seconds."
    this.#timers.start('F', transactionTimeout(this.#context.timers), () => this.#onTimerF());
  }

  receive(response: SipResponse): void {
    if (this.#state === 'completed') {
      // "The "Completed" state exists to buffer any additional response retransmissions that may be received."
      this.#context.observer.absorbed();
      return;
    }
    if (this.#state === 'terminated') return;
    if (response.status < 200) {
      // "If a provisional response is received while in the "Trying" state, the response MUST be passed to the TU,
      // and then the client transaction SHOULD move to the "Proceeding" state."
      this.#state = 'proceeding';
      this.#context.onProvisional?.(response);
      return;
    }
    // "If a final response (status codes 200-699) is received while in the "Trying" state, the response MUST be
    // passed to the TU, and the client transaction MUST transition to the "Completed" state."
    this.#state = 'completed';
    this.#timers.stopAll();
    this.#result.resolve(response);
    // "Once the client transaction enters the "Completed" state, it MUST set Timer K to fire in T4 seconds for
    // unreliable transports, and zero seconds for reliable transports."
    const linger = isReliable(this.remote) ? 0 : this.#context.timers.t4;
    this.#timers.start('K', linger, () => this.#terminate());
  }

  /** Stops the transaction locally; responses arriving later are strays. */
  cancel(): void {
    if (this.#state === 'terminated') return;
    this.#result.reject(new TransactionCancelledError(this.request.method));
    this.#terminate();
  }

  #onTimerE(): void {
    this.#transmit();
    this.#context.observer.retransmitted();
    if (this.#state === 'proceeding') {
      // "If Timer E fires while in the "Proceeding" state, the request MUST be passed to the transport layer for
      // retransmission, and Timer E MUST be reset with a value of T2 seconds."
      this.#interval = this.#context.timers.t2;
    } else {
      // "If timer E fires while still in this state, the timer is reset, but this time with a value of
      // MIN(2*T1, T2)." (and doubling on, per erratum 2769)
      this.#interval = Math.min(2 * this.#interval, this.#context.timers.t2);
    }
    this.#timers.start('E', this.#interval, () => this.#onTimerE());
  }

  #onTimerF(): void {
    // "If Timer F fires while the client transaction is still in the "Trying" state, the client transaction SHOULD
    // inform the TU about the timeout, and then it SHOULD enter the "Terminated" state." (Proceeding alike.)
    this.#context.observer.timedOut();
    this.#result.reject(
      new TransactionTimeoutError(this.request.method, 'F', transactionTimeout(this.#context.timers)),
    );
    this.#terminate();
  }

  #transmit(): void {
    this.#context.send(this.request, this.remote).catch((error: unknown) => {
      // RFC 3261 §17.1.4: "the client transaction SHOULD inform the TU that a transport failure has occurred, and the
      // client transaction SHOULD transition directly to the "Terminated" state."
      if (this.#state === 'trying' || this.#state === 'proceeding') {
        this.#result.reject(error);
        this.#terminate();
      }
    });
  }

  #terminate(): void {
    if (this.#state === 'terminated') return;
    this.#state = 'terminated';
    this.#timers.stopAll();
    this.#context.observer.terminated();
  }
}
