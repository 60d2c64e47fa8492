import { type Clock, systemClock, type TimerHandle } from '@tessera/kit';

export interface PresenceReconcilerOptions {
  /** First pass this long after `start()`, so keepalives queued on the bus while we were down land first. */
  firstAfterMs: number;
  /** Then one pass this often; 0 = only the first. */
  everyMs: number;
  /** One pass; resolves to the number of devices it marked offline. */
  reconcile: () => Promise<number>;
  onError: (err: unknown) => void;
  clock?: Clock;
}

/**
 * Schedules the presence reconcile (`DeviceRepository.reconcileStale`): once after start — devices that died
 * while the platform was down are stored online and no gateway will ever report them offline, since its
 * presence was lost or expired with them — and then periodically, as a safety net for a gateway whose presence
 * store was lost while the platform ran. Passes never overlap; a failed pass (database down) waits for the next.
 */
export class PresenceReconciler {
  readonly #clock: Clock;
  #timer: TimerHandle | null = null;
  #running: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(private readonly options: PresenceReconcilerOptions) {
    this.#clock = options.clock ?? systemClock;
  }

  start(): void {
    this.#schedule(this.options.firstAfterMs);
  }

  /** Stops the schedule and waits for a pass in progress. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  #schedule(ms: number): void {
    if (this.#closed) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = null;
      this.#running = this.#pass();
    }, ms);
  }

  async #pass(): Promise<void> {
    try {
      await this.options.reconcile();
    } catch (err) {
      this.options.onError(err);
    }
    if (this.options.everyMs > 0) this.#schedule(this.options.everyMs);
  }
}
