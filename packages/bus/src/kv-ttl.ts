import { BusArgumentError } from './errors';

/** TTL in ms for a `set(…, ttlSec)`; undefined = no expiry. Fractions of a second are kept (Redis PX). */
export function ttlToMs(ttlSec: number | undefined): number | undefined {
  if (ttlSec === undefined) return undefined;
  if (!Number.isFinite(ttlSec) || ttlSec <= 0) {
    throw new BusArgumentError(`ttlSec must be a positive number, got ${ttlSec}`);
  }
  return Math.max(1, Math.round(ttlSec * 1000));
}
