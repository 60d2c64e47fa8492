import { z } from 'zod';

/** Zoom levels a tile request may name at all (a web map never goes past 24). */
export const MAX_TILE_ZOOM = 24;

/**
 * Where the console's street-level base map comes from (`TESSERA_BASEMAP`). The platform serves its tiles at
 * `/api/v1/basemap/{z}/{x}/{y}`, so browsers reach no other host — the command center has no internet.
 * - `none`: the map draws districts and cameras only, and says so.
 * - `xyz`: an XYZ tile URL template of the police GIS (PGIS). Only z/x/y, integers the platform checked, are
 *   ever substituted into it: the proxy fetches from that host and path and nowhere else.
 * - `pmtiles`: a local PMTiles v3 archive (raster or vector), read by range.
 */
export type BasemapSetting =
  | { kind: 'none' }
  | {
      kind: 'xyz';
      template: string;
      format: 'raster' | 'vector';
      minZoom: number;
      maxZoom: number;
      tileSize: 256 | 512;
      /** Vector tiles: the source layers to draw (a vector tile URL carries no metadata that names them). */
      layers: string[];
      attribution: string;
    }
  | { kind: 'pmtiles'; path: string };

const VECTOR_EXTENSIONS = /\.(pbf|mvt)$/i;

const zoom = (value: string | null, fallback: number, name: string, ctx: z.RefinementCtx): number => {
  if (value === null) return fallback;
  if (!/^\d{1,2}$/.test(value) || Number(value) > MAX_TILE_ZOOM) {
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: `#${name} must be a zoom level 0–${MAX_TILE_ZOOM}`,
    });
    return fallback;
  }
  return Number(value);
};

/**
 * An XYZ template: `http(s)://host/path/{z}/{x}/{y}.png`, options after `#` (never sent upstream):
 * `minzoom`, `maxzoom` (default 0 and 18), `tilesize` (256 or 512), `format` (raster or vector; default from
 * the extension, else raster), `layers` (vector: comma-separated source layers), `attribution`.
 */
function parseXyz(value: string, ctx: z.RefinementCtx): BasemapSetting {
  const hashAt = value.indexOf('#');
  const template = hashAt < 0 ? value : value.slice(0, hashAt);
  const options = new URLSearchParams(hashAt < 0 ? '' : value.slice(hashAt + 1));
  for (const token of ['{z}', '{x}', '{y}']) {
    if (template.split(token).length !== 2) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `the tile URL must contain ${token} exactly once`,
      });
      return { kind: 'none' };
    }
  }
  if (/[{}]/.test(template.replace(/\{[zxy]\}/g, ''))) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'the tile URL may hold only {z}, {x} and {y}' });
    return { kind: 'none' };
  }
  try {
    new URL(template.replace(/\{[zxy]\}/g, '0'));
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'the tile URL is not a valid URL' });
    return { kind: 'none' };
  }
  const known = new Set(['minzoom', 'maxzoom', 'tilesize', 'format', 'layers', 'attribution']);
  for (const key of options.keys()) {
    if (!known.has(key))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `unknown option #${key} (${[...known].join(', ')})`,
      });
  }
  const path = new URL(template.replace(/\{[zxy]\}/g, '0')).pathname;
  const formatOption = options.get('format');
  if (formatOption !== null && formatOption !== 'raster' && formatOption !== 'vector')
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: '#format must be raster or vector' });
  const format: 'raster' | 'vector' =
    formatOption === 'vector' || formatOption === 'raster'
      ? formatOption
      : VECTOR_EXTENSIONS.test(path)
        ? 'vector'
        : 'raster';
  const minZoom = zoom(options.get('minzoom'), 0, 'minzoom', ctx);
  const maxZoom = zoom(options.get('maxzoom'), 18, 'maxzoom', ctx);
  if (minZoom > maxZoom)
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: '#minzoom must not exceed #maxzoom' });
  const tileSizeOption = options.get('tilesize');
  if (tileSizeOption !== null && tileSizeOption !== '256' && tileSizeOption !== '512')
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: '#tilesize must be 256 or 512' });
  const layers = (options.get('layers') ?? '')
    .split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  if (format === 'vector' && layers.length === 0)
    ctx.addIssue({
      code: z.ZodIssueCode.custom,
      message: 'vector tiles need #layers=<source layers to draw>, e.g. …/{z}/{x}/{y}.pbf#layers=road,water',
    });
  return {
    kind: 'xyz',
    template,
    format,
    minZoom,
    maxZoom,
    tileSize: tileSizeOption === '512' ? 512 : 256,
    layers,
    attribution: options.get('attribution') ?? '',
  };
}

/** `TESSERA_BASEMAP` as zod (v3, like the rest of the config): a string in, a `BasemapSetting` out. */
export const basemapSetting = z.string().transform((raw, ctx): BasemapSetting => {
  const value = raw.trim();
  if (/^https?:\/\//i.test(value)) return parseXyz(value, ctx);
  if (/\.pmtiles$/i.test(value) && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value))
    return { kind: 'pmtiles', path: value };
  ctx.addIssue({
    code: z.ZodIssueCode.custom,
    message:
      'expected a local .pmtiles file or an http(s) tile URL with {z}, {x} and {y}, e.g. http://gis.police.local/tiles/{z}/{x}/{y}.png',
  });
  return { kind: 'none' };
});
