import type { Feature, FeatureCollection, Point } from 'geojson';
import KDBush from 'kdbush';

/** A cluster of cameras on the map (the properties maplibre's own clusters have, which the layers read). */
export interface ClusterProperties {
  cluster: true;
  /** Unique within one `CameraClusters.features` answer. */
  cluster_id: number;
  point_count: number;
}

/** A camera drawn on its own; its feature id is its store index. */
export interface SinglePointProperties {
  /** HealthCode. */
  h: number;
}

export type ClusterFeature = Feature<Point, ClusterProperties | SinglePointProperties>;

export interface ClusterView {
  /** The map's zoom; clusters are those of its integer part (as maplibre's are), so they hold still while zooming. */
  zoom: number;
  /** West, south, east, north (degrees): only the cameras in here are clustered and returned. */
  bounds: [number, number, number, number];
}

export interface ClusterOptions {
  /** Cluster radius in screen pixels (of the map's 512-pixel tiles). */
  radius: number;
  /** Above this zoom every camera is drawn on its own. */
  maxZoom: number;
}

/** Pixels across the world at zoom 0: maplibre's tiles are 512 pixels. */
const WORLD_PIXELS = 512;

function mercatorX(lng: number): number {
  return lng / 360 + 0.5;
}

function mercatorY(lat: number): number {
  const sin = Math.sin((lat * Math.PI) / 180);
  const y = 0.5 - (0.25 * Math.log((1 + sin) / (1 - sin))) / Math.PI;
  return Math.min(1, Math.max(0, y));
}

function longitudeOf(x: number): number {
  return (x - 0.5) * 360;
}

function latitudeOf(y: number): number {
  return (360 * Math.atan(Math.exp((1 - 2 * y) * Math.PI))) / Math.PI - 90;
}

/** One grid cell's cameras while clustering (world coordinates). */
interface Cell {
  count: number;
  sumX: number;
  sumY: number;
  /** The first camera's point, drawn alone when the cell holds one camera. */
  first: number;
  cx: number;
  cy: number;
  merged: boolean;
}

/**
 * The cameras' clusters, computed on the main thread for the part of the map in view instead of handing 100,000
 * points to maplibre's worker to cluster: handing them over (a structured clone each way) and indexing them
 * there took about a second before the first frame; this takes milliseconds per view (see web/bench/RESULTS.md).
 *
 * The cameras are kept in flat arrays in Web Mercator and a KD-tree. For a view, the cameras in it are counted
 * per grid cell of the cluster radius; each cell, most populous first, then takes in the neighbouring cells
 * whose centre of mass lies within the radius of its own, so that two groups either side of a cell border do
 * not show as two overlapping clusters. A cell left with one camera shows that camera.
 */
export class CameraClusters {
  /** Store index of each located camera. */
  readonly #indexes: Uint32Array;
  readonly #lng: Float64Array;
  readonly #lat: Float64Array;
  readonly #x: Float64Array;
  readonly #y: Float64Array;
  readonly #tree: KDBush;

  /** Longitude and latitude (WGS-84, degrees) by store index, NaN where the camera has none. */
  constructor(longitudes: ArrayLike<number>, latitudes: ArrayLike<number>) {
    let located = 0;
    for (let i = 0; i < longitudes.length; i++) {
      if (Number.isFinite(longitudes[i]) && Number.isFinite(latitudes[i])) located++;
    }
    this.#indexes = new Uint32Array(located);
    this.#lng = new Float64Array(located);
    this.#lat = new Float64Array(located);
    this.#x = new Float64Array(located);
    this.#y = new Float64Array(located);
    this.#tree = new KDBush(Math.max(located, 1), 64, Float64Array);
    let n = 0;
    for (let i = 0; i < longitudes.length; i++) {
      const lng = longitudes[i]!;
      const lat = latitudes[i]!;
      if (!Number.isFinite(lng) || !Number.isFinite(lat)) continue;
      this.#indexes[n] = i;
      this.#lng[n] = lng;
      this.#lat[n] = lat;
      this.#x[n] = mercatorX(lng);
      this.#y[n] = mercatorY(lat);
      this.#tree.add(this.#x[n]!, this.#y[n]!);
      n++;
    }
    if (located === 0) this.#tree.add(-1, -1);
    this.#tree.finish();
  }

  /** Cameras with coordinates. */
  get size(): number {
    return this.#indexes.length;
  }

  /** The store indexes of the cameras inside these bounds. */
  #inView(bounds: ClusterView['bounds']): number[] {
    const [west, south, east, north] = bounds;
    const points = this.#tree.range(mercatorX(west), mercatorY(north), mercatorX(east), mercatorY(south));
    return this.#indexes.length === 0 ? [] : points;
  }

  /**
   * The clusters and single cameras of a view. Single cameras carry `h` from `health` (by store index).
   */
  features(view: ClusterView, options: ClusterOptions, health: ArrayLike<number>): FeatureCollection<Point> {
    const zoom = Math.floor(view.zoom);
    const points = this.#inView(view.bounds);
    const features: ClusterFeature[] = [];
    if (zoom > options.maxZoom) {
      for (const p of points) features.push(this.#single(p, health));
      return { type: 'FeatureCollection', features };
    }
    const radius = options.radius / (WORLD_PIXELS * 2 ** zoom);
    const cells = this.#cells(points, radius);
    // Most populous first: a big cluster takes in its stragglers, not the other way round.
    const ordered = [...cells.values()].sort((a, b) => b.count - a.count);
    const radius2 = radius * radius;
    for (const cell of ordered) {
      if (cell.merged) continue;
      const x = cell.sumX / cell.count;
      const y = cell.sumY / cell.count;
      for (let dx = -1; dx <= 1; dx++) {
        for (let dy = -1; dy <= 1; dy++) {
          if (dx === 0 && dy === 0) continue;
          const other = cells.get(cellKey(cell.cx + dx, cell.cy + dy));
          if (!other || other.merged) continue;
          const ox = other.sumX / other.count - x;
          const oy = other.sumY / other.count - y;
          if (ox * ox + oy * oy > radius2) continue;
          other.merged = true;
          cell.count += other.count;
          cell.sumX += other.sumX;
          cell.sumY += other.sumY;
        }
      }
    }
    for (const cell of ordered) {
      if (cell.merged) continue;
      if (cell.count === 1) {
        features.push(this.#single(cell.first, health));
        continue;
      }
      features.push({
        type: 'Feature',
        geometry: {
          type: 'Point',
          coordinates: [longitudeOf(cell.sumX / cell.count), latitudeOf(cell.sumY / cell.count)],
        },
        properties: { cluster: true, cluster_id: cellKey(cell.cx, cell.cy), point_count: cell.count },
      });
    }
    return { type: 'FeatureCollection', features };
  }

  #cells(points: readonly number[], size: number): Map<number, Cell> {
    const cells = new Map<number, Cell>();
    for (const p of points) {
      const x = this.#x[p]!;
      const y = this.#y[p]!;
      const cx = Math.floor(x / size);
      const cy = Math.floor(y / size);
      const key = cellKey(cx, cy);
      const cell = cells.get(key);
      if (cell) {
        cell.count++;
        cell.sumX += x;
        cell.sumY += y;
      } else {
        cells.set(key, { count: 1, sumX: x, sumY: y, first: p, cx, cy, merged: false });
      }
    }
    return cells;
  }

  #single(p: number, health: ArrayLike<number>): ClusterFeature {
    const index = this.#indexes[p]!;
    return {
      type: 'Feature',
      id: index,
      geometry: { type: 'Point', coordinates: [this.#lng[p]!, this.#lat[p]!] },
      properties: { h: health[index] ?? 0 },
    };
  }
}

/** A cell's number, exact in a double: a row holds fewer than 2^24 cells up to zoom 14 at a 1-pixel radius. */
function cellKey(cx: number, cy: number): number {
  return cx * 0x1000000 + cy;
}

/** The clusters of a store's cameras. */
export function clustersOf(
  channels: readonly { longitude: number | null; latitude: number | null }[],
): CameraClusters {
  const longitudes = new Float64Array(channels.length);
  const latitudes = new Float64Array(channels.length);
  for (let i = 0; i < channels.length; i++) {
    longitudes[i] = channels[i]!.longitude ?? Number.NaN;
    latitudes[i] = channels[i]!.latitude ?? Number.NaN;
  }
  return new CameraClusters(longitudes, latitudes);
}
