export interface BackoffOptions {
  /** First delay (default 2 s). */
  minMs?: number;
  /** Cap (default 60 s: GB/T 28181 §9.1 asks for retries not sooner than 60 s once things stay broken). */
  maxMs?: number;
  /** [0, 1); tests pin it. With 1 the delay is the full doubled value. */
  random?: () => number;
}

/**
 * Doubling back-off with "equal jitter": each delay is half the doubled value plus a random part of the other half,
 * so a platform whose uppers all came back at once does not re-register them in lock step (2022 §9.1 asks for
 * random back-off). `reset()` after a success.
 */
export class Backoff {
  readonly #min: number;
  readonly #max: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#min = options.minMs ?? 2_000;
    this.#max = options.maxMs ?? 60_000;
    this.#random = options.random ?? Math.random;
  }

  /** Failures since the last reset. */
  get attempts(): number {
    return this.#attempt;
  }

  next(): number {
    const full = Math.min(this.#max, this.#min * 2 ** this.#attempt);
    this.#attempt++;
    return Math.round(full / 2 + (full / 2) * this.#random());
  }

  reset(): void {
    this.#attempt = 0;
  }
}
