import type {
  ChannelId,
  ChannelStatusEvent,
  ChannelSummary,
  DeviceId,
  DeviceStatusEvent,
  DeviceSummary,
  LiveEvent,
} from '../api/types';
import { deriveHealth, HEALTH_CODE, type HealthCode, healthOfCode, type Health } from './health';

export interface CameraSnapshot {
  channels: ChannelSummary[];
  devices: DeviceSummary[];
}

/** One flush of live events: the cameras whose health changed. */
export interface HealthChange {
  /** Store indexes (also the map's feature ids). */
  indexes: number[];
  /** For each changed camera, the time (ms) the platform saw the change: the recolor latency probe uses it. */
  eventTimes: number[];
}

export type HealthListener = (change: HealthChange) => void;

/** How queued events are flushed: a timer in the app, a manual call in tests. */
export type FlushScheduler = (flush: () => void) => () => void;

const defaultScheduler: FlushScheduler = (flush) => {
  const timer = setTimeout(flush, 50);
  return () => clearTimeout(timer);
};

function parseTime(iso: string | null | undefined): number {
  return iso ? Date.parse(iso) : Number.NaN;
}

/**
 * Every camera the caller can see, with its live health, held in flat arrays so that 100,000 cameras and
 * 1,000 changes a second cost no re-render: live events are queued and applied in one flush every 50 ms,
 * and listeners get only the indexes that changed.
 */
export class CameraStore {
  readonly channels: readonly ChannelSummary[];
  readonly devices: ReadonlyMap<DeviceId, DeviceSummary>;
  /** HealthCode per camera. */
  readonly health: Uint8Array;
  /** When the camera stopped delivering (ms), NaN when online or unknown. */
  readonly downSince: Float64Array;
  /** Incremented on every flush that changed something. */
  version = 0;
  /** Live events naming a camera or device this store does not hold (the catalog changed since loading). */
  unknownEvents = 0;

  readonly #reportsOnline: Uint8Array;
  readonly #deviceOnline = new Map<DeviceId, boolean>();
  readonly #lastSeen = new Map<DeviceId, number>();
  readonly #byChannel = new Map<ChannelId, number>();
  readonly #byDevice = new Map<DeviceId, number[]>();
  readonly #listeners = new Set<HealthListener>();
  readonly #schedule: FlushScheduler;
  #queue: LiveEvent[] = [];
  #cancelFlush: (() => void) | null = null;
  /** Batch stamp per camera, so a camera changed twice in one flush is reported once. */
  readonly #stamp: Uint32Array;
  #batch = 0;

  constructor(snapshot: CameraSnapshot, options: { schedule?: FlushScheduler } = {}) {
    this.#schedule = options.schedule ?? defaultScheduler;
    this.channels = snapshot.channels;
    const devices = new Map<DeviceId, DeviceSummary>();
    for (const device of snapshot.devices) {
      devices.set(device.deviceId, device);
      this.#deviceOnline.set(device.deviceId, device.status === 'online');
      this.#lastSeen.set(device.deviceId, parseTime(device.lastKeepaliveAt ?? device.registeredAt));
    }
    this.devices = devices;
    const count = snapshot.channels.length;
    this.health = new Uint8Array(count);
    this.downSince = new Float64Array(count).fill(Number.NaN);
    this.#reportsOnline = new Uint8Array(count);
    this.#stamp = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const channel = snapshot.channels[i]!;
      this.#byChannel.set(channel.channelId, i);
      let list = this.#byDevice.get(channel.deviceId);
      if (!list) {
        list = [];
        this.#byDevice.set(channel.deviceId, list);
      }
      list.push(i);
      const deviceOnline = this.#deviceOnline.get(channel.deviceId);
      // A channel of an offline device is listed offline whatever it reports: assume it will come back with video.
      this.#reportsOnline[i] = channel.status === 'online' || deviceOnline === false ? 1 : 0;
      const health = deriveHealth(deviceOnline, this.#reportsOnline[i] === 1);
      this.health[i] = HEALTH_CODE[health];
      if (health === 'offline') this.downSince[i] = this.#lastSeen.get(channel.deviceId) ?? Number.NaN;
    }
  }

  get size(): number {
    return this.channels.length;
  }

  indexOf(channelId: ChannelId): number | undefined {
    return this.#byChannel.get(channelId);
  }

  healthAt(index: number): Health {
    return healthOfCode(this.health[index] ?? 0);
  }

  /** When the camera's device was last heard from (ms), NaN if never. */
  lastSeenAt(index: number): number {
    const channel = this.channels[index];
    return channel ? (this.#lastSeen.get(channel.deviceId) ?? Number.NaN) : Number.NaN;
  }

  subscribe(listener: HealthListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Queues a live event; it is applied at the next flush. */
  push(event: LiveEvent): void {
    this.#queue.push(event);
    this.#cancelFlush ??= this.#schedule(() => {
      this.#cancelFlush = null;
      this.flush();
    });
  }

  /** Applies every queued event and tells listeners what changed. */
  flush(): HealthChange {
    this.#cancelFlush?.();
    this.#cancelFlush = null;
    const queue = this.#queue;
    this.#queue = [];
    const change: HealthChange = { indexes: [], eventTimes: [] };
    this.#batch += 1;
    for (const event of queue) {
      if (event.type === 'device.status') this.#applyDevice(event.data, change);
      else this.#applyChannel(event.data, change);
    }
    if (change.indexes.length > 0) {
      this.version += 1;
      for (const listener of this.#listeners) listener(change);
    }
    return change;
  }

  /**
   * Brings the store up to date with a fresh snapshot (after the live stream had a gap) without rebuilding
   * anything. Returns false when the set of cameras changed: the caller must build a new store.
   */
  reconcile(snapshot: CameraSnapshot): boolean {
    if (snapshot.channels.length !== this.channels.length) return false;
    for (const channel of snapshot.channels) if (!this.#byChannel.has(channel.channelId)) return false;
    const now = Date.now();
    this.#batch += 1;
    const change: HealthChange = { indexes: [], eventTimes: [] };
    for (const device of snapshot.devices) {
      this.#deviceOnline.set(device.deviceId, device.status === 'online');
      this.#lastSeen.set(device.deviceId, parseTime(device.lastKeepaliveAt ?? device.registeredAt));
    }
    for (const channel of snapshot.channels) {
      const index = this.#byChannel.get(channel.channelId)!;
      const deviceOnline = this.#deviceOnline.get(channel.deviceId);
      this.#reportsOnline[index] = channel.status === 'online' || deviceOnline === false ? 1 : 0;
      this.#recompute(index, now, change);
    }
    if (change.indexes.length > 0) {
      this.version += 1;
      for (const listener of this.#listeners) listener(change);
    }
    return true;
  }

  /** Cancels a pending flush. Idempotent. */
  close(): void {
    this.#cancelFlush?.();
    this.#cancelFlush = null;
    this.#queue = [];
    this.#listeners.clear();
  }

  #applyDevice(event: DeviceStatusEvent, change: HealthChange): void {
    const indexes = this.#byDevice.get(event.deviceId);
    if (!indexes) {
      this.unknownEvents += 1;
      return;
    }
    const at = parseTime(event.at);
    const online = event.status === 'online';
    this.#deviceOnline.set(event.deviceId, online);
    if (online && Number.isFinite(at)) this.#lastSeen.set(event.deviceId, at);
    for (const index of indexes) this.#recompute(index, at, change);
  }

  #applyChannel(event: ChannelStatusEvent, change: HealthChange): void {
    const index = this.#byChannel.get(event.channelId);
    if (index === undefined) {
      this.unknownEvents += 1;
      return;
    }
    const at = parseTime(event.at);
    const online = event.status === 'online';
    this.#reportsOnline[index] = online ? 1 : 0;
    // The platform reports a channel online only while its device is online: we missed that device event.
    if (online && this.#deviceOnline.get(event.deviceId) === false) {
      this.#applyDevice({ deviceId: event.deviceId, status: 'online', reason: null, at: event.at }, change);
      return;
    }
    this.#recompute(index, at, change);
  }

  #recompute(index: number, at: number, change: HealthChange): void {
    const channel = this.channels[index]!;
    const next: HealthCode =
      HEALTH_CODE[deriveHealth(this.#deviceOnline.get(channel.deviceId), this.#reportsOnline[index] === 1)];
    const previous = this.health[index]!;
    if (next === previous) return;
    this.health[index] = next;
    if (next === HEALTH_CODE.online || next === HEALTH_CODE.degraded) this.downSince[index] = Number.NaN;
    else if (
      previous === HEALTH_CODE.online ||
      previous === HEALTH_CODE.degraded ||
      previous === HEALTH_CODE.unknown
    ) {
      this.downSince[index] = at;
    }
    if (this.#stamp[index] !== this.#batch) {
      this.#stamp[index] = this.#batch;
      change.indexes.push(index);
      change.eventTimes.push(at);
    }
  }
}
