import 'maplibre-gl/dist/maplibre-gl.css';
import maplibreWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import {
  AttributionControl,
  type ErrorEvent,
  type GeoJSONSource,
  type MapGeoJSONFeature,
  Map as MaplibreMap,
  type MapMouseEvent,
  Marker,
  NavigationControl,
  Popup,
  ScaleControl,
  setWorkerUrl,
} from 'maplibre-gl';
import type { BasemapInfo, ChannelId } from '../api/types';
import type { Locale, Translate } from '../i18n/i18n';
import type { AreaDirectory } from '../state/areas';
import type { CameraStore } from '../state/camera-store';
import { type BaseLayerConfig, baseStyle } from './base-layer';
import { BASEMAP_SOURCE, basemapLayers, basemapSource } from './basemap';
import { cameraPopupContent } from './camera-popup';
import { ClusterLabels } from './cluster-labels';
import {
  ALERT_CLUSTER_LAYER,
  ALERT_POINT_LAYER,
  ALERT_SOURCE,
  alertClusterLayer,
  alertFeatures,
  alertPointLayer,
  alertSource,
  CAMERA_CLUSTER_RADIUS,
  CAMERA_SOURCE,
  CLUSTER_LAYER,
  CLUSTER_MAX_ZOOM,
  cameraFeatures,
  cameraSource,
  clusterLayer,
  DISTRICT_FILL_LAYER,
  DISTRICT_SOURCE,
  districtLayers,
  districtSource,
  POINT_LAYER,
  placedCount,
  pointLayer,
} from './console-layers';
import { boundsOf, changshaDistricts } from './districts';
import { HealthSync, type HealthSyncMode, usesAlertOverlay } from './health-sync';
import { emitMapReady } from './probes';
import { ViewClusters, viewClusterSource } from './view-clusters';

export interface MapControllerOptions {
  container: HTMLElement;
  areas: AreaDirectory;
  base: BaseLayerConfig;
  mode: HealthSyncMode;
  /**
   * Who clusters the cameras: `view` (default) clusters those around the view on the main thread
   * (`ViewClusters`); `maplibre` hands all of them to maplibre's worker, the way to go when the clusters are
   * coloured by health (every mode but the alert overlay uses it).
   */
  clustering: 'view' | 'maplibre';
  t: Translate;
  locale: Locale;
  /** maplibre's own requests (tiles): adds the bearer token to those for the platform's base map. */
  authorizeRequest?: (url: string) => { url: string; headers?: Record<string, string> };
  /** The platform's base-map tiles fail (not merely missing): the view says so. */
  onBasemapTrouble?: () => void;
}

/** Zoom a focused camera is shown at. */
const FOCUS_ZOOM = 16;

/** The cameras on the map: one store at a time (a new one when the set of cameras changed). */
interface CameraBinding {
  store: CameraStore;
  /** Null when maplibre clusters the cameras. */
  clusters: ViewClusters | null;
  sync: HealthSync;
  unsubscribe: () => void;
}

/**
 * Owns the maplibre map of the console: the offline style, the districts, the cameras source with its
 * clusters, live status (through `HealthSync`), the popup and the HTML labels. React only creates it, hands
 * it the store and closes it. The map starts before the inventory has loaded, so the worker and the style
 * load while the cameras are fetched.
 */
export class MapController {
  readonly #map: MaplibreMap;
  readonly #options: MapControllerOptions;
  readonly #popup: Popup;
  #popupIndex: number | null = null;
  #styleLoaded = false;
  #store: CameraStore | null = null;
  #binding: CameraBinding | null = null;
  #labels: ClusterLabels | null = null;
  readonly #districtLabels: Marker[] = [];
  #ready = false;
  #pendingFocus: ChannelId | null = null;
  #t: Translate;
  #locale: Locale;
  /** The city's bounds, fitted again when the map was created hidden (no size to fit them into). */
  readonly #bounds: [number, number, number, number];
  #fitPending: boolean;
  #closed = false;
  /** The platform's base map, once known; added when the style has loaded. */
  #basemap: { info: BasemapInfo; tilesUrl: string } | null = null;
  #basemapAdded = false;
  #basemapTiles = 0;

  constructor(options: MapControllerOptions) {
    this.#options = options;
    this.#t = options.t;
    this.#locale = options.locale;
    performance.mark('tessera:map-created');
    setWorkerUrl(maplibreWorkerUrl);
    const [[west, south], [east, north]] = boundsOf(changshaDistricts());
    this.#bounds = [west, south, east, north];
    this.#fitPending = options.container.clientWidth === 0 || options.container.clientHeight === 0;
    this.#map = new MaplibreMap({
      container: options.container,
      style: baseStyle(options.base),
      bounds: [west, south, east, north],
      fitBoundsOptions: { padding: 24 },
      maxBounds: [west - 1.5, south - 1, east + 1.5, north + 1],
      minZoom: 6,
      maxZoom: 19,
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      renderWorldCopies: false,
      fadeDuration: 0,
      attributionControl: false,
      pixelRatio: renderPixelRatio(),
      ...(options.authorizeRequest ? { transformRequest: options.authorizeRequest } : {}),
    });
    this.#map.touchZoomRotate.disableRotation();
    this.#map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
    this.#map.addControl(new ScaleControl({}), 'bottom-right');
    if (options.base.kind !== 'offline') this.#map.addControl(new AttributionControl({ compact: true }));
    this.#popup = new Popup({ closeButton: true, closeOnClick: true, maxWidth: '340px', offset: 10 });
    this.#popup.on('close', () => {
      this.#popupIndex = null;
    });
    const container = options.container;
    this.#map.on('movestart', () => {
      container.dataset.mapIdle = 'false';
    });
    this.#map.on('idle', () => {
      container.dataset.mapIdle = 'true';
      container.dataset.mapZoom = this.#map.getZoom().toFixed(2);
    });
    this.#map.on('load', this.#onLoad);
    this.#map.on('error', this.#onError);
    this.#map.on('sourcedata', (event) => {
      if (event.sourceId !== BASEMAP_SOURCE || !event.tile) return;
      this.#basemapTiles += 1;
      container.dataset.basemapTiles = String(this.#basemapTiles);
    });
  }

  /**
   * maplibre logs an error nobody listens to; listening, the map logs all but the base map's tile failures. A
   * missing tile (404: outside the GIS's coverage) is normal; any other failure of the platform's tiles tells
   * the view, once per failure, and is not logged (the platform counts and logs it).
   */
  #onError = (event: ErrorEvent & { sourceId?: string }): void => {
    if (event.sourceId !== BASEMAP_SOURCE) {
      console.error('[map]', event.error);
      return;
    }
    if ((event.error as { status?: unknown }).status === 404) return;
    this.#options.container.dataset.basemapErrors = String(
      Number(this.#options.container.dataset.basemapErrors ?? 0) + 1,
    );
    this.#options.onBasemapTrouble?.();
  };

  /** Draws the platform's street base map under the districts and cameras (once; a later call is ignored). */
  setBasemap(info: BasemapInfo, tilesUrl: string): void {
    if (this.#basemap || info.kind === 'none') return;
    this.#basemap = { info, tilesUrl };
    if (this.#styleLoaded) this.#addBasemap();
  }

  #addBasemap(): void {
    if (!this.#basemap || this.#basemapAdded) return;
    this.#basemapAdded = true;
    const { info, tilesUrl } = this.#basemap;
    const map = this.#map;
    map.addSource(BASEMAP_SOURCE, basemapSource(info, tilesUrl));
    const firstOwn = map.getStyle().layers[0]?.id;
    for (const layer of basemapLayers(info)) map.addLayer(layer, firstOwn);
    // The districts' fill turns to a tint so the streets show through it (as with a built-in base layer).
    map.setPaintProperty(DISTRICT_FILL_LAYER, 'fill-opacity', 0.15);
    if (info.attribution && this.#options.base.kind === 'offline')
      map.addControl(new AttributionControl({ compact: true }));
    this.#options.container.dataset.basemap = info.kind;
  }

  #onLoad = (): void => {
    performance.mark('tessera:style-loaded');
    const map = this.#map;
    const districts = changshaDistricts();
    map.addSource(DISTRICT_SOURCE, districtSource(districts));
    for (const layer of districtLayers(this.#options.base.kind !== 'offline')) map.addLayer(layer);
    for (const district of districts.features) {
      const element = document.createElement('div');
      element.className = 'district-label';
      element.textContent = district.properties.name;
      this.#districtLabels.push(new Marker({ element }).setLngLat(district.properties.center).addTo(map));
    }
    this.#labels = new ClusterLabels(map, this.#locale, [
      { layer: CLUSTER_LAYER, className: 'cluster-label' },
      { layer: ALERT_CLUSTER_LAYER, className: 'cluster-label alert' },
    ]);
    for (const [layer, source] of [
      [CLUSTER_LAYER, CAMERA_SOURCE],
      [ALERT_CLUSTER_LAYER, ALERT_SOURCE],
    ] as const) {
      map.on('click', layer, (event) => this.#onClusterClick(source, event));
    }
    map.on('click', POINT_LAYER, this.#onPointClick);
    map.on('click', ALERT_POINT_LAYER, this.#onPointClick);
    for (const layer of [CLUSTER_LAYER, POINT_LAYER, ALERT_CLUSTER_LAYER, ALERT_POINT_LAYER]) {
      map.on('mouseenter', layer, () => {
        map.getCanvas().style.cursor = 'pointer';
      });
      map.on('mouseleave', layer, () => {
        map.getCanvas().style.cursor = '';
      });
    }
    this.#styleLoaded = true;
    this.#addBasemap();
    if (this.#store) this.#bind(this.#store);
  };

  /** Shows these cameras (replacing any shown before). */
  setStore(store: CameraStore): void {
    if (store === this.#store) return;
    this.#store = store;
    if (this.#styleLoaded) this.#bind(store);
  }

  #bind(store: CameraStore): void {
    const map = this.#map;
    const overlay = usesAlertOverlay(this.#options.mode);
    if (this.#binding) {
      this.#binding.clusters?.close();
      this.#binding.sync.close();
      this.#binding.unsubscribe();
      this.#popup.remove();
      for (const layer of [ALERT_POINT_LAYER, ALERT_CLUSTER_LAYER, POINT_LAYER, CLUSTER_LAYER]) {
        if (map.getLayer(layer)) map.removeLayer(layer);
      }
      for (const source of [ALERT_SOURCE, CAMERA_SOURCE]) if (map.getSource(source)) map.removeSource(source);
    }
    const viewClustering = overlay && this.#options.clustering === 'view';
    map.addSource(
      CAMERA_SOURCE,
      viewClustering ? viewClusterSource() : cameraSource(cameraFeatures(store), !overlay),
    );
    map.addLayer(clusterLayer(!overlay));
    map.addLayer(pointLayer);
    if (overlay) {
      map.addSource(ALERT_SOURCE, alertSource(alertFeatures(store)));
      map.addLayer(alertClusterLayer);
      map.addLayer(alertPointLayer);
    }
    const clusters = viewClustering
      ? new ViewClusters({
          map,
          store,
          sourceId: CAMERA_SOURCE,
          radius: CAMERA_CLUSTER_RADIUS,
          maxZoom: CLUSTER_MAX_ZOOM,
        })
      : null;
    performance.mark('tessera:source-added');
    const points = clusters ? clusters.size : placedCount(store);
    this.#binding = {
      store,
      clusters,
      sync: new HealthSync({ map, store, mode: this.#options.mode }),
      unsubscribe: store.subscribe((change) => {
        if (this.#popupIndex !== null && change.indexes.includes(this.#popupIndex)) this.#renderPopup();
      }),
    };
    if (this.#ready) return;
    const onIdle = () => {
      if (!map.isSourceLoaded(CAMERA_SOURCE) || (overlay && !map.isSourceLoaded(ALERT_SOURCE))) return;
      map.off('idle', onIdle);
      this.#ready = true;
      performance.mark('tessera:map-ready');
      const readyMs = Math.round(performance.now());
      const container = this.#options.container;
      container.dataset.mapReady = 'true';
      container.dataset.mapReadyMs = String(readyMs);
      container.dataset.mapPoints = String(points);
      emitMapReady({ readyMs, points });
      if (this.#pendingFocus) this.focus(this.#pendingFocus);
    };
    map.on('idle', onIdle);
  }

  #onClusterClick(sourceId: string, event: MapMouseEvent & { features?: MapGeoJSONFeature[] }): void {
    const feature = event.features?.[0];
    if (feature?.geometry.type !== 'Point') return;
    const center = feature.geometry.coordinates as [number, number];
    const clusters = this.#binding?.clusters;
    if (sourceId === CAMERA_SOURCE && clusters) {
      this.#map.easeTo({ center, zoom: clusters.expansionZoom(this.#map.getZoom()) });
      return;
    }
    const source = this.#map.getSource<GeoJSONSource>(sourceId);
    if (!source) return;
    void source.getClusterExpansionZoom(Number(feature.properties.cluster_id)).then(
      (zoom) => this.#map.easeTo({ center, zoom }),
      (error: unknown) => console.error('[map] cluster expansion failed', error),
    );
  }

  #onPointClick = (event: MapMouseEvent & { features?: MapGeoJSONFeature[] }): void => {
    const id = event.features?.[0]?.id;
    if (typeof id === 'number') this.#openPopup(id);
  };

  #openPopup(index: number): void {
    const channel = this.#store?.channels[index];
    if (!channel || channel.longitude === null || channel.latitude === null) return;
    this.#popupIndex = index;
    this.#popup.setLngLat([channel.longitude, channel.latitude]);
    this.#renderPopup();
    if (!this.#popup.isOpen()) this.#popup.addTo(this.#map);
  }

  #renderPopup(): void {
    if (this.#popupIndex === null || !this.#store) return;
    this.#popup.setDOMContent(
      cameraPopupContent(this.#popupIndex, {
        store: this.#store,
        areas: this.#options.areas,
        t: this.#t,
        locale: this.#locale,
        now: Date.now(),
      }),
    );
  }

  /** Flies to a camera and opens its popup; false when the camera is unknown or has no coordinates. */
  focus(channelId: ChannelId): boolean {
    if (!this.#ready || !this.#store) {
      this.#pendingFocus = channelId;
      return true;
    }
    this.#pendingFocus = null;
    const index = this.#store.indexOf(channelId);
    if (index === undefined) return false;
    const channel = this.#store.channels[index]!;
    if (channel.longitude === null || channel.latitude === null) return false;
    this.#map.flyTo({
      center: [channel.longitude, channel.latitude],
      zoom: Math.max(this.#map.getZoom(), FOCUS_ZOOM),
      essential: true,
    });
    this.#openPopup(index);
    return true;
  }

  /** After the container was hidden. */
  resize(): void {
    this.#map.resize();
    const { clientWidth, clientHeight } = this.#options.container;
    if (this.#fitPending && clientWidth > 0 && clientHeight > 0) {
      this.#fitPending = false;
      this.#map.fitBounds(this.#bounds, { padding: 24, animate: false });
    }
  }

  setLanguage(t: Translate, locale: Locale): void {
    this.#t = t;
    if (locale !== this.#locale) {
      this.#locale = locale;
      this.#labels?.setLocale(locale);
    }
    this.#renderPopup();
  }

  /** Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#binding?.clusters?.close();
    this.#binding?.sync.close();
    this.#binding?.unsubscribe();
    this.#labels?.close();
    for (const marker of this.#districtLabels) marker.remove();
    this.#popup.remove();
    this.#map.remove();
  }
}

/**
 * A browser without a GPU rasterises WebGL on the CPU (SwiftShader, llvmpipe), where a frame's cost is its pixel
 * count: there the map draws at three quarters of the screen's resolution and lets the compositor scale it, so
 * panning stays smooth. Points and borders stay legible; with a GPU nothing changes.
 */
function renderPixelRatio(): number {
  const screenRatio = globalThis.devicePixelRatio || 1;
  return isSoftwareWebGl() ? screenRatio * SOFTWARE_RENDER_SCALE : screenRatio;
}

const SOFTWARE_RENDER_SCALE = 0.6;

function isSoftwareWebGl(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl');
    if (!gl) return false;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|softpipe|software/i.test(renderer);
  } catch {
    return false;
  }
}
