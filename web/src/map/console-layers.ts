import type {
  CircleLayerSpecification,
  ExpressionSpecification,
  FillLayerSpecification,
  GeoJSONSourceSpecification,
} from 'maplibre-gl';
import type { Feature, FeatureCollection, Point } from 'geojson';
import type { CameraStore } from '../state/camera-store';
import { HEALTH_CODE, HEALTH_COLOR, isOutage, healthOfCode } from '../state/health';
import type { DistrictCollection } from './districts';

export const DISTRICT_SOURCE = 'districts';
/** Every camera. Never rebuilt for a status change. */
export const CAMERA_SOURCE = 'cameras';
export const CLUSTER_LAYER = 'camera-clusters';
export const POINT_LAYER = 'camera-points';
/** Only the cameras that are not fine: small, so it is cheap to update at 1,000 changes a second. */
export const ALERT_SOURCE = 'camera-alerts';
export const ALERT_CLUSTER_LAYER = 'alert-clusters';
export const ALERT_POINT_LAYER = 'alert-points';

/** Clusters split into single cameras above this zoom (street level). */
export const CLUSTER_MAX_ZOOM = 14;
/** Radius of a camera cluster, in screen pixels. */
export const CAMERA_CLUSTER_RADIUS = 60;
/** Share of a cluster's cameras in a bad state from which the cluster takes that state's colour. */
export const CLUSTER_ALERT_SHARE = 0.1;
/** Colour of a cluster that counts cameras whatever their state (the alert overlay tells what is wrong). */
export const CAMERA_CLUSTER_COLOR = '#2f7fd1';

export interface CameraProperties {
  /** HealthCode. */
  h: number;
}

export type CameraCollection = FeatureCollection<Point, CameraProperties>;

function cameraFeature(store: CameraStore, index: number): Feature<Point, CameraProperties> | null {
  const { longitude, latitude } = store.channels[index]!;
  if (longitude === null || latitude === null) return null;
  return {
    type: 'Feature',
    id: index,
    geometry: { type: 'Point', coordinates: [longitude, latitude] },
    properties: { h: store.health[index]! },
  };
}

/**
 * One point per camera with coordinates; the feature id is the store index, which is what feature-state and
 * `updateData` address. Properties hold only the health code: details come from the store on click.
 */
export function cameraFeatures(store: CameraStore): CameraCollection {
  const features: Feature<Point, CameraProperties>[] = [];
  for (let i = 0; i < store.size; i++) {
    const feature = cameraFeature(store, i);
    if (feature) features.push(feature);
  }
  return { type: 'FeatureCollection', features };
}

/** Cameras with coordinates: those the map shows. */
export function placedCount(store: CameraStore): number {
  let count = 0;
  for (const channel of store.channels) if (channel.longitude !== null && channel.latitude !== null) count++;
  return count;
}

/** Is this camera shown on the alert overlay? */
export function isAlert(code: number): boolean {
  return isOutage(healthOfCode(code)) || code === HEALTH_CODE.degraded;
}

/** The cameras of the alert overlay: offline, no video or degraded. */
export function alertFeatures(store: CameraStore): CameraCollection {
  const features: Feature<Point, CameraProperties>[] = [];
  for (let i = 0; i < store.size; i++) {
    if (!isAlert(store.health[i]!)) continue;
    const feature = cameraFeature(store, i);
    if (feature) features.push(feature);
  }
  return { type: 'FeatureCollection', features };
}

/** The feature of one camera for an `updateData` diff (null without coordinates). */
export function cameraFeatureAt(store: CameraStore, index: number): Feature<Point, CameraProperties> | null {
  return cameraFeature(store, index);
}

function countWhere(code: number): [string, ExpressionSpecification] {
  return ['+', ['case', ['==', ['get', 'h'], code], 1, 0]];
}

const HEALTH_COUNTS = {
  off: countWhere(HEALTH_CODE.offline),
  nov: countWhere(HEALTH_CODE['no-video']),
  deg: countWhere(HEALTH_CODE.degraded),
};

/**
 * @param withHealthCounts clusters count their cameras per state (to colour them by health); without it they
 * only count cameras, and the alert overlay shows the outages.
 */
export function cameraSource(data: CameraCollection, withHealthCounts: boolean): GeoJSONSourceSpecification {
  return {
    type: 'geojson',
    data,
    cluster: true,
    clusterRadius: CAMERA_CLUSTER_RADIUS,
    clusterMaxZoom: CLUSTER_MAX_ZOOM,
    ...(withHealthCounts ? { clusterProperties: HEALTH_COUNTS } : {}),
  };
}

export function alertSource(data: CameraCollection): GeoJSONSourceSpecification {
  return {
    type: 'geojson',
    data,
    cluster: true,
    clusterRadius: 45,
    clusterMaxZoom: CLUSTER_MAX_ZOOM,
    clusterProperties: HEALTH_COUNTS,
  };
}

function share(property: string): ExpressionSpecification {
  return ['/', ['get', property], ['get', 'point_count']];
}

/** The worst state that reaches the alert share, else online. */
const healthClusterColor: ExpressionSpecification = [
  'case',
  ['>=', share('off'), CLUSTER_ALERT_SHARE],
  HEALTH_COLOR.offline,
  ['>=', share('nov'), CLUSTER_ALERT_SHARE],
  HEALTH_COLOR['no-video'],
  ['>=', share('deg'), CLUSTER_ALERT_SHARE],
  HEALTH_COLOR.degraded,
  HEALTH_COLOR.online,
];

/** An alert cluster takes the colour of the state most of its cameras are in. */
const alertClusterColor: ExpressionSpecification = [
  'case',
  ['all', ['>=', ['get', 'off'], ['get', 'nov']], ['>=', ['get', 'off'], ['get', 'deg']]],
  HEALTH_COLOR.offline,
  ['>=', ['get', 'nov'], ['get', 'deg']],
  HEALTH_COLOR['no-video'],
  HEALTH_COLOR.degraded,
];

/** Live status arrives as feature-state `h`; the property is the status the source was last loaded with. */
const pointColor: ExpressionSpecification = [
  'match',
  ['coalesce', ['feature-state', 'h'], ['get', 'h']],
  HEALTH_CODE.online,
  HEALTH_COLOR.online,
  HEALTH_CODE.offline,
  HEALTH_COLOR.offline,
  HEALTH_CODE['no-video'],
  HEALTH_COLOR['no-video'],
  HEALTH_CODE.degraded,
  HEALTH_COLOR.degraded,
  HEALTH_COLOR.unknown,
];

export function clusterLayer(colorByHealth: boolean): CircleLayerSpecification {
  return {
    id: CLUSTER_LAYER,
    type: 'circle',
    source: CAMERA_SOURCE,
    filter: ['has', 'point_count'],
    paint: {
      'circle-color': colorByHealth ? healthClusterColor : CAMERA_CLUSTER_COLOR,
      'circle-opacity': 0.85,
      'circle-radius': ['step', ['get', 'point_count'], 11, 50, 14, 500, 18, 2000, 23, 8000, 28],
      'circle-stroke-width': 2,
      'circle-stroke-color': 'rgba(255,255,255,0.55)',
    },
  };
}

export const pointLayer: CircleLayerSpecification = {
  id: POINT_LAYER,
  type: 'circle',
  source: CAMERA_SOURCE,
  filter: ['!', ['has', 'point_count']],
  paint: {
    'circle-color': pointColor,
    'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 4, 18, 8],
    'circle-stroke-width': 1,
    'circle-stroke-color': '#0b1a2c',
  },
};

export const alertClusterLayer: CircleLayerSpecification = {
  id: ALERT_CLUSTER_LAYER,
  type: 'circle',
  source: ALERT_SOURCE,
  filter: ['has', 'point_count'],
  paint: {
    'circle-color': alertClusterColor,
    'circle-radius': ['step', ['get', 'point_count'], 9, 20, 11, 100, 14, 500, 17],
    'circle-stroke-width': 2,
    'circle-stroke-color': '#ffffff',
  },
};

/** Single cameras with a problem, over their camera point (the same colour, drawn last so none hides them). */
export const alertPointLayer: CircleLayerSpecification = {
  id: ALERT_POINT_LAYER,
  type: 'circle',
  source: ALERT_SOURCE,
  filter: ['!', ['has', 'point_count']],
  paint: {
    'circle-color': pointColor,
    'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 3, 12, 4, 18, 8],
    'circle-stroke-width': 1,
    'circle-stroke-color': '#ffffff',
  },
};

export function districtSource(data: DistrictCollection): GeoJSONSourceSpecification {
  return { type: 'geojson', data };
}

export const DISTRICT_FILL = '#132b46';
export const DISTRICT_BORDER = '#4f86c0';

/**
 * The districts: one fill whose 1-pixel outline draws the borders. Every layer is drawn again on every frame
 * while the map moves; a separate anti-aliased line layer doubled the cost of a frame in a software-rendered
 * browser (see web/bench/RESULTS.md), for borders that look the same at city zoom.
 */
/** The districts' fill: opaque over nothing, a tint over a base map. */
export const DISTRICT_FILL_LAYER = 'district-fill';

export function districtLayers(withBasemap: boolean): [FillLayerSpecification] {
  return [
    {
      id: DISTRICT_FILL_LAYER,
      type: 'fill',
      source: DISTRICT_SOURCE,
      paint: {
        'fill-color': DISTRICT_FILL,
        'fill-opacity': withBasemap ? 0.15 : 1,
        'fill-outline-color': DISTRICT_BORDER,
      },
    },
  ];
}
