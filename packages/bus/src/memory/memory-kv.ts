import type { KeyValueStore } from '@tessera/contracts';
import { type Clock, systemClock } from '@tessera/kit';
import { BusArgumentError, BusClosedError } from '../errors';
import { ttlToMs } from '../kv-ttl';
import type { MemoryBroker, MemoryKvEntry } from './memory-broker';

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
    this.#insert(key, value, ttlMs);
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    this.#entries.delete(key);
  }

  // The three below read and write without awaiting in between, so they are atomic as Redis makes them.
  async setIfAbsent(key: string, value: string, ttlSec: number): Promise<string | null> {
    this.#assertOpen();
    const ttlMs = ttlToMs(ttlSec) as number;
    const previous = this.#live(key);
    if (previous) return previous.value;
    this.#insert(key, value, ttlMs);
    return null;
  }

  async increment(key: string, ttlSec: number): Promise<number> {
    this.#assertOpen();
    const ttlMs = ttlToMs(ttlSec) as number;
    const previous = this.#live(key);
    const count = (previous ? Number(previous.value) : 0) + 1;
    if (!Number.isSafeInteger(count)) throw new BusArgumentError(`${key} does not hold an integer`);
    if (previous) previous.value = String(count);
    else this.#insert(key, String(count), ttlMs);
    return count;
  }

  async raise(key: string, value: number, ttlSec: number): Promise<number | null> {
    this.#assertOpen();
    if (!Number.isSafeInteger(value))
      throw new BusArgumentError(`value must be a safe integer, got ${value}`);
    const ttlMs = ttlToMs(ttlSec) as number;
    const previous = this.#live(key);
    if (!previous) {
      this.#insert(key, String(value), ttlMs);
      return null;
    }
    const was = Number(previous.value);
    // The TTL stays, as Redis SET KEEPTTL.
    if (was < value) previous.value = String(value);
    return was;
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

  #insert(key: string, value: string, ttlMs: number | undefined): void {
    this.#entries.set(key, { value, expiresAt: ttlMs === undefined ? undefined : this.#clock.now() + ttlMs });
    if (this.#entries.size >= this.#sweepAt) {
      this.#sweep();
      this.#sweepAt = Math.max(1024, this.#entries.size * 2);
    }
  }

  /** The entry when present and not expired (the map's own object, so an update keeps its expiry). */
  #live(key: string): MemoryKvEntry | undefined {
    const entry = this.#entries.get(key);
    if (entry && this.#expired(entry.expiresAt)) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
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
