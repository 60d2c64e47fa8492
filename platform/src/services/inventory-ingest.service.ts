import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type {
  Bus,
  CatalogChanged,
  CatalogReceived,
  DeviceInfoReported,
  DeviceKeepalive,
  DeviceOffline,
  DeviceOnline,
  DeviceRegistered,
  EventPayload,
  EventTopic,
  Unsubscribe,
} from '@tessera/contracts';
import type { Logger } from '@tessera/kit';
import type { PlatformConfig } from '../config';
import { isTransientDatabaseError } from '../database/database-errors';
import type { DomainEvents } from '../events/domain-events';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { ChannelRepository, type CatalogWrite, type ChannelState } from '../repositories/channel.repository';
import { DeviceRepository, type KeepaliveEntry } from '../repositories/device.repository';
import type { Device, OnlineStatus } from '../schema/tables';
import { BUS, DOMAIN_EVENTS, LOGGER, PLATFORM_CONFIG } from '../tokens';
import { IngestRetry, IngestStoppedError } from './ingest-retry';
import { KeepaliveBatcher } from './keepalive-batcher';
import { PresenceReconciler } from './presence-reconciler';

/** Consumer group of the inventory: replicas of the platform share the work, each event is written once. */
export const INVENTORY_GROUP = 'platform-inventory';

const effective = (deviceOnline: boolean, reported: OnlineStatus): OnlineStatus =>
  deviceOnline && reported === 'online' ? 'online' : 'offline';

/**
 * Writes what the gateway reports (bus events) into the inventory, then emits domain events. A write that
 * fails because the database is unreachable is retried with back-off until it succeeds (`IngestRetry`), so a
 * database outage delays events and loses none; a write that fails for its content is logged, counted and
 * dropped (the bus acknowledges it). Keepalives are batched and a failed batch is kept for the next flush.
 */
@Injectable()
export class InventoryIngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly #unsubscribes: Unsubscribe[] = [];
  readonly #keepalives: KeepaliveBatcher;
  readonly #retry: IngestRetry;
  readonly #reconciler: PresenceReconciler;
  readonly #presence: PlatformConfig['presence'];
  readonly #keepaliveFlushMs: number;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(DeviceRepository) private readonly devices: DeviceRepository,
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(DOMAIN_EVENTS) private readonly events: DomainEvents,
    @Inject(PlatformMetrics) private readonly metrics: PlatformMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
  ) {
    this.#presence = config.presence;
    this.#keepaliveFlushMs = config.keepaliveFlushMs;
    this.#retry = new IngestRetry({
      onRetry: (err, attempt, delayMs) => {
        this.metrics.ingestRetries.inc();
        const log = { err, attempt, retryInMs: delayMs };
        if (attempt === 1) this.logger.warn(log, 'inventory write failed (database unreachable); retrying');
        else this.logger.debug(log, 'inventory write failed again; retrying');
      },
    });
    this.#keepalives = new KeepaliveBatcher({
      intervalMs: config.keepaliveFlushMs,
      write: (entries) => this.writeKeepalives(entries),
      onFlushed: (entries, rows) => {
        this.metrics.keepaliveFlushes.inc();
        this.metrics.keepaliveRows.inc(rows);
        this.logger.debug({ entries, rows }, 'keepalives flushed');
      },
      retryable: isTransientDatabaseError,
      onError: (err, entries, kept) => {
        if (kept) {
          this.metrics.ingestRetries.inc();
          this.logger.warn(
            { err, entries },
            'keepalive flush failed (database unreachable); kept for the next flush',
          );
          return;
        }
        this.metrics.ingestFailures.inc({ topic: 'device.keepalive' }, entries);
        this.logger.error({ err, entries }, 'keepalive flush failed');
      },
    });
    this.#reconciler = new PresenceReconciler({
      firstAfterMs: 2 * config.keepaliveFlushMs,
      everyMs: config.presence.reconcileEverySec * 1000,
      reconcile: () => this.reconcilePresence(),
      onError: (err) => this.logger.warn({ err }, 'presence reconcile failed; trying again at the next pass'),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.#reconciler.start();
    await this.subscribe('device.registered', (p) => this.onRegistered(p));
    await this.subscribe('device.online', (p) => this.onOnline(p));
    await this.subscribe('device.offline', (p) => this.onOffline(p));
    await this.subscribe('device.keepalive', (p) => this.onKeepalive(p));
    await this.subscribe('device.info', (p) => this.onInfo(p));
    await this.subscribe('catalog.received', (p) => this.onCatalogReceived(p));
    await this.subscribe('catalog.changed', (p) => this.onCatalogChanged(p));
  }

  async onApplicationShutdown(): Promise<void> {
    // Stop the subscriptions first, then wake writes waiting for the database: they give up and their events
    // stay unacknowledged (pending on Redis) instead of being lost.
    const stopped = this.#unsubscribes.splice(0).map((u) => u());
    this.#retry.close();
    await Promise.all(stopped);
    await this.#reconciler.close();
    await this.#keepalives.close();
  }

  /** Writes pending keepalives now (tests, shutdown). */
  flushKeepalives(): Promise<void> {
    return this.#keepalives.flush();
  }

  async onRegistered(p: DeviceRegistered): Promise<void> {
    const write = await this.#durable(() =>
      this.devices.applyOnline({
        deviceId: p.deviceId,
        at: p.at,
        transport: p.transport,
        remoteAddress: p.remoteAddress,
        registration: { gbVersion: p.gbVersion, userAgent: p.userAgent },
      }),
    );
    if (write.changed) await this.#durable(() => this.emitDeviceStatus(write.device, p.at));
  }

  async onOnline(p: DeviceOnline): Promise<void> {
    const write = await this.#durable(() =>
      this.devices.applyOnline({
        deviceId: p.deviceId,
        at: p.at,
        transport: p.transport,
        remoteAddress: p.remoteAddress,
      }),
    );
    if (write.changed) await this.#durable(() => this.emitDeviceStatus(write.device, p.at));
  }

  async onOffline(p: DeviceOffline): Promise<void> {
    const write = await this.#durable(() => this.devices.applyOffline(p));
    if (!write) {
      this.logger.warn({ deviceId: p.deviceId }, 'offline event for a device not in the inventory');
      return;
    }
    if (write.changed) await this.#durable(() => this.emitDeviceStatus(write.device, p.at));
  }

  /**
   * Devices stored online without a sign of life for longer than their keepalive window go offline with
   * reason 'restart-reconcile' (see `DeviceRepository.reconcileStale`), announced like any status change so
   * the console, the outage list and the online rate follow. Resolves to how many were marked.
   */
  async reconcilePresence(): Promise<number> {
    const at = new Date().toISOString();
    const p = this.#presence;
    const devices = await this.devices.reconcileStale({
      at,
      keepaliveIntervalSec: p.keepaliveIntervalSec,
      keepaliveCount: p.keepaliveCount,
      lagSec: p.keepaliveReportSec + Math.ceil(this.#keepaliveFlushMs / 1000) + 1,
    });
    for (const device of devices) {
      this.metrics.presenceReconciled.inc();
      this.logger.warn(
        { deviceId: device.device_id, lastSeen: device.status_changed_at },
        'device stored online without a sign of life: marked offline (restart-reconcile)',
      );
      await this.#durable(() => this.emitDeviceStatus(device, at));
    }
    return devices.length;
  }

  /** One batch of keepalives; a device marked offline by the reconcile and still keeping alive is online again. */
  private async writeKeepalives(entries: KeepaliveEntry[]): Promise<number> {
    const revived = await this.devices.reviveReconciled(entries);
    const rows = await this.devices.recordKeepalives(entries);
    for (const device of revived) {
      this.logger.info(
        { deviceId: device.device_id },
        'device marked offline by the reconcile keeps alive: online',
      );
      await this.emitDeviceStatus(
        device,
        device.status_changed_at?.toISOString() ?? new Date().toISOString(),
      );
    }
    return rows;
  }

  onKeepalive(p: DeviceKeepalive): void {
    this.#keepalives.add({ deviceId: p.deviceId, at: p.at, remoteAddress: p.remoteAddress });
  }

  async onInfo(p: DeviceInfoReported): Promise<void> {
    await this.#durable(() => this.devices.applyInfo(p));
  }

  async onCatalogReceived(p: CatalogReceived): Promise<void> {
    const write = await this.#durable(() => this.channels.applyCatalog(p.deviceId, p.items, p.complete));
    this.emitCatalogEffects(p.deviceId, write, p.at, p.complete);
  }

  async onCatalogChanged(p: CatalogChanged): Promise<void> {
    const write = await this.#durable(() => this.channels.applyChanges(p.deviceId, p.changes));
    this.emitCatalogEffects(p.deviceId, write, p.at, false);
  }

  /** One database step of a handler, retried while the database is unreachable (each step once it succeeded). */
  #durable<T>(work: () => Promise<T>): Promise<T> {
    return this.#retry.run(work);
  }

  private async subscribe<T extends EventTopic>(
    topic: T,
    handler: (payload: EventPayload<T>) => void | Promise<void>,
  ): Promise<void> {
    const unsubscribe = await this.bus.subscribe(
      topic,
      async (payload) => {
        try {
          await handler(payload);
        } catch (err) {
          // Stopping mid-retry: rethrown so the bus leaves the event unacknowledged for the next consumer.
          if (err instanceof IngestStoppedError) throw err;
          this.metrics.ingestFailures.inc({ topic });
          this.logger.error({ err, topic }, 'inventory ingest failed');
        } finally {
          this.metrics.ingestEvents.inc({ topic });
        }
      },
      { group: INVENTORY_GROUP },
    );
    this.#unsubscribes.push(unsubscribe);
  }

  /** Device online/offline, and the effective status of its cameras that report online (they flip too). */
  private async emitDeviceStatus(device: Device, at: string): Promise<void> {
    const states = [...(await this.channels.states(device.device_id)).values()].filter(
      (s) => s.kind === 'channel',
    );
    const civilCodes = [...new Set(states.flatMap((s) => (s.civilCode ? [s.civilCode] : [])))];
    const online = device.status === 'online';
    if (online) {
      this.events.emit({
        type: 'DeviceOnline',
        deviceId: device.device_id,
        transport: device.transport,
        remoteAddress: device.remote_address,
        at,
        civilCodes,
      });
    } else {
      this.events.emit({
        type: 'DeviceOffline',
        deviceId: device.device_id,
        reason: device.offline_reason ?? 'unregistered',
        at,
        civilCodes,
      });
    }
    for (const state of states) {
      if (state.reportedStatus === 'online') this.emitChannelStatus(device.device_id, state, online, at);
    }
  }

  private emitCatalogEffects(deviceId: string, write: CatalogWrite, at: string, complete: boolean): void {
    for (const [channelId, after] of write.after) {
      const before = write.before.get(channelId);
      if (!before || after.kind !== 'channel') continue;
      const statusChanged =
        effective(write.deviceOnline, before.reportedStatus) !==
        effective(write.deviceOnline, after.reportedStatus);
      if (statusChanged || before.lastEvent !== after.lastEvent) {
        this.emitChannelStatus(deviceId, after, write.deviceOnline, at);
      }
    }
    if (write.upserted > 0 || write.removed.length > 0) {
      const civilCodes = new Set<string>();
      for (const state of [...write.before.values(), ...write.after.values()]) {
        if (state.kind === 'channel' && state.civilCode) civilCodes.add(state.civilCode);
      }
      this.events.emit({
        type: 'CatalogUpdated',
        deviceId,
        complete,
        upserted: write.upserted,
        removed: write.removed.length,
        at,
        civilCodes: [...civilCodes],
      });
    }
  }

  private emitChannelStatus(deviceId: string, state: ChannelState, deviceOnline: boolean, at: string): void {
    this.events.emit({
      type: 'ChannelStatusChanged',
      deviceId,
      channelId: state.channelId,
      civilCode: state.civilCode,
      status: effective(deviceOnline, state.reportedStatus),
      reportedStatus: state.reportedStatus,
      lastEvent: state.lastEvent,
      at,
    });
  }
}
