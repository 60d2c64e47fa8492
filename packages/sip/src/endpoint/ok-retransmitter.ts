import type { Clock, TimerHandle } from '@tessera/kit';
import type { SipTimers } from '../transaction/timers';
import { transactionTimeout } from '../transaction/timers';

interface Pending {
  timer: TimerHandle;
  interval: number;
  deadline: number;
  resend: () => void;
  onGiveUp: () => void;
}

/**
 * The UAS core's retransmission of a 2xx to an INVITE until the ACK arrives (RFC 3261 §13.3.1.4): "with an
 * interval that starts at T1 seconds and doubles for each retransmission until it reaches T2 seconds", and "If the
 * server retransmits the 2xx response for 64*T1 seconds without receiving an ACK, the dialog is confirmed, but the
 * session SHOULD be terminated." Keyed by Call-ID and CSeq number, which is how the ACK is matched.
 */
export class OkRetransmitter {
  readonly #clock: Clock;
  readonly #timers: SipTimers;
  readonly #pending = new Map<string, Pending>();

  constructor(options: { clock: Clock; timers: SipTimers }) {
    this.#clock = options.clock;
    this.#timers = options.timers;
  }

  get size(): number {
    return this.#pending.size;
  }

  start(key: string, resend: () => void, onGiveUp: () => void): void {
    this.stop(key);
    const pending: Pending = {
      timer: this.#clock.setTimeout(() => this.#fire(key), this.#timers.t1),
      interval: this.#timers.t1,
      deadline: this.#clock.now() + transactionTimeout(this.#timers),
      resend,
      onGiveUp,
    };
    this.#pending.set(key, pending);
  }

  /** The ACK arrived; returns whether a retransmission was pending for it. */
  stop(key: string): boolean {
    const pending = this.#pending.get(key);
    if (!pending) return false;
    this.#clock.clearTimeout(pending.timer);
    this.#pending.delete(key);
    return true;
  }

  stopAll(): void {
    for (const key of [...this.#pending.keys()]) this.stop(key);
  }

  #fire(key: string): void {
    const pending = this.#pending.get(key);
    if (!pending) return;
    const now = this.#clock.now();
    if (now >= pending.deadline) {
      this.#pending.delete(key);
      pending.onGiveUp();
      return;
    }
    pending.resend();
    pending.interval = Math.min(2 * pending.interval, this.#timers.t2);
    // The last wait is cut short so that giving up happens at 64·T1 exactly, not at the next retransmission.
    pending.timer = this.#clock.setTimeout(
      () => this.#fire(key),
      Math.min(pending.interval, pending.deadline - now),
    );
  }
}

export function ackKey(callId: string, seq: number): string {
  return `${callId}|${seq}`;
}
