import type { StyleSpecification } from 'maplibre-gl';

/**
 * What lies under the districts and cameras.
 * - `offline` (default): nothing but a background colour — the console works with no map server at all.
 * - `raster`: a tile URL template of the city's police GIS (PGIS), e.g. `https://gis.example/tiles/{z}/{x}/{y}.png`.
 * - `style`: a full MapLibre style URL (vector tiles, with its own glyphs and sprites) of that GIS.
 */
export type BaseLayerConfig =
  | { kind: 'offline' }
  | { kind: 'raster'; tiles: string[]; tileSize: number }
  | { kind: 'style'; url: string };

export interface BaseLayerEnv {
  VITE_TESSERA_MAP_TILES?: string;
  VITE_TESSERA_MAP_TILE_SIZE?: string;
  VITE_TESSERA_MAP_STYLE?: string;
}

/** Read at build time from `VITE_TESSERA_MAP_TILES` (raster, comma-separated templates) or `VITE_TESSERA_MAP_STYLE`. */
export function baseLayerFromEnv(env: BaseLayerEnv): BaseLayerConfig {
  if (env.VITE_TESSERA_MAP_STYLE) return { kind: 'style', url: env.VITE_TESSERA_MAP_STYLE };
  if (env.VITE_TESSERA_MAP_TILES) {
    const tiles = env.VITE_TESSERA_MAP_TILES.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const tileSize = Number(env.VITE_TESSERA_MAP_TILE_SIZE ?? 256);
    return { kind: 'raster', tiles, tileSize: tileSize === 512 ? 512 : 256 };
  }
  return { kind: 'offline' };
}

/**
 * The style the map starts with. Built in code: no style, tile, glyph or sprite URL unless configured, and
 * no `glyphs` at all, so no layer may draw text (labels are HTML). No background layer either: the canvas is
 * transparent over the page's background colour (`.map-canvas` in styles.css), which spares a full-screen pass
 * on every frame in a software-rendered browser.
 */
export function baseStyle(config: BaseLayerConfig): StyleSpecification | string {
  if (config.kind === 'style') return config.url;
  const style: StyleSpecification = {
    version: 8,
    name: 'tessera-offline',
    sources: {},
    layers: [],
  };
  if (config.kind === 'raster') {
    style.sources.basemap = { type: 'raster', tiles: config.tiles, tileSize: config.tileSize, maxzoom: 19 };
    style.layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  return style;
}
