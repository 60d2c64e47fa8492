import { Backoff, type Clock, systemClock, TesseraError, type TimerHandle } from '@tessera/kit';
import { isTransientDatabaseError } from '../database/database-errors';

/** The retry was closed (the platform is stopping) while a write still waited for its database. */
export class IngestStoppedError extends TesseraError {
  constructor(options?: { cause?: unknown }) {
    super('stopped', 'the inventory ingest stopped before the write succeeded', options);
  }
}

export interface IngestRetryOptions {
  /** First wait after a failure; doubles up to `maxDelayMs`. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  clock?: Clock;
  /** Each failed attempt that will be retried (log, count). */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
}

/**
 * Runs inventory writes until they succeed while the database is unreachable, so an outage delays what the
 * gateway reported instead of losing it. Each subscription runs its events one at a time, so waiting here
 * also holds back the events behind it: they are written later, in order, none skipped. The bus acknowledges
 * an event only after its handler settled (`packages/bus/src/subscription.ts`), so on Redis an event whose
 * write has not succeeded when the platform stops stays pending and is claimed by the next consumer.
 *
 * Only transient failures are retried (`isTransientDatabaseError`); a write that fails for its content would
 * fail forever, so it is rejected at once for the caller to count and drop.
 */
export class IngestRetry {
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #clock: Clock;
  readonly #waiting = new Map<TimerHandle, () => void>();
  #closed = false;

  constructor(private readonly options: IngestRetryOptions = {}) {
    this.#initialDelayMs = options.initialDelayMs ?? 200;
    this.#maxDelayMs = options.maxDelayMs ?? 5_000;
    this.#clock = options.clock ?? systemClock;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const backoff = new Backoff({ minMs: this.#initialDelayMs, maxMs: this.#maxDelayMs });
    for (let attempt = 1; ; attempt++) {
      if (this.#closed) throw new IngestStoppedError();
      try {
        return await work();
      } catch (err) {
        if (!isTransientDatabaseError(err)) throw err;
        if (this.#closed) throw new IngestStoppedError({ cause: err });
        const delayMs = backoff.next();
        this.options.onRetry?.(err, attempt, delayMs);
        await this.#sleep(delayMs);
      }
    }
  }

  /** Wakes every waiting write, which then rejects with `IngestStoppedError`. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const [timer, wake] of this.#waiting) {
      this.#clock.clearTimeout(timer);
      wake();
    }
    this.#waiting.clear();
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#clock.setTimeout(() => {
        this.#waiting.delete(timer);
        resolve();
      }, ms);
      this.#waiting.set(timer, resolve);
    });
  }
}
