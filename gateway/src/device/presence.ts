import type { GbVersion, KeyValueStore, OfflineReason, SipTransport } from '@tessera/contracts';
import type { Clock, Logger, TimerHandle } from '@tessera/kit';
import type { EventOutbox } from './event-outbox';

/** Where a device registered from (the packet source of its REGISTER, not its Contact). */
export interface DeviceAddress {
  transport: SipTransport;
  address: string;
  port: number;
  connectionId: string | null;
}

export interface PresenceRecord {
  deviceId: string;
  remote: DeviceAddress;
  registeredAt: number;
  expiresAt: number;
  lastKeepaliveAt: number;
  lastReportedAt: number;
  keepaliveIntervalSec: number;
  keepaliveCount: number;
  gbVersion: GbVersion;
  userAgent: string | null;
  charset: string | null;
}

export interface RegistrationFacts {
  deviceId: string;
  remote: DeviceAddress;
  expiresSec: number;
  gbVersion: GbVersion;
  userAgent: string | null;
  charset: string | null;
  keepaliveIntervalSec: number;
  keepaliveCount: number;
}

export interface PresenceTrackerOptions {
  clock: Clock;
  store: KeyValueStore;
  logger: Logger;
  /** Namespaces the store keys, e.g. the gateway's SIP ID, so several gateways can share one Redis. */
  keyPrefix: string;
  /** At most one keepalive report (bus event + store write) per device per this many ms. */
  reportEveryMs: number;
  sweepEveryMs?: number;
  /**
   * Where reports go: they wait there while the bus is unreachable (Redis outage), so a REGISTER is still answered.
   * The gateway's one outbox, shared with everything else it reports so the platform gets them in order; its owner
   * closes it.
   */
  outbox: EventOutbox;
}

export function formatAddress(remote: DeviceAddress): string {
  return remote.address.includes(':')
    ? `[${remote.address}]:${remote.port}`
    : `${remote.address}:${remote.port}`;
}

/**
 * Online/offline state of registered devices. Online while registration is valid and keepalives arrive;
 * offline after interval × count without a keepalive, at registration expiry, on unregister, or when the
 * TCP connection it registered over closes (GB/T 28181-2022 §9.1: TCP close ⇒ offline).
 *
 * State lives in a KeyValueStore (Redis in production) so a restarted gateway picks its devices up again
 * instead of declaring the whole city offline.
 */
export class PresenceTracker {
  readonly #opts: PresenceTrackerOptions;
  readonly #online = new Map<string, PresenceRecord>();
  /** Reports wait here while the bus is unreachable (Redis outage): a REGISTER is still answered 200. */
  readonly #outbox: EventOutbox;
  #sweepTimer: TimerHandle | null = null;
  #closed = false;

  constructor(options: PresenceTrackerOptions) {
    this.#opts = options;
    this.#outbox = options.outbox;
  }

  /** Reports not yet taken by the bus. */
  get unpublished(): number {
    return this.#outbox.pending;
  }

  get size(): number {
    return this.#online.size;
  }

  get(deviceId: string): PresenceRecord | undefined {
    return this.#online.get(deviceId);
  }

  list(): PresenceRecord[] {
    return [...this.#online.values()];
  }

  /** Loads the devices that were online before a restart and starts the offline sweep. */
  async start(): Promise<void> {
    const keys = await this.#opts.store.keys(this.#key(''));
    for (const key of keys) {
      const raw = await this.#opts.store.get(key);
      if (!raw) continue;
      const record = parseRecord(raw);
      if (record) this.#online.set(record.deviceId, record);
    }
    this.#opts.logger.info({ restored: this.#online.size }, 'presence restored');
    this.sweep();
    this.#scheduleSweep();
  }

  async registered(facts: RegistrationFacts): Promise<void> {
    const now = this.#opts.clock.now();
    const wasOnline = this.#online.has(facts.deviceId);
    const record: PresenceRecord = {
      deviceId: facts.deviceId,
      remote: facts.remote,
      registeredAt: now,
      expiresAt: now + facts.expiresSec * 1000,
      lastKeepaliveAt: now,
      lastReportedAt: now,
      keepaliveIntervalSec: facts.keepaliveIntervalSec,
      keepaliveCount: facts.keepaliveCount,
      gbVersion: facts.gbVersion,
      userAgent: facts.userAgent,
      charset: facts.charset,
    };
    this.#online.set(facts.deviceId, record);
    // The store only serves a restart: a Redis outage must not fail the registration (it is logged).
    this.#background(this.#persist(record), 'persist registration');
    const at = new Date(now).toISOString();
    this.#outbox.publish('device.registered', {
      deviceId: facts.deviceId,
      transport: facts.remote.transport,
      remoteAddress: formatAddress(facts.remote),
      expiresSec: facts.expiresSec,
      gbVersion: facts.gbVersion,
      userAgent: facts.userAgent,
      at,
    });
    if (!wasOnline) {
      this.#outbox.publish('device.online', {
        deviceId: facts.deviceId,
        remoteAddress: formatAddress(facts.remote),
        transport: facts.remote.transport,
        at,
      });
    }
  }

  async unregistered(deviceId: string): Promise<void> {
    await this.#offline(deviceId, 'unregistered');
  }

  /**
   * A keepalive from the device, whose source the caller has checked against the registered address
   * (`fromRegisteredAddress`). It never moves the device: only an authenticated REGISTER does (`registered`).
   * Returns false when the device is not registered here (the caller answers so that the device registers again).
   */
  keepalive(deviceId: string): boolean {
    const record = this.#online.get(deviceId);
    if (!record) return false;
    const now = this.#opts.clock.now();
    record.lastKeepaliveAt = now;
    if (now - record.lastReportedAt >= this.#opts.reportEveryMs) {
      record.lastReportedAt = now;
      this.#background(this.#persist(record), 'persist keepalive');
      this.#outbox.publish('device.keepalive', {
        deviceId,
        remoteAddress: formatAddress(record.remote),
        at: new Date(now).toISOString(),
      });
    }
    return true;
  }

  /**
   * The inventory changed a device's keepalive interval or count: the live record follows at once (a device
   * registers for hours; waiting for its next REGISTER would leave the old timeout in force that long). The next
   * sweep judges the device by the new interval × count from its last keepalive. Returns false when the device is
   * not online here.
   */
  async keepalivePolicy(
    deviceId: string,
    policy: { keepaliveIntervalSec: number; keepaliveCount: number },
  ): Promise<boolean> {
    const record = this.#online.get(deviceId);
    if (!record) return false;
    record.keepaliveIntervalSec = policy.keepaliveIntervalSec;
    record.keepaliveCount = policy.keepaliveCount;
    await this.#persist(record);
    return true;
  }

  /** The TCP connection closed: every device registered over it goes offline. */
  async connectionClosed(connectionId: string): Promise<void> {
    const gone = [...this.#online.values()].filter((r) => r.remote.connectionId === connectionId);
    for (const record of gone) await this.#offline(record.deviceId, 'connection-closed');
  }

  /** Marks devices offline whose keepalives or registration have run out. */
  sweep(): void {
    const now = this.#opts.clock.now();
    for (const record of this.#online.values()) {
      const keepaliveDeadline =
        record.lastKeepaliveAt + record.keepaliveIntervalSec * record.keepaliveCount * 1000;
      if (now >= record.expiresAt) {
        this.#background(this.#offline(record.deviceId, 'registration-expired'), 'offline');
      } else if (now >= keepaliveDeadline) {
        this.#background(this.#offline(record.deviceId, 'keepalive-timeout'), 'offline');
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweepTimer) this.#opts.clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = null;
  }

  async #offline(deviceId: string, reason: OfflineReason): Promise<void> {
    if (!this.#online.delete(deviceId)) return;
    this.#background(this.#opts.store.delete(this.#key(deviceId)), 'forget presence');
    this.#outbox.publish('device.offline', {
      deviceId,
      reason,
      at: new Date(this.#opts.clock.now()).toISOString(),
    });
  }

  #scheduleSweep(): void {
    if (this.#closed) return;
    this.#sweepTimer = this.#opts.clock.setTimeout(() => {
      this.sweep();
      this.#scheduleSweep();
    }, this.#opts.sweepEveryMs ?? 1000);
  }

  async #persist(record: PresenceRecord): Promise<void> {
    // The TTL keeps Redis clean if this gateway dies for good; a live gateway rewrites it on keepalives.
    const ttlSec = Math.ceil(
      Math.max(
        record.expiresAt - this.#opts.clock.now(),
        record.keepaliveIntervalSec * record.keepaliveCount * 1000,
      ) / 1000,
    );
    await this.#opts.store.set(this.#key(record.deviceId), JSON.stringify(record), Math.max(1, ttlSec));
  }

  #key(deviceId: string): string {
    return `${this.#opts.keyPrefix}:presence:${deviceId}`;
  }

  #background(work: Promise<void>, what: string): void {
    work.catch((error: unknown) => this.#opts.logger.error({ err: error }, `presence: ${what} failed`));
  }
}

function parseRecord(raw: string): PresenceRecord | null {
  try {
    const value = JSON.parse(raw) as PresenceRecord;
    if (typeof value.deviceId !== 'string' || typeof value.lastKeepaliveAt !== 'number') return null;
    return value;
  } catch {
    return null;
  }
}
