import { z } from 'zod';

/** `GET /api/v1/basemap`: whether the console has a street-level base map, and how to draw it. */
export const BasemapInfo = z.object({
  kind: z.enum(['none', 'raster', 'vector']).describe('none: no base map configured (TESSERA_BASEMAP unset)'),
  tiles: z
    .string()
    .nullable()
    .describe('the tile URL template on this platform, /api/v1/basemap/{z}/{x}/{y} (same token as the API)'),
  minZoom: z.number().int(),
  maxZoom: z.number().int(),
  tileSize: z.union([z.literal(256), z.literal(512)]),
  layers: z.array(z.string()).describe('vector tiles: the source layers to draw'),
  attribution: z.string().describe('plain text'),
});
export type BasemapInfo = z.infer<typeof BasemapInfo>;

/** A tile coordinate as it arrives in the path; range checks need the zoom level, so the service does those. */
export const TileCoordinate = z.string().regex(/^\d{1,10}$/, { message: 'must be a non-negative integer' });
