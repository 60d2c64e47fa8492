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
  /**
   * The gateway replica that owns the device (`nodeId()`): the one its packets reach, which runs its offline timer
   * and serves the platform's commands for it (a TCP device's connection exists only there). '' in a record written
   * before replicas existed: an orphan, adopted like a dead replica's.
   */
  node: string;
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
  /** This replica (`nodeId()`); default 'local' (one gateway process). */
  node?: string;
  /**
   * At start, restore every device in the store as this replica's (one gateway, the default), or only the ones it
   * owned (replicas: the others' stay theirs, a dead one's are adopted under a lease).
   */
  restore?: 'all' | 'own';
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

/** An I/O deadline on the store (real time, not the injected clock: it bounds a socket wait, not a protocol timer). */
const STORE_READ_DEADLINE_MS = 1_000;

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
 * instead of declaring the whole city offline, and so that replicas sharing one SIP address share it: the memory
 * here holds the devices this replica owns (`PresenceRecord.node`), the store is the truth. A replica that gets a
 * packet from a device another owns loads the record (`load`), checks the source against it and takes the device
 * (`take`); the former owner's sweep reads the store before it declares a device offline and lets go of one that
 * moved. A dead replica's devices are adopted whole (`adopt`, run by `GatewayNodes` under a lease), so exactly one
 * replica runs each device's offline timer.
 */
export class PresenceTracker {
  readonly #opts: PresenceTrackerOptions;
  readonly #online = new Map<string, PresenceRecord>();
  /** Reports wait here while the bus is unreachable (Redis outage): a REGISTER is still answered 200. */
  readonly #outbox: EventOutbox;
  #sweepTimer: TimerHandle | null = null;
  /** Devices whose expiry is being checked against the store (one check at a time each). */
  readonly #judging = new Set<string>();
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

  /** This replica's node id. */
  get node(): string {
    return this.#opts.node ?? 'local';
  }

  /** A device this replica owns (memory only: the keepalive hot path). */
  get(deviceId: string): PresenceRecord | undefined {
    return this.#online.get(deviceId);
  }

  /**
   * A device's record wherever it is owned, from the store (the truth across replicas); this replica's copy when
   * the store cannot be read (a Redis outage: one replica keeps serving what it knows).
   */
  async lookup(deviceId: string): Promise<PresenceRecord | undefined> {
    try {
      return await this.load(deviceId);
    } catch (error) {
      this.#opts.logger.warn(
        { err: error, deviceId },
        "presence store unreadable: using this replica's copy",
      );
      return this.#online.get(deviceId);
    }
  }

  /**
   * The record in the store, whoever owns it; undefined when the device is not registered. Rejects on a store error
   * or after STORE_READ_DEADLINE_MS (a Redis client queues commands through an outage; a REGISTER must not wait
   * on it).
   */
  async load(deviceId: string): Promise<PresenceRecord | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`presence store read over ${STORE_READ_DEADLINE_MS} ms`)),
        STORE_READ_DEADLINE_MS,
      );
    });
    try {
      const raw = await Promise.race([this.#opts.store.get(this.#key(deviceId)), deadline]);
      return raw ? (parseRecord(raw) ?? undefined) : undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * This replica becomes the device's owner (its packets reach us now, or its owner died): the record joins the
   * sweep here and the store names us, so commands are routed here and the former owner lets go. The offline
   * deadline is kept (interval × count from the last keepalive the record holds).
   */
  take(record: PresenceRecord): PresenceRecord {
    const mine = this.#online.get(record.deviceId);
    if (mine && mine.registeredAt >= record.registeredAt && mine.node === this.node) return mine;
    const taken: PresenceRecord = { ...record, node: this.node };
    this.#online.set(taken.deviceId, taken);
    this.#background(this.#persist(taken), 'persist takeover');
    return taken;
  }

  /**
   * Takes every device a dead replica owned (the caller holds the adoption lease, so one survivor does it). The
   * store's lastKeepaliveAt lags the truth by up to `reportEveryMs` (keepalives are written at most that often), so
   * an adopted device is judged from lastKeepaliveAt + reportEveryMs: never offline before interval × count of real
   * silence, at most reportEveryMs late. Returns how many were adopted.
   */
  async adopt(deadNode: string): Promise<number> {
    let adopted = 0;
    for (const key of await this.#opts.store.keys(this.#key(''))) {
      const raw = await this.#opts.store.get(key);
      const record = raw ? parseRecord(raw) : null;
      if (!record || record.node !== deadNode) continue;
      const lastKeepaliveAt = Math.min(
        this.#opts.clock.now(),
        record.lastKeepaliveAt + this.#opts.reportEveryMs,
      );
      this.take({ ...record, lastKeepaliveAt: Math.max(record.lastKeepaliveAt, lastKeepaliveAt) });
      adopted++;
    }
    return adopted;
  }

  /** Owners named in the store, with how many devices each (the takeover finds dead replicas' devices here). */
  async owners(): Promise<Map<string, number>> {
    const owners = new Map<string, number>();
    for (const key of await this.#opts.store.keys(this.#key(''))) {
      const raw = await this.#opts.store.get(key);
      const record = raw ? parseRecord(raw) : null;
      if (record) owners.set(record.node, (owners.get(record.node) ?? 0) + 1);
    }
    return owners;
  }

  /**
   * This replica lost its node lease (it was cut off long enough for another to adopt its devices): it forgets
   * them without reporting anything; packets that still reach it load them again from the store.
   */
  forgetAll(): void {
    this.#online.clear();
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
      // Another replica's devices stay its own; a dead one's are adopted under a lease (`adopt`).
      if (!record || (this.#opts.restore === 'own' && record.node !== this.node)) continue;
      this.#online.set(record.deviceId, { ...record, node: this.node });
    }
    this.#opts.logger.info({ restored: this.#online.size }, 'presence restored');
    this.sweep();
    this.#scheduleSweep();
  }

  async registered(facts: RegistrationFacts): Promise<void> {
    const now = this.#opts.clock.now();
    const wasOnline = this.#online.has(facts.deviceId) || (await this.#inStore(facts.deviceId));
    const record: PresenceRecord = {
      deviceId: facts.deviceId,
      remote: facts.remote,
      node: this.node,
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
    // Owned by another replica (its REGISTER went there): ours to end now, since the unregister reached us.
    if (!this.#online.has(deviceId)) {
      const record = await this.load(deviceId).catch(() => undefined);
      if (record) this.#online.set(deviceId, record);
    }
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
      const reason = overdue(record, now);
      if (reason && !this.#judging.has(record.deviceId)) {
        this.#judging.add(record.deviceId);
        this.#background(
          this.#expire(record, reason).finally(() => this.#judging.delete(record.deviceId)),
          'offline',
        );
      }
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#sweepTimer) this.#opts.clock.clearTimeout(this.#sweepTimer);
    this.#sweepTimer = null;
  }

  /**
   * Before a device is declared offline the store is read: another replica may have taken it (its packets go there
   * now, the record names that replica) or heard from it since (a newer keepalive or REGISTER). Then this replica
   * lets go of it, or follows the newer record, and says nothing. A store that cannot be read does not keep a dead
   * device online: the device is judged by what this replica knows.
   */
  async #expire(record: PresenceRecord, reason: OfflineReason): Promise<void> {
    let stored: PresenceRecord | undefined | null = null;
    try {
      stored = await this.load(record.deviceId);
    } catch (error) {
      this.#opts.logger.warn(
        { err: error, deviceId: record.deviceId },
        'presence store unreadable at expiry',
      );
    }
    if (this.#online.get(record.deviceId) !== record) return;
    if (stored === undefined) {
      // Gone from the store: unregistered or declared offline elsewhere (which reported it).
      this.#online.delete(record.deviceId);
      return;
    }
    // One gateway (restore 'all') owns every device whatever an older record says.
    if (stored !== null && stored.node !== this.node && this.#opts.restore === 'own') {
      this.#online.delete(record.deviceId);
      this.#opts.logger.debug(
        { deviceId: record.deviceId, owner: stored.node },
        'device moved to another replica',
      );
      return;
    }
    if (stored !== null && overdue(stored, this.#opts.clock.now()) === null) {
      this.#online.set(record.deviceId, { ...record, ...stored, node: this.node });
      return;
    }
    await this.#offline(record.deviceId, reason);
  }

  async #inStore(deviceId: string): Promise<boolean> {
    try {
      return (await this.load(deviceId)) !== undefined;
    } catch {
      return false;
    }
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

/** Why a record is past its time, or null while it is alive. */
function overdue(record: PresenceRecord, now: number): OfflineReason | null {
  if (now >= record.expiresAt) return 'registration-expired';
  if (now >= record.lastKeepaliveAt + record.keepaliveIntervalSec * record.keepaliveCount * 1000) {
    return 'keepalive-timeout';
  }
  return null;
}

function parseRecord(raw: string): PresenceRecord | null {
  try {
    const value = JSON.parse(raw) as PresenceRecord;
    if (typeof value.deviceId !== 'string' || typeof value.lastKeepaliveAt !== 'number') return null;
    if (typeof value.node !== 'string') value.node = '';
    return value;
  } catch {
    return null;
  }
}
