import type { Lease, LeaseStore } from '@tessera/contracts';
import { type Clock, type Logger, systemClock, type TimerHandle } from '@tessera/kit';
import { BusArgumentError } from './errors';
import { leaseTtlMs } from './lease';

export interface LeaseKeeperOptions {
  store: LeaseStore;
  key: string;
  /** This node (kit `nodeId()`), or another holder name unique to the owner. */
  holder: string;
  ttlMs: number;
  /** How often to renew; default a third of the TTL, so two renewals may fail before the lease lapses. */
  renewEveryMs?: number;
  /**
   * Called once when the lease is lost: a renewal found it taken or released, or renewals kept failing
   * (store unreachable) until the lease's expiry passed. The owner must stop acting at once: another node
   * may hold it with a higher epoch.
   */
  onLost?: (lease: Lease, reason: LeaseLostReason) => void;
  clock?: Clock;
  logger: Logger;
}

/** `taken`: a renewal answered that the lease is no longer ours. `expired`: renewals failed until its expiry. */
export type LeaseLostReason = 'taken' | 'expired';

/**
 * Holds one lease: acquires it, renews it every `renewEveryMs`, reports its loss once, releases it on
 * `close()` (idempotent). Once lost it neither renews nor releases (a `LeaseStore` matches the holder, not the
 * epoch, so that could touch a newer tenure of the same node): acquire again with a new keeper. The kept `lease.expiresAt` is counted from the start of the last successful renewal
 * on this node's clock — never later than the store's — so a holder that cannot renew gives up no later than
 * the moment another node may take over (clocks NTP-synced, as for bus deadlines).
 */
export class LeaseKeeper {
  readonly #options: LeaseKeeperOptions;
  readonly #clock: Clock;
  readonly #ttlMs: number;
  readonly #renewEveryMs: number;
  readonly #logger: Logger;
  #lease: Lease;
  #timer: TimerHandle | undefined;
  /** Fires at the kept expiry: the lease is lost even while a renewal hangs on an unreachable store. */
  #expiryTimer: TimerHandle | undefined;
  #renewing: Promise<void> | undefined;
  #lost: LeaseLostReason | undefined;
  #closing: Promise<void> | undefined;

  /** Acquires `key` and starts renewing it; null when another holder has it. */
  static async acquire(options: LeaseKeeperOptions): Promise<LeaseKeeper | null> {
    const ttlMs = leaseTtlMs(options.ttlMs);
    const renewEveryMs = options.renewEveryMs ?? Math.max(1, Math.floor(ttlMs / 3));
    if (!Number.isFinite(renewEveryMs) || renewEveryMs <= 0 || renewEveryMs >= ttlMs) {
      throw new BusArgumentError(`renewEveryMs must be positive and below ttlMs, got ${renewEveryMs}`);
    }
    const clock = options.clock ?? systemClock;
    const startedAt = clock.now();
    const lease = await options.store.acquire(options.key, options.holder, ttlMs);
    if (!lease) return null;
    return new LeaseKeeper(options, clock, ttlMs, renewEveryMs, {
      ...lease,
      expiresAt: Math.min(lease.expiresAt, startedAt + ttlMs),
    });
  }

  private constructor(
    options: LeaseKeeperOptions,
    clock: Clock,
    ttlMs: number,
    renewEveryMs: number,
    lease: Lease,
  ) {
    this.#options = options;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
    this.#renewEveryMs = renewEveryMs;
    this.#lease = Object.freeze(lease);
    this.#logger = options.logger.child({ component: 'lease-keeper', key: lease.key, epoch: lease.epoch });
    this.#armExpiry();
    this.#schedule();
  }

  /** The lease as last confirmed (its epoch is the fencing token for writes made under it). */
  get lease(): Lease {
    return this.#lease;
  }

  /** Whether the lease is still ours as far as this node knows (false once lost or closed). */
  get held(): boolean {
    return (
      this.#lost === undefined && this.#closing === undefined && this.#clock.now() < this.#lease.expiresAt
    );
  }

  /** Stops renewing and releases the lease if still ours, so another node can take it over at once. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#stopTimers();
    await this.#renewing;
    if (this.#lost) return;
    try {
      await this.#options.store.release(this.#lease.key, this.#lease.holder);
    } catch (err) {
      this.#logger.warn({ err }, 'releasing the lease failed; it expires by itself');
    }
  }

  #schedule(): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#renewing = this.#renew().finally(() => {
        this.#renewing = undefined;
      });
    }, this.#renewEveryMs);
  }

  #armExpiry(): void {
    if (this.#expiryTimer) this.#clock.clearTimeout(this.#expiryTimer);
    this.#expiryTimer = this.#clock.setTimeout(
      () => {
        this.#expiryTimer = undefined;
        this.#lose('expired');
      },
      Math.max(0, this.#lease.expiresAt - this.#clock.now()),
    );
  }

  #stopTimers(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    if (this.#expiryTimer) this.#clock.clearTimeout(this.#expiryTimer);
    this.#timer = undefined;
    this.#expiryTimer = undefined;
  }

  /** Never rejects. */
  async #renew(): Promise<void> {
    if (this.#closing || this.#lost) return;
    const { key, holder } = this.#lease;
    const startedAt = this.#clock.now();
    let renewed: boolean;
    try {
      renewed = await this.#options.store.renew(key, holder, this.#ttlMs);
    } catch (err) {
      if (this.#lost || this.#closing) return;
      this.#logger.warn({ err }, 'renewing the lease failed; retrying until it expires');
      this.#schedule();
      return;
    }
    if (this.#lost || this.#closing) return; // declared lost meanwhile (expiry passed); close() releases nothing
    if (!renewed) {
      this.#lose('taken');
      return;
    }
    this.#lease = Object.freeze({ ...this.#lease, expiresAt: startedAt + this.#ttlMs });
    this.#armExpiry();
    this.#schedule();
  }

  #lose(reason: LeaseLostReason): void {
    if (this.#lost || this.#closing) return;
    this.#stopTimers();
    this.#lost = reason;
    this.#logger.warn({ reason }, 'lease lost');
    try {
      this.#options.onLost?.(this.#lease, reason);
    } catch (err) {
      this.#logger.error({ err }, 'onLost handler threw');
    }
  }
}
