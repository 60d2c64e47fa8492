import { type Clock, TimeoutError, type TimerHandle } from '@tessera/kit';

/** How a wait ended: the device's answer, or why there is none (timeout, refusal, transport failure, close). */
export type ReplyOutcome<T> = { ok: true; value: T } | { ok: false; error: Error };

/**
 * Answers we wait for, keyed by device + SN (MANSCDP correlates replies by SN and DeviceID). A reply nobody waits
 * for is reported as unmatched; a wait that runs out ends with a TimeoutError.
 *
 * A wait is registered before its query is sent (the answer MESSAGE may overtake the 200 of ours), and its caller
 * usually awaits something else first — the MESSAGE transaction, which a silent device keeps going until Timer F
 * (64·T1, 32 s; RFC 3261 §17.1.2.2), long past a 10 s reply timer. So a wait never rejects: it resolves with a
 * ReplyOutcome. A rejecting promise would have been unhandled in between, which ended the whole process
 * (Node's default for an unhandled rejection) ~42 s after a camera went quiet following its REGISTER.
 */
export class PendingReplies<T> {
  readonly #clock: Clock;
  readonly #waiting = new Map<string, { settle: (outcome: ReplyOutcome<T>) => void; timer: TimerHandle }>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Resolves (never rejects) with the answer, or with the TimeoutError / cancel / close reason. */
  wait(deviceId: string, sn: number, timeoutMs: number, what: string): Promise<ReplyOutcome<T>> {
    const key = `${deviceId}:${sn}`;
    return new Promise<ReplyOutcome<T>>((resolve) => {
      const timer = this.#clock.setTimeout(() => {
        this.#waiting.delete(key);
        resolve({ ok: false, error: new TimeoutError(what, timeoutMs) });
      }, timeoutMs);
      this.#waiting.set(key, { settle: resolve, timer });
    });
  }

  /** Returns false when nobody waited for this reply. */
  settle(deviceId: string, sn: number, value: T): boolean {
    return this.#end(`${deviceId}:${sn}`, { ok: true, value });
  }

  /** Ends a wait with `error` (the query was refused or could not be sent); no-op when it already ended. */
  cancel(deviceId: string, sn: number, error: Error): void {
    this.#end(`${deviceId}:${sn}`, { ok: false, error });
  }

  close(error: Error): void {
    for (const key of [...this.#waiting.keys()]) this.#end(key, { ok: false, error });
  }

  #end(key: string, outcome: ReplyOutcome<T>): boolean {
    const entry = this.#waiting.get(key);
    if (!entry) return false;
    this.#waiting.delete(key);
    this.#clock.clearTimeout(entry.timer);
    entry.settle(outcome);
    return true;
  }
}

/** The answer, or the reason there is none thrown (at the one place a caller is awaiting it). */
export function unwrapReply<T>(outcome: ReplyOutcome<T>): T {
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
