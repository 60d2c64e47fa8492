import type { GeoJSONSource, GeoJSONSourceDiff, Map as MaplibreMap } from 'maplibre-gl';
import type { CameraStore, HealthChange } from '../state/camera-store';
import { ALERT_SOURCE, CAMERA_SOURCE, cameraFeatureAt, cameraFeatures, isAlert } from './console-layers';
import { emitRecolor } from './probes';

/**
 * How live status reaches the map (chosen by measurement, see web/bench/RESULTS.md):
 * - `alert-overlay` (default): each changed camera gets feature-state `h` at once (drawn next frame); the
 *   camera clusters only count cameras, and a second, small source holding only the cameras with a problem
 *   (clustered, coloured by state) gets one `updateData` diff every `alertRefreshMs`;
 * - `feature-state`: feature-state at once, and the camera clusters (coloured by health) refreshed with one
 *   `updateData` diff of the 100,000-camera source at most every `clusterRefreshMs`;
 * - `update-data`: only `updateData` diffs of the camera source, one in flight at a time;
 * - `set-data`: the whole collection again with `setData`, one in flight at a time.
 */
export type HealthSyncMode = 'alert-overlay' | 'feature-state' | 'update-data' | 'set-data';
export const HEALTH_SYNC_MODES: readonly HealthSyncMode[] = [
  'alert-overlay',
  'feature-state',
  'update-data',
  'set-data',
];
export const DEFAULT_HEALTH_SYNC: HealthSyncMode = 'alert-overlay';

export function healthSyncModeFrom(value: string | null): HealthSyncMode {
  return HEALTH_SYNC_MODES.find((m) => m === value) ?? DEFAULT_HEALTH_SYNC;
}

/** Does this mode show outages on their own overlay (rather than colouring the camera clusters)? */
export function usesAlertOverlay(mode: HealthSyncMode): boolean {
  return mode === 'alert-overlay';
}

export interface HealthSyncOptions {
  map: MaplibreMap;
  store: CameraStore;
  mode: HealthSyncMode;
  clusterRefreshMs?: number;
  alertRefreshMs?: number;
}

export class HealthSync {
  readonly #map: MaplibreMap;
  readonly #store: CameraStore;
  readonly #mode: HealthSyncMode;
  /** Least time between two source updates. */
  readonly #refreshMs: number;
  /** Cameras changed since the source last got their status, with their event times. */
  #dirty = new Map<number, number>();
  /** Cameras on the alert overlay. */
  readonly #alerts = new Set<number>();
  #inFlight = false;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #lastRefresh = 0;
  /** Event times applied as feature-state, waiting for the next frame. */
  #pointsPending: number[] = [];
  #closed = false;
  readonly #unsubscribe: () => void;

  constructor(options: HealthSyncOptions) {
    this.#map = options.map;
    this.#store = options.store;
    this.#mode = options.mode;
    this.#refreshMs =
      options.mode === 'alert-overlay'
        ? (options.alertRefreshMs ?? 200)
        : options.mode === 'feature-state'
          ? (options.clusterRefreshMs ?? 1000)
          : 0;
    if (usesAlertOverlay(this.#mode)) {
      for (let i = 0; i < this.#store.size; i++) {
        if (isAlert(this.#store.health[i]!) && cameraFeatureAt(this.#store, i)) this.#alerts.add(i);
      }
    }
    this.#publishAlertCount();
    this.#map.on('render', this.#onRender);
    this.#unsubscribe = this.#store.subscribe((change) => this.apply(change));
  }

  apply(change: HealthChange): void {
    if (this.#closed) return;
    const { indexes, eventTimes } = change;
    if (this.#mode === 'feature-state' || this.#mode === 'alert-overlay') {
      const health = this.#store.health;
      for (let k = 0; k < indexes.length; k++) {
        this.#map.setFeatureState({ source: CAMERA_SOURCE, id: indexes[k]! }, { h: health[indexes[k]!] });
      }
      this.#pointsPending.push(...eventTimes);
    }
    for (let k = 0; k < indexes.length; k++) {
      if (!this.#dirty.has(indexes[k]!)) this.#dirty.set(indexes[k]!, eventTimes[k]!);
    }
    this.#scheduleSourceUpdate();
  }

  #onRender = (): void => {
    if (this.#pointsPending.length === 0) return;
    const eventTimes = this.#pointsPending;
    this.#pointsPending = [];
    emitRecolor({ path: 'points', eventTimes, drawnAt: Date.now() });
  };

  #scheduleSourceUpdate(): void {
    if (this.#inFlight || this.#refreshTimer || this.#dirty.size === 0) return;
    const wait = Math.max(0, this.#lastRefresh + this.#refreshMs - Date.now());
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.#updateSource();
    }, wait);
  }

  /** The alert overlay's diff: cameras that got a problem join it, those that recovered leave it. */
  #alertDiff(dirty: Map<number, number>): GeoJSONSourceDiff {
    const health = this.#store.health;
    const add: NonNullable<GeoJSONSourceDiff['add']> = [];
    const remove: number[] = [];
    const update: NonNullable<GeoJSONSourceDiff['update']> = [];
    for (const index of dirty.keys()) {
      const alert = isAlert(health[index]!);
      if (this.#alerts.has(index)) {
        if (alert) update.push({ id: index, addOrUpdateProperties: [{ key: 'h', value: health[index] }] });
        else {
          remove.push(index);
          this.#alerts.delete(index);
        }
      } else if (alert) {
        const feature = cameraFeatureAt(this.#store, index);
        if (!feature) continue;
        add.push(feature);
        this.#alerts.add(index);
      }
    }
    return { add, remove, update };
  }

  async #updateSource(): Promise<void> {
    const overlay = usesAlertOverlay(this.#mode);
    const source = this.#map.getSource<GeoJSONSource>(overlay ? ALERT_SOURCE : CAMERA_SOURCE);
    if (!source || this.#closed) return;
    const dirty = this.#dirty;
    this.#dirty = new Map();
    this.#inFlight = true;
    this.#lastRefresh = Date.now();
    const health = this.#store.health;
    try {
      if (overlay) {
        await source.updateData(this.#alertDiff(dirty));
      } else if (this.#mode === 'set-data') {
        await source.setData(cameraFeatures(this.#store));
      } else {
        const update = [...dirty.keys()].map((id) => ({
          id,
          addOrUpdateProperties: [{ key: 'h', value: health[id] }],
        }));
        await source.updateData({ update });
      }
      if (!this.#closed) this.#whenDrawn(overlay ? ALERT_SOURCE : CAMERA_SOURCE, [...dirty.values()]);
    } catch (error) {
      // After close() the source went with the map: nothing left to draw.
      if (!this.#closed) console.error('[map] status update failed', error);
    } finally {
      this.#inFlight = false;
      this.#scheduleSourceUpdate();
    }
  }

  /** Reports the source path once the source's tiles are reloaded and drawn. */
  #whenDrawn(sourceId: string, eventTimes: number[]): void {
    const onRender = () => {
      if (!this.#map.isSourceLoaded(sourceId)) return;
      this.#map.off('render', onRender);
      this.#publishAlertCount();
      emitRecolor({ path: 'clusters', eventTimes, drawnAt: Date.now() });
    };
    this.#map.on('render', onRender);
    this.#map.triggerRepaint();
  }

  /**
   * How many cameras the alert overlay draws, on the map's container (`data-map-alerts`), once drawn: what a
   * test (or a person with the inspector) reads to see a camera turn red on the map.
   */
  #publishAlertCount(): void {
    if (!usesAlertOverlay(this.#mode)) return;
    this.#map.getContainer().dataset.mapAlerts = String(this.#alerts.size);
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#map.off('render', this.#onRender);
    if (this.#refreshTimer) clearTimeout(this.#refreshTimer);
  }
}
