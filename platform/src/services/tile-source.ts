/** One map tile as the platform serves it. */
export interface Tile {
  data: Uint8Array;
  contentType: string;
  /** The upstream's validator, passed on so browsers revalidate cheaply. */
  etag: string | null;
}

/** What a base map offers the console: the shape of `GET /api/v1/basemap` minus the URL. */
export interface TileSourceInfo {
  kind: 'raster' | 'vector';
  minZoom: number;
  maxZoom: number;
  tileSize: 256 | 512;
  /** Vector tiles: the source layers the console draws. */
  layers: string[];
  attribution: string;
}

/**
 * Where base-map tiles are read from (an upstream XYZ server, a local PMTiles archive). `read` gets z/x/y already
 * checked against the tile grid; it answers null for a tile the source does not have and throws `UpstreamError`
 * when the source fails. `close()` is idempotent.
 */
export interface TileSource {
  readonly info: TileSourceInfo;
  read(z: number, x: number, y: number, signal: AbortSignal): Promise<Tile | null>;
  close(): Promise<void>;
}
