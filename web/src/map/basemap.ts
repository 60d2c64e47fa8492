import type { LayerSpecification, SourceSpecification } from 'maplibre-gl';
import type { BasemapInfo } from '../api/types';

/** The street-level base map the platform serves (`GET /api/v1/basemap`, `TESSERA_BASEMAP` on the platform). */
export const BASEMAP_SOURCE = 'basemap';

/** What the map says about its base map; `data-basemap` on the map's container for tests. */
export type BasemapState =
  | { kind: 'loading' }
  /** None configured on the platform: the map says so. */
  | { kind: 'none' }
  /** A base map built into the console (`VITE_TESSERA_MAP_*`): the platform's is not asked for. */
  | { kind: 'built-in' }
  | { kind: 'shown'; info: BasemapInfo }
  /** The platform could not say (its answer failed), or its tiles fail: the map says so. */
  | { kind: 'unavailable' };

/** Plain text for maplibre's attribution control, which renders HTML. */
export function escapeAttribution(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The source of the platform's tiles; `tilesUrl` is the absolute template (`ApiClient.authorized`). */
export function basemapSource(info: BasemapInfo, tilesUrl: string): SourceSpecification {
  const common = {
    tiles: [tilesUrl],
    minzoom: info.minZoom,
    maxzoom: info.maxZoom,
    ...(info.attribution ? { attribution: escapeAttribution(info.attribution) } : {}),
  };
  return info.kind === 'vector'
    ? { type: 'vector', ...common }
    : { type: 'raster', tileSize: info.tileSize, ...common };
}

/** Muted greys on the console's dark blue: streets read as lines, blocks barely lift off the ground. */
const VECTOR_AREA = '#1a3550';
const VECTOR_LINE = '#5d7f9f';

/**
 * The layers that draw it, to go under the districts and cameras. Vector tiles bring no style: each named
 * source layer is drawn generically, its areas as a faint fill and its lines as thin strokes (no text: the
 * console's style has no glyphs).
 */
export function basemapLayers(info: BasemapInfo): LayerSpecification[] {
  if (info.kind === 'raster') return [{ id: 'basemap-raster', type: 'raster', source: BASEMAP_SOURCE }];
  if (info.kind !== 'vector') return [];
  return info.layers.flatMap((layer): LayerSpecification[] => [
    {
      id: `basemap-${layer}-area`,
      type: 'fill',
      source: BASEMAP_SOURCE,
      'source-layer': layer,
      filter: ['in', ['geometry-type'], ['literal', ['Polygon', 'MultiPolygon']]],
      paint: { 'fill-color': VECTOR_AREA, 'fill-opacity': 0.8 },
    },
    {
      id: `basemap-${layer}-line`,
      type: 'line',
      source: BASEMAP_SOURCE,
      'source-layer': layer,
      filter: ['in', ['geometry-type'], ['literal', ['LineString', 'MultiLineString']]],
      paint: {
        'line-color': VECTOR_LINE,
        'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.5, 16, 2.5],
      },
    },
  ]);
}

/**
 * maplibre fetches tiles itself: this adds the console's bearer token to requests for the platform's tiles
 * (`transformRequest`), and to nothing else.
 */
export function authorizeTileRequest(
  url: string,
  tilesPrefix: string,
  authorization: string | null,
): { url: string; headers?: Record<string, string> } {
  if (!authorization || !url.startsWith(tilesPrefix)) return { url };
  return { url, headers: { Authorization: authorization } };
}
