import { type Clock, systemClock, type TimerHandle } from '@tessera/kit';
import type { KeepaliveEntry } from '../repositories/device.repository';

export interface KeepaliveBatcherOptions {
  intervalMs: number;
  /** Writes one batch (one UPDATE); resolves to the rows touched. */
  write: (entries: KeepaliveEntry[]) => Promise<number>;
  onFlushed?: (entries: number, rows: number) => void;
  /** A failed write whose entries are worth writing again (the database is unreachable): they are kept. */
  retryable?: (err: unknown) => boolean;
  /** `kept`: the entries stay pending for the next flush; otherwise they are dropped. */
  onError: (err: unknown, entries: number, kept: boolean) => void;
  clock?: Clock;
}

/**
 * Coalesces keepalives: the latest per device is kept and written at most once per interval, all devices
 * in one statement — 5,000 devices keeping alive every 60 s become one UPDATE every few seconds. The first
 * keepalive after a flush arms the timer; flushes never overlap. A batch that failed because the database is
 * unreachable is put back (a newer keepalive that arrived meanwhile wins) and tried again an interval later.
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
    this.#keep(entry);
    this.#arm();
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
        const kept = !this.#closed && (this.options.retryable?.(err) ?? false);
        if (kept) {
          for (const entry of entries) this.#keep(entry);
          this.#arm();
        }
        this.options.onError(err, entries.length, kept);
      }
    });
    return this.#inFlight;
  }

  /** The latest keepalive per device wins. */
  #keep(entry: KeepaliveEntry): void {
    const previous = this.#pending.get(entry.deviceId);
    if (!previous || Date.parse(previous.at) <= Date.parse(entry.at))
      this.#pending.set(entry.deviceId, entry);
  }

  #arm(): void {
    this.#timer ??= this.#clock.setTimeout(() => {
      this.#timer = null;
      void this.flush();
    }, this.options.intervalMs);
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
