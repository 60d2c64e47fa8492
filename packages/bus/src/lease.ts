import type { Lease, LeaseStore } from '@tessera/contracts';
import { BusArgumentError } from './errors';

/**
 * What both `LeaseStore` implementations share: argument checks (keys and holders become Redis keys and
 * values, so they are bounded and free of control characters), counters, and `close()`.
 */

export const LEASE_LIMITS = {
  /** Longest lease key (e.g. `stream:<channel id>`). */
  maxKeyLength: 512,
  /** Longest holder (a node ID, kit `NODE_ID_MAX_LENGTH`, with room to spare). */
  maxHolderLength: 256,
  /** Longest TTL: ~24.8 days, the largest delay a Node timer accepts; a lease is meant to be renewed. */
  maxTtlMs: 2_147_483_647,
} as const;

/** Counters of one lease store instance (plain numbers, read them from an exporter). */
export interface LeaseMetrics {
  /** `acquire` that started a new tenure (a new epoch). */
  acquired: number;
  /** `acquire` of a lease already ours, and successful `renew`. */
  renewed: number;
  /** `acquire` refused because another holder has the lease. */
  refused: number;
  /** `renew` that found the lease no longer ours (expired, taken or released). */
  lost: number;
  /** `release` that gave a lease up. */
  released: number;
}

export function createLeaseMetrics(): LeaseMetrics {
  return { acquired: 0, renewed: 0, refused: 0, lost: 0, released: 0 };
}

/** A `LeaseStore` with its counters and an idempotent `close()`: what `createLeaseStore` returns. */
export interface MeteredLeaseStore extends LeaseStore {
  readonly metrics: Readonly<LeaseMetrics>;
  close(): Promise<void>;
}

// Printable, no control characters (C0, DEL, C1): a key or holder is shown in logs and stored in Redis.
// Unicode property escape instead of a code-point range, which the linter (rightly) flags in general.
const CONTROL = /\p{Cc}/u;

function assertText(name: string, value: unknown, maxLength: number, allowEmpty: boolean): void {
  if (typeof value !== 'string') throw new BusArgumentError(`${name} must be a string, got ${typeof value}`);
  if (!allowEmpty && value.length === 0) throw new BusArgumentError(`${name} must not be empty`);
  if (value.length > maxLength) {
    throw new BusArgumentError(`${name} must be at most ${maxLength} characters, got ${value.length}`);
  }
  if (CONTROL.test(value)) throw new BusArgumentError(`${name} must not contain control characters`);
}

export function assertLeaseKey(key: unknown): asserts key is string {
  assertText('lease key', key, LEASE_LIMITS.maxKeyLength, false);
}

export function assertLeasePrefix(prefix: unknown): asserts prefix is string {
  assertText('lease prefix', prefix, LEASE_LIMITS.maxKeyLength, true);
}

export function assertLeaseHolder(holder: unknown): asserts holder is string {
  assertText('lease holder', holder, LEASE_LIMITS.maxHolderLength, false);
}

/** The TTL as whole milliseconds (Redis PEXPIRE takes integers), at least 1. */
export function leaseTtlMs(ttlMs: unknown): number {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0 || ttlMs > LEASE_LIMITS.maxTtlMs) {
    throw new BusArgumentError(
      `lease ttlMs must be a positive number up to ${LEASE_LIMITS.maxTtlMs}, got ${String(ttlMs)}`,
    );
  }
  return Math.max(1, Math.round(ttlMs));
}

export function frozenLease(key: string, holder: string, epoch: number, expiresAt: number): Lease {
  return Object.freeze({ key, holder, epoch, expiresAt });
}
