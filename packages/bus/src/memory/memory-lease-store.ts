import type { Lease } from '@tessera/contracts';
import { type Clock, systemClock } from '@tessera/kit';
import { BusClosedError } from '../errors';
import {
  assertLeaseHolder,
  assertLeaseKey,
  assertLeasePrefix,
  createLeaseMetrics,
  frozenLease,
  type LeaseMetrics,
  leaseTtlMs,
  type MeteredLeaseStore,
} from '../lease';
import type { MemoryBroker, MemoryLeaseEntry } from './memory-broker';

export interface MemoryLeaseStoreOptions {
  /** Stores on one broker share their leases; `MemoryBroker.shared(namespace)` for a process-wide one. */
  broker: MemoryBroker;
  /** Time for expiry; a `ManualClock` makes takeover testable without waiting. */
  clock?: Clock;
}

/**
 * `LeaseStore` in one process, with the Redis implementation's semantics: a lease lives until `expiresAt`
 * (then it is free, and renewing it fails), and a key's epoch only grows — it survives expiry and release.
 */
export class MemoryLeaseStore implements MeteredLeaseStore {
  readonly metrics: LeaseMetrics = createLeaseMetrics();
  readonly #leases: MemoryBroker['leases'];
  readonly #epochs: MemoryBroker['leaseEpochs'];
  readonly #clock: Clock;
  #closed = false;

  constructor(options: MemoryLeaseStoreOptions) {
    this.#leases = options.broker.leases;
    this.#epochs = options.broker.leaseEpochs;
    this.#clock = options.clock ?? systemClock;
  }

  async acquire(key: string, holder: string, ttlMs: number): Promise<Lease | null> {
    this.#assertOpen();
    assertLeaseKey(key);
    assertLeaseHolder(holder);
    const ttl = leaseTtlMs(ttlMs);
    const expiresAt = this.#clock.now() + ttl;
    const current = this.#live(key);
    if (current && current.holder !== holder) {
      this.metrics.refused++;
      return null;
    }
    if (current) {
      current.expiresAt = expiresAt;
      this.metrics.renewed++;
      return frozenLease(key, holder, current.epoch, expiresAt);
    }
    const epoch = (this.#epochs.get(key) ?? 0) + 1;
    this.#epochs.set(key, epoch);
    this.#leases.set(key, { holder, epoch, expiresAt });
    this.metrics.acquired++;
    return frozenLease(key, holder, epoch, expiresAt);
  }

  async renew(key: string, holder: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    assertLeaseKey(key);
    assertLeaseHolder(holder);
    const ttl = leaseTtlMs(ttlMs);
    const current = this.#live(key);
    if (current?.holder !== holder) {
      this.metrics.lost++;
      return false;
    }
    current.expiresAt = this.#clock.now() + ttl;
    this.metrics.renewed++;
    return true;
  }

  async release(key: string, holder: string): Promise<boolean> {
    this.#assertOpen();
    assertLeaseKey(key);
    assertLeaseHolder(holder);
    if (this.#live(key)?.holder !== holder) return false;
    this.#leases.delete(key);
    this.metrics.released++;
    return true;
  }

  async holder(key: string): Promise<Lease | null> {
    this.#assertOpen();
    assertLeaseKey(key);
    const current = this.#live(key);
    return current ? frozenLease(key, current.holder, current.epoch, current.expiresAt) : null;
  }

  /** Sorted by key, so both implementations answer identically. */
  async list(prefix: string): Promise<Lease[]> {
    this.#assertOpen();
    assertLeasePrefix(prefix);
    const found: Lease[] = [];
    for (const key of [...this.#leases.keys()]) {
      const current = this.#live(key); // also sweeps expired leases of other prefixes
      if (current && key.startsWith(prefix))
        found.push(frozenLease(key, current.holder, current.epoch, current.expiresAt));
    }
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** Idempotent. The leases stay on the broker for the other stores sharing it (a closed store holds on until expiry, as on Redis). */
  async close(): Promise<void> {
    this.#closed = true;
  }

  /** The entry while it lives; an expired one is removed (Redis PX expiry). */
  #live(key: string): MemoryLeaseEntry | undefined {
    const entry = this.#leases.get(key);
    if (!entry) return undefined;
    if (this.#clock.now() >= entry.expiresAt) {
      this.#leases.delete(key);
      return undefined;
    }
    return entry;
  }

  #assertOpen(): void {
    if (this.#closed) throw new BusClosedError('lease store');
  }
}
