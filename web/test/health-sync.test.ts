import type { GeoJSONSourceDiff, Map as MaplibreMap } from 'maplibre-gl';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ALERT_SOURCE, CAMERA_SOURCE } from '../src/map/console-layers';
import { HealthSync, type HealthSyncMode } from '../src/map/health-sync';
import { channel, channelEvent, device, deviceEvent, FakeMapEvents, manualStore } from './support';

/** The part of a maplibre map HealthSync uses, recording what it was asked. */
class FakeMap extends FakeMapEvents {
  readonly featureState = new Map<string, unknown>();
  readonly diffs: { source: string; diff: GeoJSONSourceDiff }[] = [];
  readonly setData: string[] = [];
  readonly container = { dataset: {} as Record<string, string> };
  setFeatureState(feature: { source: string; id: number }, state: unknown): void {
    this.featureState.set(`${feature.source}/${feature.id}`, state);
  }
  getSource(id: string) {
    return {
      updateData: async (diff: GeoJSONSourceDiff) => {
        this.diffs.push({ source: id, diff });
      },
      setData: async () => {
        this.setData.push(id);
      },
    };
  }
  isSourceLoaded(): boolean {
    return true;
  }
  triggerRepaint(): void {}
  getContainer() {
    return this.container;
  }
}

const NVR = '43010200001180000001';
const IPC = '43010200001320000002';

function setup(mode: HealthSyncMode) {
  const store = manualStore(
    [
      channel('43010200001310000001', NVR, 'online'),
      channel('43010200001310000002', NVR, 'online'),
      channel(IPC, IPC, 'offline'),
    ],
    [device(NVR, 'online'), device(IPC, 'offline')],
  );
  const map = new FakeMap();
  const sync = new HealthSync({
    map: map as unknown as MaplibreMap,
    store,
    mode,
    alertRefreshMs: 0,
    clusterRefreshMs: 0,
  });
  return { store, map, sync };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('HealthSync', () => {
  it('alert-overlay: recolours cameras with feature-state and moves them on and off the overlay', async () => {
    vi.stubGlobal('window', new EventTarget());
    const { store, map, sync } = setup('alert-overlay');
    store.push(channelEvent('43010200001310000001', NVR, 'offline', '2025-06-01T09:00:00.000Z'));
    store.push(channelEvent(IPC, IPC, 'online', '2025-06-01T09:00:00.000Z'));
    store.flush();
    expect(map.featureState.get(`${CAMERA_SOURCE}/0`)).toEqual({ h: 3 });
    expect(map.featureState.get(`${CAMERA_SOURCE}/2`)).toEqual({ h: 1 });
    await settle();
    expect(map.diffs).toHaveLength(1);
    expect(map.diffs[0]!.source).toBe(ALERT_SOURCE);
    expect(map.diffs[0]!.diff.add?.map((f) => f.id)).toEqual([0]);
    expect(map.diffs[0]!.diff.remove).toEqual([2]);
    map.fire('render');

    store.push(deviceEvent(NVR, 'offline', '2025-06-01T09:01:00.000Z'));
    store.flush();
    await settle();
    const last = map.diffs.at(-1)!.diff;
    expect(last.update).toEqual([{ id: 0, addOrUpdateProperties: [{ key: 'h', value: 2 }] }]);
    expect(last.add?.map((f) => f.id)).toEqual([1]);
    // The map's container tells how many cameras the overlay draws, once they are drawn.
    expect(map.container.dataset.mapAlerts).toBe('1');
    map.fire('render');
    expect(map.container.dataset.mapAlerts).toBe('2');
    sync.close();
  });

  it('reports when the changes are drawn, with their event times', async () => {
    const { store, map, sync } = setup('alert-overlay');
    const drawn: { path: string; eventTimes: number[] }[] = [];
    const listener = (event: Event) =>
      drawn.push((event as CustomEvent<{ path: string; eventTimes: number[] }>).detail);
    // The probes are DOM events on window: node has EventTarget and CustomEvent.
    vi.stubGlobal('window', new EventTarget());
    window.addEventListener('tessera:recolor', listener);
    store.push(channelEvent('43010200001310000001', NVR, 'offline', '2025-06-01T09:00:00.000Z'));
    store.flush();
    map.fire('render');
    await settle();
    map.fire('render');
    window.removeEventListener('tessera:recolor', listener);
    sync.close();
    const time = Date.parse('2025-06-01T09:00:00.000Z');
    expect(drawn).toEqual([
      { path: 'points', eventTimes: [time], drawnAt: expect.any(Number) },
      { path: 'clusters', eventTimes: [time], drawnAt: expect.any(Number) },
    ]);
  });

  it('update-data: diffs the camera source without feature-state', async () => {
    const { store, map, sync } = setup('update-data');
    store.push(channelEvent('43010200001310000002', NVR, 'offline', '2025-06-01T09:00:00.000Z'));
    store.flush();
    await settle();
    expect(map.featureState.size).toBe(0);
    expect(map.diffs).toEqual([
      {
        source: CAMERA_SOURCE,
        diff: { update: [{ id: 1, addOrUpdateProperties: [{ key: 'h', value: 3 }] }] },
      },
    ]);
    sync.close();
  });

  it('set-data: sends the whole collection again', async () => {
    const { store, map, sync } = setup('set-data');
    store.push(channelEvent('43010200001310000002', NVR, 'offline', '2025-06-01T09:00:00.000Z'));
    store.flush();
    await settle();
    expect(map.setData).toEqual([CAMERA_SOURCE]);
    sync.close();
  });

  it('stops listening when closed', async () => {
    const { store, map, sync } = setup('alert-overlay');
    sync.close();
    sync.close();
    store.push(channelEvent('43010200001310000002', NVR, 'offline', '2025-06-01T09:00:00.000Z'));
    store.flush();
    await settle();
    expect(map.featureState.size).toBe(0);
    expect(map.diffs).toHaveLength(0);
  });
});
