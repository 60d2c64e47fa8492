import { type Bus, type UpperLinkChanged, type UpperLinkState, UpperPlatformLink } from '@tessera/contracts';
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
  /** A link was removed or replaced (its dialogs and subscriptions go with it). */
  onRemoved?: (upperId: string) => void;
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
  readonly #retry: Backoff;
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
    for (const link of this.#links.values()) if (link.state !== 'closed') counts[link.state]++;
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

  /** Loads now and keeps retrying until a load succeeds. */
  start(): void {
    void this.reload();
  }

  /** Fetches `cascade.uppers` and applies it. Never rejects: a failure schedules a retry. */
  reload(): Promise<void> {
    this.#queue = this.#queue.then(() => this.#load());
    return this.#queue;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer) this.#o.clock.clearTimeout(this.#retryTimer);
    // Not waiting for a load in flight: it may sit on a platform that never answers; it checks `#closed` and stops.
    const links = [...this.#links.values()];
    this.#links.clear();
    this.#sipIds = [];
    await Promise.all(links.map((link) => link.close()));
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
      stopping.push(link.close());
    }
    // Unregister before registering again with new settings: the upper must not see the old binding outlive the new.
    await Promise.all(stopping);
    if (this.#closed) return;
    for (const config of wanted.values()) {
      const link = new UpperLink({
        config,
        endpoint: this.#o.endpoint,
        clock: this.#o.clock,
        logger: this.#o.logger,
        contactHost: this.#o.contactHost,
        backoff: this.#o.backoff,
        onChange: (change) => this.#changed(change),
        secret: async (realm) => {
          const { ha1 } = await this.#o.bus.request(
            'cascade.upper-ha1',
            { upperId: config.id, realm },
            { timeoutMs: this.#o.loadTimeoutMs ?? 5_000 },
          );
          return { ha1 };
        },
      });
      this.#links.set(config.id, link);
      link.start();
    }
    this.#sipIds = [...new Set([...this.#links.values()].map((link) => link.config.sipId))];
    this.#o.logger.info({ uppers: this.#links.size }, 'upper links loaded');
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
