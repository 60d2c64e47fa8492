import { type Clock, TimeoutError, type TimerHandle } from '@tessera/kit';

/**
 * Answers we wait for, keyed by device + SN (MANSCDP correlates replies by SN and DeviceID). A reply nobody waits
 * for is reported as unmatched; a wait that runs out rejects with TimeoutError.
 */
export class PendingReplies<T> {
  readonly #clock: Clock;
  readonly #waiting = new Map<
    string,
    { resolve: (v: T) => void; reject: (e: Error) => void; timer: TimerHandle }
  >();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  wait(deviceId: string, sn: number, timeoutMs: number, what: string): Promise<T> {
    const key = `${deviceId}:${sn}`;
    return new Promise<T>((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#waiting.delete(key);
        reject(new TimeoutError(what, timeoutMs));
      }, timeoutMs);
      this.#waiting.set(key, { resolve, reject, timer });
    });
  }

  /** Returns false when nobody waited for this reply. */
  settle(deviceId: string, sn: number, value: T): boolean {
    const key = `${deviceId}:${sn}`;
    const entry = this.#waiting.get(key);
    if (!entry) return false;
    this.#waiting.delete(key);
    this.#clock.clearTimeout(entry.timer);
    entry.resolve(value);
    return true;
  }

  cancel(deviceId: string, sn: number, error: Error): void {
    const key = `${deviceId}:${sn}`;
    const entry = this.#waiting.get(key);
    if (!entry) return;
    this.#waiting.delete(key);
    this.#clock.clearTimeout(entry.timer);
    entry.reject(error);
  }

  close(error: Error): void {
    for (const [key, entry] of this.#waiting) {
      this.#clock.clearTimeout(entry.timer);
      entry.reject(error);
      this.#waiting.delete(key);
    }
  }
}
