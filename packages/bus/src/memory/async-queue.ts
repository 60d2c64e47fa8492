type Waiter<T> = (item: T) => void;

/**
 * FIFO with async consumers: `take` waits until an item is pushed. Waiting consumers are served in the
 * order they started waiting, so idle consumers share the work like consumers of a Redis group.
 */
export class AsyncQueue<T> {
  #items: T[] = [];
  #head = 0;
  readonly #waiters = new Set<Waiter<T>>();

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    const waiter = this.#waiters.values().next().value;
    if (waiter) {
      this.#waiters.delete(waiter);
      waiter(item);
      return;
    }
    this.#items.push(item);
  }

  /** The next item, or undefined once `signal` aborts. */
  take(signal: AbortSignal): Promise<T | undefined> {
    if (this.length > 0) return Promise.resolve(this.#shift());
    if (signal.aborted) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const onAbort = () => {
        this.#waiters.delete(waiter);
        resolve(undefined);
      };
      const waiter: Waiter<T> = (item) => {
        signal.removeEventListener('abort', onAbort);
        resolve(item);
      };
      this.#waiters.add(waiter);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Drops the oldest items beyond `max` (like `XADD MAXLEN`). */
  trimTo(max: number): void {
    const excess = this.length - max;
    if (excess > 0) this.#head += excess;
    this.#compact();
  }

  /** Drops items from the front while `predicate` holds. */
  dropWhile(predicate: (item: T) => boolean): void {
    while (this.length > 0 && predicate(this.#items[this.#head] as T)) this.#head++;
    this.#compact();
  }

  #shift(): T {
    const item = this.#items[this.#head] as T;
    this.#head++;
    this.#compact();
    return item;
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
