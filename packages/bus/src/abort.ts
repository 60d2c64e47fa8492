/** Resolves after `ms`, or at once when `signal` aborts (never rejects). For back-off in loops. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Doubling back-off for loops that hit a broken connection; `reset()` after a success. */
export class Backoff {
  #next: number;

  constructor(
    private readonly initialMs = 100,
    private readonly maxMs = 5_000,
  ) {
    this.#next = initialMs;
  }

  next(): number {
    const ms = this.#next;
    this.#next = Math.min(this.#next * 2, this.maxMs);
    return ms;
  }

  reset(): void {
    this.#next = this.initialMs;
  }
}
