/** Test helpers that wait on events and conditions, never on fixed sleeps. */

export class Deferred<T = void> {
  readonly promise: Promise<T>;
  resolve!: (value: T) => void;

  constructor() {
    this.promise = new Promise<T>((resolve) => {
      this.resolve = resolve;
    });
  }
}

/** Polls `condition` until true; fails with `what` after `timeoutMs`. For state only observable by polling (TTL expiry, Redis bookkeeping). */
export async function until(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Records what a handler received; `waitFor(n)` resolves as soon as n items arrived. */
export class Collector<T> {
  readonly items: T[] = [];
  readonly #waiters: Array<{ count: number; resolve: () => void }> = [];

  push = (item: T): void => {
    this.items.push(item);
    for (const waiter of [...this.#waiters]) {
      if (this.items.length >= waiter.count) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  async waitFor(count: number, timeoutMs = 5_000): Promise<T[]> {
    if (this.items.length < count) {
      let timer: NodeJS.Timeout | undefined;
      const arrived = new Promise<void>((resolve) => this.#waiters.push({ count, resolve }));
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`expected ${count} items within ${timeoutMs} ms, got ${this.items.length}`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([arrived, expired]);
      } finally {
        clearTimeout(timer);
      }
    }
    return this.items;
  }
}
