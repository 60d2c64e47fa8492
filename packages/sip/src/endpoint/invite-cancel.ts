import type { Clock, TimerHandle } from '@tessera/kit';
import type { SipRequest, SipResponse } from '../message/message';
import { buildCancel } from './cancel-request';

export interface InviteCancelOptions {
  /** Our INVITE as sent (with its Via: the CANCEL shares its branch). */
  invite: SipRequest;
  /** Aborted when the caller gives up on the INVITE. */
  signal: AbortSignal;
  clock: Clock;
  /** 64·T1: how long a CANCEL waits for the INVITE's final response before the transaction is dropped. */
  giveUpMs: number;
  /** Sends the CANCEL in its own non-INVITE client transaction; its final response is not needed. */
  send: (cancel: SipRequest) => Promise<SipResponse>;
  /** No final response to the INVITE in `giveUpMs` after the CANCEL: drop the INVITE transaction. */
  onGiveUp: () => void;
}

/**
 * The CANCEL side of one INVITE client transaction (RFC 3261 §9.1). Asked for before any provisional response, it
 * waits for one: "If no provisional response has been received, the CANCEL request MUST NOT be sent; rather, the
 * client MUST wait for the arrival of a provisional response before sending the request." Once sent, the INVITE
 * should end with a 487, which its client transaction ACKs itself (§17.1.1.3); "If there is no final response for
 * the original request in 64*T1 seconds …, the client SHOULD then consider the original transaction cancelled and
 * SHOULD destroy the client transaction handling the original request."
 */
export class InviteCancel {
  readonly #o: InviteCancelOptions;
  #provisional = false;
  #sent = false;
  #settled = false;
  #timer: TimerHandle | undefined;
  readonly #onAbort = () => this.#maybeSend();

  constructor(options: InviteCancelOptions) {
    this.#o = options;
    options.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Whether the caller asked for the CANCEL (sent or still waiting for a provisional response). */
  get requested(): boolean {
    return this.#o.signal.aborted;
  }

  /** Whether the CANCEL went out. */
  get sent(): boolean {
    return this.#sent;
  }

  /** A 1xx arrived: a CANCEL asked for earlier may go now. */
  provisional(): void {
    this.#provisional = true;
    this.#maybeSend();
  }

  /** The INVITE transaction ended (a final response, an error): nothing more to send or wait for. */
  settle(): void {
    this.#settled = true;
    this.#o.signal.removeEventListener('abort', this.#onAbort);
    if (this.#timer) this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #maybeSend(): void {
    if (this.#settled || this.#sent || !this.#provisional || !this.#o.signal.aborted) return;
    this.#sent = true;
    // Its answer (200, or 481 when the INVITE was already answered) changes nothing: the INVITE's own final
    // response says how it ended. A CANCEL that cannot be sent leaves the 64·T1 limit below to end the wait.
    this.#o.send(buildCancel(this.#o.invite)).catch(() => undefined);
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      if (!this.#settled) this.#o.onGiveUp();
    }, this.#o.giveUpMs);
  }
}
