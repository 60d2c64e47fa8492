import type { ApiError, Result } from '../api/errors';

export interface FeedState<T> {
  /** The last good answer (kept while a later poll fails). */
  data: T | null;
  /** The last poll's failure, cleared by the next success. */
  error: ApiError | null;
  /** Epoch ms of the last good answer. */
  updatedAt: number | null;
  /** true once polling stopped for good: 401/403 do not get better by asking again. */
  stopped: boolean;
}

export interface PollingFeedOptions<T> {
  load: () => Promise<Result<T>>;
  intervalMs: number;
  onChange: (state: FeedState<T>) => void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * Polls one list while a view is open (the upper-platform links have no live event): the next poll is
 * scheduled only after the previous answer, so a slow platform is never asked twice at once; `refresh()` polls
 * now (after a change) and coalesces with a poll in flight.
 */
export class PollingFeed<T> {
  readonly #o: Required<PollingFeedOptions<T>>;
  #state: FeedState<T> = { data: null, error: null, updatedAt: null, stopped: false };
  #timer: unknown = null;
  #inFlight = false;
  #again = false;
  #closed = false;

  constructor(options: PollingFeedOptions<T>) {
    this.#o = {
      now: Date.now,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      ...options,
    };
  }

  get state(): FeedState<T> {
    return this.#state;
  }

  start(): void {
    void this.#poll();
  }

  /** Poll now; a poll in flight is followed by one more, so the answer reflects everything before this call. */
  refresh(): void {
    if (this.#closed) return;
    if (this.#inFlight) {
      this.#again = true;
      return;
    }
    this.#cancelTimer();
    if (this.#state.stopped) this.#state = { ...this.#state, stopped: false };
    void this.#poll();
  }

  close(): void {
    this.#closed = true;
    this.#cancelTimer();
  }

  async #poll(): Promise<void> {
    if (this.#closed) return;
    this.#inFlight = true;
    const result = await this.#o.load();
    this.#inFlight = false;
    if (this.#closed) return;
    if (result.ok) {
      this.#state = { data: result.value, error: null, updatedAt: this.#o.now(), stopped: false };
    } else {
      const final = result.error.kind === 'forbidden' || result.error.kind === 'unauthorized';
      this.#state = { ...this.#state, error: result.error, stopped: final };
    }
    this.#o.onChange(this.#state);
    if (this.#again) {
      this.#again = false;
      void this.#poll();
      return;
    }
    if (!this.#state.stopped) this.#timer = this.#o.setTimer(() => void this.#poll(), this.#o.intervalMs);
  }

  #cancelTimer(): void {
    if (this.#timer !== null) this.#o.clearTimer(this.#timer);
    this.#timer = null;
  }
}
