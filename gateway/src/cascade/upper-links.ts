import {
  type Bus,
  type LeaseStore,
  type UpperLinkChanged,
  type UpperLinkState,
  UpperPlatformLink,
} from '@tessera/contracts';
import { LeaseKeeper } from '@tessera/bus';
import type { Backoff, BackoffOptions, Clock, Logger, TimerHandle } from '@tessera/kit';
import type { SipEndpoint } from '@tessera/sip';
import { cascadeBackoff, UpperLink } from './upper-link';

export interface UpperLinksOptions {
  bus: Pick<Bus, 'request' | 'publish'>;
  endpoint: Pick<SipEndpoint, 'request'>;
  clock: Clock;
  logger: Logger;
  contactHost: () => string;
  backoff?: BackoffOptions;
  /** Deadline of `cascade.uppers` (default 5 s). */
  loadTimeoutMs?: number;
  /** After each state change (metrics). */
  onChange?: (change: UpperLinkChanged) => void;
  /** This replica took the link's lease and started it (replicas): the dead holder's dialogs are continued here. */
  onTaken?: (upperId: string) => void;
  /** This replica lost the link's lease while alive: another holds it and its dialogs now. */
  onLost?: (upperId: string) => void;
  /** A link was removed or replaced (its dialogs and subscriptions go with it). */
  onRemoved?: (upperId: string) => void;
  /**
   * Gateway replicas: each link is registered by the one replica holding its lease (`<prefix>:upper:<id>`); the
   * others keep it unstarted (to recognise the upper's requests) and take it when the lease lapses. Absent: every
   * link is this gateway's.
   */
  ownership?: { leases: LeaseStore; node: string; keyPrefix: string; ttlMs: number };
}

const FIELDS = Object.keys(UpperPlatformLink.shape) as (keyof UpperPlatformLink)[];

/**
 * The set of upper links, as the platform configures them (`cascade.uppers`): loaded at start and again on
 * `cascade.uppers-changed`, diffed by id — new links start, removed ones unregister, changed ones restart with the
 * new settings (a disabled one unregisters and reports `disabled`). Reloads run one at a time; a failed load is
 * retried with back-off, so a gateway that starts before the platform still gets its links.
 */
export class UpperLinks {
  readonly #o: UpperLinksOptions;
  readonly #links = new Map<string, UpperLink>();
  /** Links this replica holds the lease of (started); the others are standing by. */
  readonly #held = new Map<string, LeaseKeeper>();
  readonly #retry: Backoff;
  #leaseTimer: TimerHandle | undefined;
  #leasing: Promise<void> = Promise.resolve();
  #sipIds: string[] = [];
  #queue: Promise<void> = Promise.resolve();
  #retryTimer: TimerHandle | undefined;
  #closed = false;

  constructor(options: UpperLinksOptions) {
    this.#o = options;
    this.#retry = cascadeBackoff({ minMs: options.backoff?.minMs, maxMs: options.backoff?.maxMs });
  }

  get size(): number {
    return this.#links.size;
  }

  get(id: string): UpperLink | undefined {
    return this.#links.get(id);
  }

  all(): UpperLink[] {
    return [...this.#links.values()];
  }

  /** Links per state, for the gauge. */
  counts(): Record<UpperLinkState, number> {
    const counts: Record<UpperLinkState, number> = { disabled: 0, registering: 0, registered: 0, failed: 0 };
    for (const link of this.#links.values()) {
      if (link.state !== 'closed' && this.#holds(link.id)) counts[link.state]++;
    }
    return counts;
  }

  /**
   * Cheap pre-check on the raw From header (the keepalive hot path runs through here): does it mention one of
   * the uppers' IDs at all? `find` confirms on the parsed value.
   */
  mentionsUpper(fromHeader: string): boolean {
    for (const id of this.#sipIds) if (fromHeader.includes(id)) return true;
    return false;
  }

  /**
   * The link a request from an upper belongs to: its From user is the upper's ID; with several links to the same
   * upper (one per local ID), the To user picks our local ID.
   */
  find(fromUser: string, toUser: string | undefined): UpperLink | undefined {
    let first: UpperLink | undefined;
    for (const link of this.#links.values()) {
      if (link.config.sipId !== fromUser) continue;
      if (link.config.localId === toUser) return link;
      first ??= link;
    }
    return first;
  }

  /** Whether this replica registers the link (always, without replicas). */
  holds(id: string): boolean {
    return this.#links.has(id) && this.#holds(id);
  }

  /** Loads now and keeps retrying until a load succeeds. */
  start(): void {
    void this.reload();
    this.#scheduleLeases();
  }

  /** One round of lease renewal and takeover (the timer's; tests call it). */
  claimLeases(): Promise<void> {
    this.#leasing = this.#leasing.then(() => this.#claimLeases());
    return this.#leasing;
  }

  /** Fetches `cascade.uppers` and applies it. Never rejects: a failure schedules a retry. */
  reload(): Promise<void> {
    this.#queue = this.#queue.then(() => this.#load());
    return this.#queue;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer) this.#o.clock.clearTimeout(this.#retryTimer);
    if (this.#leaseTimer) this.#o.clock.clearTimeout(this.#leaseTimer);
    // Not waiting for a load in flight: it may sit on a platform that never answers; it checks `#closed` and stops.
    const links = [...this.#links.values()];
    this.#links.clear();
    this.#sipIds = [];
    await Promise.all(links.map((link) => link.close()));
    // After the unregisters: another replica takes the links and registers them again at once.
    const keepers = [...this.#held.values()];
    this.#held.clear();
    await Promise.all(keepers.map((keeper) => this.#release(keeper)));
  }

  async #load(): Promise<void> {
    if (this.#closed) return;
    if (this.#retryTimer) this.#o.clock.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    let uppers: UpperPlatformLink[];
    try {
      ({ uppers } = await this.#o.bus.request(
        'cascade.uppers',
        {},
        { timeoutMs: this.#o.loadTimeoutMs ?? 5_000 },
      ));
    } catch (error) {
      if (this.#closed) return;
      const delay = this.#retry.next();
      // Debug, not warn, the first times: a gateway usually starts before the platform answers.
      this.#o.logger[this.#retry.attempts > 3 ? 'warn' : 'debug'](
        { err: error, retryInMs: delay },
        'cannot load upper links',
      );
      this.#retryTimer = this.#o.clock.setTimeout(() => void this.reload(), delay);
      return;
    }
    this.#retry.reset();
    await this.#apply(uppers);
  }

  async #apply(uppers: UpperPlatformLink[]): Promise<void> {
    if (this.#closed) return;
    const wanted = new Map(uppers.map((upper) => [upper.id, upper]));
    const stopping: Promise<void>[] = [];
    for (const [id, link] of this.#links) {
      const next = wanted.get(id);
      if (next && sameConfig(link.config, next)) {
        wanted.delete(id);
        continue;
      }
      this.#links.delete(id);
      this.#o.onRemoved?.(id);
      // Held here: unregistered, and the lease given back once it is (a changed link is claimed again below).
      const keeper = this.#held.get(id);
      this.#held.delete(id);
      if (keeper) stopping.push(link.close().then(() => this.#release(keeper)));
      else if (this.#o.ownership) link.abandon();
      else stopping.push(link.close());
    }
    // Unregister before registering again with new settings: the upper must not see the old binding outlive the new.
    await Promise.all(stopping);
    if (this.#closed) return;
    for (const config of wanted.values()) {
      const link = this.#standby(config);
      this.#links.set(config.id, link);
      if (!this.#o.ownership) link.start();
    }
    this.#sipIds = [...new Set([...this.#links.values()].map((link) => link.config.sipId))];
    this.#o.logger.info({ uppers: this.#links.size }, 'upper links loaded');
    if (this.#o.ownership && wanted.size > 0) void this.claimLeases();
  }

  /** A link not started yet: it registers once started (here, or by the replica holding its lease). */
  #standby(config: UpperPlatformLink): UpperLink {
    return new UpperLink({
      config,
      endpoint: this.#o.endpoint,
      clock: this.#o.clock,
      logger: this.#o.logger,
      contactHost: this.#o.contactHost,
      backoff: this.#o.backoff,
      onChange: (change) => this.#changed(change),
      secret: async (realm, hash) => {
        const { ha1 } = await this.#o.bus.request(
          'cascade.upper-ha1',
          { upperId: config.id, realm, hash },
          { timeoutMs: this.#o.loadTimeoutMs ?? 5_000 },
        );
        return { ha1 };
      },
    });
  }

  #holds(id: string): boolean {
    return this.#o.ownership === undefined || this.#held.has(id);
  }

  /**
   * Tries to take the leases of the links not held here: a replica that died stops renewing (its `LeaseKeeper`),
   * its leases lapse after the TTL, and the next round here (a third of the TTL later at most) starts its links
   * (REGISTER from this replica's cascade port, as a restarted gateway would). A lease lost while we held it (a
   * pause, a Redis outage) abandons the link without unregistering (`#lost`).
   */
  async #claimLeases(): Promise<void> {
    const ownership = this.#o.ownership;
    if (!ownership || this.#closed) return;
    for (const [id, link] of [...this.#links]) {
      if (this.#closed) return;
      if (this.#held.has(id)) continue;
      try {
        const keeper = await LeaseKeeper.acquire({
          store: ownership.leases,
          key: `${ownership.keyPrefix}:upper:${id}`,
          holder: ownership.node,
          ttlMs: ownership.ttlMs,
          clock: this.#o.clock,
          logger: this.#o.logger,
          onLost: (_lease, reason) => this.#lost(id, link, reason),
        });
        if (keeper === null) continue;
        if (this.#closed || this.#links.get(id) !== link) {
          await this.#release(keeper);
          continue;
        }
        this.#held.set(id, keeper);
        this.#o.logger.info({ upper: id, epoch: keeper.lease.epoch }, 'upper link lease taken: registering');
        link.start();
        this.#o.onTaken?.(id);
      } catch (error) {
        this.#o.logger.warn({ err: error, upper: id }, 'upper link lease round failed');
      }
    }
  }

  /** Another replica may hold the link now: stop without unregistering, stand by for the lease again. */
  #lost(id: string, link: UpperLink, reason: string): void {
    if (this.#links.get(id) !== link) return;
    this.#held.delete(id);
    this.#o.logger.warn({ upper: id, reason }, 'upper link lease lost: another replica registers it');
    link.abandon();
    this.#links.set(id, this.#standby(link.config));
    this.#o.onLost?.(id);
  }

  #scheduleLeases(): void {
    const ownership = this.#o.ownership;
    if (!ownership || this.#closed) return;
    this.#leaseTimer = this.#o.clock.setTimeout(
      () => void this.claimLeases().finally(() => this.#scheduleLeases()),
      Math.max(100, Math.floor(ownership.ttlMs / 3)),
    );
  }

  async #release(keeper: LeaseKeeper): Promise<void> {
    await keeper
      .close()
      .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'upper link lease release failed'));
  }

  #changed(change: UpperLinkChanged): void {
    this.#o.onChange?.(change);
    this.#o.bus
      .publish('cascade.link-changed', change)
      .catch((error: unknown) => this.#o.logger.error({ err: error }, 'publish cascade.link-changed failed'));
  }
}

function sameConfig(a: UpperPlatformLink, b: UpperPlatformLink): boolean {
  return FIELDS.every((field) => a[field] === b[field]);
}
