import { describe, expect, it } from 'vitest';
import { CameraClusters, type ClusterFeature, clustersOf } from '../src/map/camera-clusters';

const CITY: [number, number, number, number] = [111.5, 27.5, 114.5, 28.8];
const OPTIONS = { radius: 60, maxZoom: 14 };

/** A deterministic scatter of `n` cameras within `spread` degrees of a centre. */
function group(n: number, lng: number, lat: number, spread: number, seed: number): [number, number][] {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31 - 0.5;
  };
  return Array.from({ length: n }, () => [lng + next() * spread, lat + next() * spread]);
}

function build(points: [number, number][]) {
  return new CameraClusters(
    points.map((p) => p[0]),
    points.map((p) => p[1]),
  );
}

const clusters = (features: ClusterFeature[]) => features.filter((f) => 'point_count' in f.properties);
const singles = (features: ClusterFeature[]) => features.filter((f) => !('point_count' in f.properties));
const counted = (features: ClusterFeature[]) =>
  features.reduce((sum, f) => sum + ('point_count' in f.properties ? f.properties.point_count : 1), 0);

describe('CameraClusters', () => {
  // Two districts' worth of cameras ~20 km apart (0.2°), and one lone camera far out.
  const furong = group(3000, 112.99, 28.19, 0.02, 1);
  const yuelu = group(2000, 112.8, 28.3, 0.02, 2);
  const lone: [number, number] = [113.6, 28.6];
  const points = [...furong, ...yuelu, lone];
  const health = new Uint8Array(points.length).fill(1);
  health[points.length - 1] = 2;
  const index = build(points);

  it('at city zoom: a few clusters that count every camera, the lone camera on its own', () => {
    const { features } = index.features({ zoom: 9.6, bounds: CITY }, OPTIONS, health);
    const all = features as ClusterFeature[];
    expect(counted(all)).toBe(points.length);
    expect(clusters(all).length).toBeGreaterThanOrEqual(2);
    expect(clusters(all).length).toBeLessThan(20);
    expect(singles(all)).toEqual([
      {
        type: 'Feature',
        id: points.length - 1,
        geometry: { type: 'Point', coordinates: lone },
        properties: { h: 2 },
      },
    ]);
    // Clusters sit where their cameras are.
    for (const cluster of clusters(all)) {
      const [lng, lat] = cluster.geometry.coordinates as [number, number];
      const nearFurong = Math.abs(lng - 112.99) < 0.02 && Math.abs(lat - 28.19) < 0.02;
      const nearYuelu = Math.abs(lng - 112.8) < 0.02 && Math.abs(lat - 28.3) < 0.02;
      expect(nearFurong || nearYuelu).toBe(true);
    }
    expect(new Set(clusters(all).map((c) => (c.properties as { cluster_id: number }).cluster_id)).size).toBe(
      clusters(all).length,
    );
  });

  it('splits as the map zooms in, and shows every camera on its own above the cluster zoom', () => {
    const counts = [9, 12, 13, 14].map(
      (zoom) =>
        clusters(index.features({ zoom, bounds: CITY }, OPTIONS, health).features as ClusterFeature[]).length,
    );
    for (let i = 1; i < counts.length; i++) expect(counts[i]!).toBeGreaterThan(counts[i - 1]!);
    const street = index.features({ zoom: 15.2, bounds: CITY }, OPTIONS, health).features as ClusterFeature[];
    expect(clusters(street)).toEqual([]);
    expect(street.map((f) => f.id).sort((a, b) => Number(a) - Number(b))).toEqual(points.map((_, i) => i));
  });

  it('returns only the cameras in view', () => {
    const view: [number, number, number, number] = [112.97, 28.17, 113.01, 28.21];
    const inView = points.filter(
      ([lng, lat]) => lng >= 112.97 && lng <= 113.01 && lat >= 28.17 && lat <= 28.21,
    );
    const zoomed = index.features({ zoom: 16, bounds: view }, OPTIONS, health).features as ClusterFeature[];
    expect(zoomed).toHaveLength(inView.length);
    const clustered = index.features({ zoom: 12, bounds: view }, OPTIONS, health)
      .features as ClusterFeature[];
    expect(counted(clustered)).toBe(inView.length);
  });

  it('makes one cluster of a tight group that straddles a grid line', () => {
    // At zoom 10 a 60-pixel cell is 60 / (512 · 2^10) of the world: ~0.041° of longitude. Put a tight group
    // of cameras on both sides of a cell border.
    const cell = (60 / (512 * 2 ** 10)) * 360;
    const border = Math.ceil((112.9 + 180) / cell) * cell - 180;
    const straddling = build([
      ...group(10, border - 0.002, 28.2, 0.001, 3),
      ...group(10, border + 0.002, 28.2, 0.001, 4),
    ]);
    const features = straddling.features({ zoom: 10.4, bounds: CITY }, OPTIONS, new Uint8Array(20)).features;
    expect(features).toHaveLength(1);
    expect(features[0]!.properties).toMatchObject({ cluster: true, point_count: 20 });
  });

  it('leaves out cameras without coordinates, keeping the store indexes of the others', () => {
    const store = clustersOf([
      { longitude: null, latitude: null },
      { longitude: 112.98, latitude: 28.19 },
      { longitude: 112.98, latitude: null },
    ]);
    expect(store.size).toBe(1);
    const features = store.features({ zoom: 16, bounds: CITY }, OPTIONS, [0, 3, 0]).features;
    expect(features.map((f) => [f.id, f.properties])).toEqual([[1, { h: 3 }]]);
    expect(clustersOf([]).features({ zoom: 8, bounds: CITY }, OPTIONS, []).features).toEqual([]);
  });
});
