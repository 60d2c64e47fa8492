import { type Clock, systemClock, type TimerHandle } from '@tessera/kit';
import type { KeepaliveEntry } from '../repositories/device.repository';

export interface KeepaliveBatcherOptions {
  intervalMs: number;
  /** Writes one batch (one UPDATE); resolves to the rows touched. */
  write: (entries: KeepaliveEntry[]) => Promise<number>;
  onFlushed?: (entries: number, rows: number) => void;
  onError: (err: unknown, entries: number) => void;
  clock?: Clock;
}

/**
 * Coalesces keepalives: the latest per device is kept and written at most once per interval, all devices
 * in one statement — 5,000 devices keeping alive every 60 s become one UPDATE every few seconds. The first
 * keepalive after a flush arms the timer; flushes never overlap.
 */
export class KeepaliveBatcher {
  readonly #pending = new Map<string, KeepaliveEntry>();
  readonly #clock: Clock;
  #timer: TimerHandle | null = null;
  #inFlight: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(private readonly options: KeepaliveBatcherOptions) {
    this.#clock = options.clock ?? systemClock;
  }

  add(entry: KeepaliveEntry): void {
    if (this.#closed) return;
    const previous = this.#pending.get(entry.deviceId);
    if (!previous || Date.parse(previous.at) <= Date.parse(entry.at))
      this.#pending.set(entry.deviceId, entry);
    this.#timer ??= this.#clock.setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, this.options.intervalMs);
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Writes what is pending now (after any flush in flight). Never rejects: failures go to `onError`. */
  flush(): Promise<void> {
    this.#inFlight = this.#inFlight.then(async () => {
      if (this.#pending.size === 0) return;
      const entries = [...this.#pending.values()];
      this.#pending.clear();
      try {
        const rows = await this.options.write(entries);
        this.options.onFlushed?.(entries.length, rows);
      } catch (err) {
        this.options.onError(err, entries.length);
      }
    });
    return this.#inFlight;
  }

  /** Stops the timer and writes what is pending. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) {
      this.#clock.clearTimeout(this.#timer);
      this.#timer = null;
    }
    await this.flush();
  }
}
