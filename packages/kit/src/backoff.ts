export interface BackoffOptions {
  /** First delay (default 100 ms). */
  minMs?: number;
  /** Cap (default 5 s). */
  maxMs?: number;
  /**
   * "Equal jitter": each delay is half the doubled value plus a random part of the other half, so peers that failed
   * together do not retry in lock step (GB/T 28181-2022 §9.1 asks for random back-off). Off by default: a single
   * loop retrying its own connection has nobody to fall in step with.
   */
  jitter?: boolean;
  /** [0, 1) for the jitter; tests pin it. With 1 the delay is the full doubled value. */
  random?: () => number;
}

/**
 * Doubling back-off for a loop that keeps failing: minMs, 2·minMs, 4·minMs … up to maxMs, optionally jittered.
 * `reset()` after a success. The one back-off of the repository (gateway cascade links, bus loops, outboxes).
 */
export class Backoff {
  readonly #min: number;
  readonly #max: number;
  readonly #jitter: boolean;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#min = options.minMs ?? 100;
    this.#max = options.maxMs ?? 5_000;
    this.#jitter = options.jitter ?? false;
    this.#random = options.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  /** The delay before the next try; counts one failure. */
  next(): number {
    const full = Math.min(this.#max, this.#min * 2 ** this.#attempt);
    this.#attempt++;
    if (!this.#jitter) return full;
    return Math.round(full / 2 + (full / 2) * this.#random());
  }

  reset(): void {
    this.#attempt = 0;
  }
}
