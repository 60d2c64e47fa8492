import type { KeyValueStore } from '@tessera/contracts';
import { type Clock, systemClock } from '@tessera/kit';
import { BusClosedError } from '../errors';
import { ttlToMs } from '../kv-ttl';
import type { MemoryBroker } from './memory-broker';

export interface MemoryKeyValueStoreOptions {
  /** Stores on one broker share their entries; `MemoryBroker.shared(namespace)` for a process-wide one. */
  broker: MemoryBroker;
  /** Time for TTLs; a `ManualClock` makes expiry testable without waiting. */
  clock?: Clock;
}

/** `KeyValueStore` in one process. Expired entries are removed when read or listed, and swept as the map grows. */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #entries: MemoryBroker['kv'];
  readonly #clock: Clock;
  #sweepAt = 1024;
  #closed = false;

  constructor(options: MemoryKeyValueStoreOptions) {
    this.#entries = options.broker.kv;
    this.#clock = options.clock ?? systemClock;
  }

  async get(key: string): Promise<string | null> {
    this.#assertOpen();
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (this.#expired(entry.expiresAt)) {
      this.#entries.delete(key);
      return null;
    }
    return entry.value;
  }

  /** Without `ttlSec` the key never expires (an earlier TTL is cleared, as Redis SET does). */
  async set(key: string, value: string, ttlSec?: number): Promise<void> {
    this.#assertOpen();
    const ttlMs = ttlToMs(ttlSec);
    this.#entries.set(key, { value, expiresAt: ttlMs === undefined ? undefined : this.#clock.now() + ttlMs });
    if (this.#entries.size >= this.#sweepAt) {
      this.#sweep();
      this.#sweepAt = Math.max(1024, this.#entries.size * 2);
    }
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    this.#entries.delete(key);
  }

  /** Sorted, so both implementations answer identically. */
  async keys(prefix: string): Promise<string[]> {
    this.#assertOpen();
    this.#sweep();
    return [...this.#entries.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  /** Idempotent. The entries stay on the broker for the other stores sharing it. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #sweep(): void {
    for (const [key, entry] of this.#entries) if (this.#expired(entry.expiresAt)) this.#entries.delete(key);
  }

  #expired(expiresAt: number | undefined): boolean {
    return expiresAt !== undefined && this.#clock.now() >= expiresAt;
  }

  #assertOpen(): void {
    if (this.#closed) throw new BusClosedError('key/value store');
  }
}
