import type { GeoJSONSource, GeoJSONSourceSpecification, Map as MaplibreMap } from 'maplibre-gl';
import type { CameraStore } from '../state/camera-store';
import { type CameraClusters, type ClusterView, clustersOf } from './camera-clusters';

export interface ViewClustersOptions {
  map: MaplibreMap;
  store: CameraStore;
  /** The GeoJSON source (not clustered by maplibre) that gets the clusters in view. */
  sourceId: string;
  radius: number;
  maxZoom: number;
}

/** While the map moves, the clusters are brought up to date at most this often. */
const MOVE_REFRESH_MS = 120;
/** Clusters are computed for the view and this many view-widths (and heights) around it on every side. */
const MARGIN = 1;

/** The source for `ViewClusters`: starts empty, filled for the view once the store is in. */
export function viewClusterSource(): GeoJSONSourceSpecification {
  return { type: 'geojson', data: { type: 'FeatureCollection', features: [] } };
}

/**
 * Keeps a GeoJSON source filled with the clusters and single cameras around the map's view (`CameraClusters`).
 * The source gets new data only when the map reaches another whole zoom level or leaves the area last computed
 * (the view with a margin all round), so most pans cost nothing, and a change of view costs a few
 * milliseconds and a few hundred features, never the 100,000 cameras.
 */
export class ViewClusters {
  readonly #map: MaplibreMap;
  readonly #store: CameraStore;
  readonly #options: ViewClustersOptions;
  readonly #clusters: CameraClusters;
  /** The view the source holds, with its margin. */
  #covered: ClusterView | null = null;
  #moveTimer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(options: ViewClustersOptions) {
    this.#map = options.map;
    this.#store = options.store;
    this.#options = options;
    this.#clusters = clustersOf(options.store.channels);
    this.#map.on('move', this.#onMove);
    this.#map.on('moveend', this.#onMoveEnd);
    this.#update();
  }

  /** Cameras with coordinates. */
  get size(): number {
    return this.#clusters.size;
  }

  /** The zoom at which a cluster clicked at this zoom shows what it holds. */
  expansionZoom(zoom: number): number {
    return Math.min(Math.floor(zoom) + 2, this.#options.maxZoom + 1);
  }

  #onMove = (): void => {
    this.#moveTimer ??= setTimeout(() => {
      this.#moveTimer = null;
      this.#update();
    }, MOVE_REFRESH_MS);
  };

  #onMoveEnd = (): void => {
    if (this.#moveTimer) clearTimeout(this.#moveTimer);
    this.#moveTimer = null;
    this.#update();
  };

  /** Fills the source for the current view, unless it already covers it. */
  #update(): void {
    if (this.#closed) return;
    const zoom = Math.floor(this.#map.getZoom());
    const bounds = this.#map.getBounds();
    const view: ClusterView['bounds'] = [
      bounds.getWest(),
      bounds.getSouth(),
      bounds.getEast(),
      bounds.getNorth(),
    ];
    const covered = this.#covered;
    if (covered && covered.zoom === zoom && contains(covered.bounds, view)) return;
    const [west, south, east, north] = view;
    const width = (east - west) * MARGIN;
    const height = (north - south) * MARGIN;
    const area: ClusterView = {
      zoom,
      bounds: [
        Math.max(-180, west - width),
        Math.max(-85, south - height),
        Math.min(180, east + width),
        Math.min(85, north + height),
      ],
    };
    const source = this.#map.getSource<GeoJSONSource>(this.#options.sourceId);
    if (!source) return;
    this.#covered = area;
    void source.setData(this.#clusters.features(area, this.#options, this.#store.health));
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#moveTimer) clearTimeout(this.#moveTimer);
    this.#map.off('move', this.#onMove);
    this.#map.off('moveend', this.#onMoveEnd);
  }
}

function contains(outer: ClusterView['bounds'], inner: ClusterView['bounds']): boolean {
  return outer[0] <= inner[0] && outer[1] <= inner[1] && outer[2] >= inner[2] && outer[3] >= inner[3];
}
