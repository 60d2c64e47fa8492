import type { Clock, Logger } from '@tessera/kit';
import { BusArgumentError } from './errors';

/** Tuning shared by both implementations; defaults in `BUS_DEFAULTS`. */
export interface BusTuning {
  /** Approximate cap of each event stream (`XADD MAXLEN ~`); older events are trimmed. */
  streamMaxLen?: number;
  /** Requests one `handle()` registration runs at the same time; it takes no more work while full. */
  commandConcurrency?: number;
  /** Time source for deadlines and request timers. */
  clock?: Clock;
}

export interface BusBaseOptions extends BusTuning {
  logger: Logger;
}

export const BUS_DEFAULTS = {
  streamMaxLen: 100_000,
  commandConcurrency: 32,
  /** XREADGROUP / BRPOP block time; bounds how late a claim pass runs, not how fast events arrive. */
  blockMs: 5_000,
  /** Pending events idle this long (their consumer crashed) are claimed by a live consumer of the group. */
  claimIdleMs: 60_000,
  /** A claimed event delivered more often than this (it keeps killing its consumers) is dropped. */
  maxDeliveries: 10,
  /** Entries per XREADGROUP / XAUTOCLAIM. */
  readCount: 100,
  /** A request queue lives this long past the latest deadline in it, so queues with no handler vanish. */
  requestQueueGraceMs: 10_000,
} as const;

export function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v <= 0)
    throw new BusArgumentError(`${name} must be a positive integer, got ${v}`);
  return v;
}
