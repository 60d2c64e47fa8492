import type { Map as MaplibreMap } from 'maplibre-gl';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ViewClusters } from '../src/map/view-clusters';
import { channel, device, FakeMapEvents, manualStore } from './support';

/** The part of a maplibre map ViewClusters uses: a view that tests move, and the data the source got. */
class FakeMap extends FakeMapEvents {
  zoom = 9.5;
  bounds = { west: 112.8, south: 28.0, east: 113.2, north: 28.4 };
  readonly data: { features: { properties: Record<string, unknown> }[] }[] = [];
  getZoom(): number {
    return this.zoom;
  }
  getBounds() {
    const { west, south, east, north } = this.bounds;
    return { getWest: () => west, getSouth: () => south, getEast: () => east, getNorth: () => north };
  }
  getSource() {
    return {
      setData: (data: { features: { properties: Record<string, unknown> }[] }) => {
        this.data.push(data);
      },
    };
  }
}

function setup() {
  // 40 cameras around one street corner, 100 m apart at most.
  const channels = Array.from({ length: 40 }, (_, i) => ({
    ...channel(`430102000013100000${String(i).padStart(2, '0')}`, '43010200001180000001', 'online'),
    longitude: 112.98 + (i % 8) * 0.0002,
    latitude: 28.19 + Math.floor(i / 8) * 0.0002,
  }));
  const store = manualStore(channels, [device('43010200001180000001', 'online')]);
  const map = new FakeMap();
  const clusters = new ViewClusters({
    map: map as unknown as MaplibreMap,
    store,
    sourceId: 'cameras',
    radius: 60,
    maxZoom: 14,
  });
  return { map, clusters };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ViewClusters', () => {
  it('fills the source at once, and again only on a new zoom level or outside the area it computed', () => {
    const { map, clusters } = setup();
    expect(clusters.size).toBe(40);
    expect(map.data).toHaveLength(1);
    expect(map.data[0]!.features).toHaveLength(1);
    expect(map.data[0]!.features[0]!.properties).toMatchObject({ cluster: true, point_count: 40 });

    // A small pan within the same zoom level: the margin covers it.
    map.bounds = { west: 112.85, south: 28.05, east: 113.25, north: 28.45 };
    map.fire('moveend');
    map.zoom = 9.9;
    map.fire('moveend');
    expect(map.data).toHaveLength(1);

    // Far away: recomputed (no cameras there).
    map.bounds = { west: 113.9, south: 28.0, east: 114.3, north: 28.4 };
    map.fire('moveend');
    expect(map.data).toHaveLength(2);
    expect(map.data[1]!.features).toEqual([]);

    // Street level, back at the corner: every camera on its own, with its store index and health.
    map.zoom = 16.2;
    map.bounds = { west: 112.979, south: 28.189, east: 112.983, north: 28.192 };
    map.fire('moveend');
    expect(map.data.at(-1)!.features).toHaveLength(40);
    expect(map.data.at(-1)!.features[0]!.properties).toEqual({ h: 1 });
    clusters.close();
  });

  it('follows the map while it moves, at most every 120 ms', () => {
    vi.useFakeTimers();
    const { map, clusters } = setup();
    map.zoom = 12.3;
    map.fire('move');
    map.fire('move');
    expect(map.data).toHaveLength(1);
    vi.advanceTimersByTime(120);
    expect(map.data).toHaveLength(2);
    clusters.close();
    map.zoom = 14.3;
    map.fire('moveend');
    expect(map.data).toHaveLength(2);
  });

  it('zooms a clicked cluster in two levels, no further than where every camera stands alone', () => {
    const { clusters } = setup();
    expect(clusters.expansionZoom(9.6)).toBe(11);
    expect(clusters.expansionZoom(14.2)).toBe(15);
    clusters.close();
  });
});
