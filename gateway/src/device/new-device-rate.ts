import type { Clock } from '@tessera/kit';

export interface NewDeviceRateOptions {
  clock: Clock;
  /** Distinct new device IDs one source address may bring online within `windowMs`. */
  perSource: number;
  windowMs: number;
  /** Most source addresses remembered; the oldest go first. Default 100,000. */
  maxSources?: number;
}

interface Window {
  start: number;
  ids: Set<string>;
}

/**
 * How many device IDs not yet online one source address brings online per window: with the shared password of open
 * admission (or one leaked camera's) anyone could otherwise add hundreds of devices in seconds. A site behind one NAT
 * address that boots many cameras at once is slowed, not refused: the registrar answers 503 with Retry-After and
 * the cameras come back. An ID counted once may retry within the window without counting again.
 */
export class NewDeviceRate {
  readonly #opts: NewDeviceRateOptions;
  readonly #maxSources: number;
  readonly #windows = new Map<string, Window>();

  constructor(options: NewDeviceRateOptions) {
    this.#opts = options;
    this.#maxSources = options.maxSources ?? 100_000;
  }

  /** Counts the device against its source; returns 0 when admitted, else the milliseconds until it may retry. */
  admit(address: string, deviceId: string): number {
    const now = this.#opts.clock.now();
    let window = this.#windows.get(address);
    if (!window || now - window.start >= this.#opts.windowMs) {
      this.#windows.delete(address);
      window = { start: now, ids: new Set() };
      this.#windows.set(address, window);
      if (this.#windows.size > this.#maxSources)
        this.#windows.delete(this.#windows.keys().next().value as string);
    }
    if (window.ids.has(deviceId)) return 0;
    if (window.ids.size >= this.#opts.perSource) return Math.max(1, window.start + this.#opts.windowMs - now);
    window.ids.add(deviceId);
    return 0;
  }
}
