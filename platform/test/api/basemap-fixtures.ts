import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32, deflateSync } from 'node:zlib';
import { zxyToTileId } from 'pmtiles';

/**
 * Test fixtures of the base map, built at test time (no binary files to trust): PNG tiles, a PMTiles v3 archive
 * and a tiny XYZ tile server standing in for the police GIS.
 */

export type Rgb = readonly [number, number, number];

/**
 * A 256×256 "street map" PNG: `ground` with `street`-coloured lines every 64 px (PNG: ISO/IEC 15948 — signature,
 * IHDR, one IDAT of filter-0 scanlines, IEND; each chunk with its CRC-32).
 */
export function streetTilePng(ground: Rgb, street: Rgb, size = 256): Buffer {
  const row = 1 + size * 3;
  const raw = Buffer.alloc(row * size);
  for (let y = 0; y < size; y++) {
    raw[y * row] = 0;
    for (let x = 0; x < size; x++) {
      const onStreet = x % 64 < 6 || y % 64 < 6;
      const [r, g, b] = onStreet ? street : ground;
      raw.set([r, g, b], y * row + 1 + x * 3);
    }
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit depth, colour type 2 (RGB), deflate, filter 0, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** PMTiles v3 tile types (spec §3.1 "Tile Type"). */
export const PMTILES_PNG = 2;
export const PMTILES_MVT = 1;

function varint(value: number, out: number[]): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

/**
 * A PMTiles v3 archive: the 127-byte header, an uncompressed root directory (entry count, then tile-ID deltas,
 * run lengths, lengths, offsets — each a column of varints, spec §4 "Directories"), JSON metadata, tile data.
 * Tile IDs follow the Hilbert order of `zxyToTileId`. Enough for a few tiles; no leaf directories.
 */
export function pmtilesArchive(options: {
  tiles: { z: number; x: number; y: number; data: Buffer }[];
  tileType: number;
  metadata: Record<string, unknown>;
}): Buffer {
  const entries = options.tiles
    .map((t) => ({ id: zxyToTileId(t.z, t.x, t.y), data: t.data }))
    .sort((a, b) => a.id - b.id);
  let offset = 0;
  const placed = entries.map((e) => {
    const at = offset;
    offset += e.data.length;
    return { ...e, offset: at };
  });
  const dir: number[] = [];
  varint(placed.length, dir);
  let last = 0;
  for (const e of placed) {
    varint(e.id - last, dir);
    last = e.id;
  }
  for (const _ of placed) varint(1, dir);
  for (const e of placed) varint(e.data.length, dir);
  placed.forEach((e, i) => {
    const previous = placed[i - 1];
    varint(previous && e.offset === previous.offset + previous.data.length ? 0 : e.offset + 1, dir);
  });
  const directory = Buffer.from(dir);
  const metadata = Buffer.from(JSON.stringify(options.metadata));
  const tileData = Buffer.concat(placed.map((e) => e.data));
  const header = Buffer.alloc(127);
  header.write('PMTiles', 0, 'ascii');
  header[7] = 3;
  const u64 = (at: number, value: number) => header.writeBigUInt64LE(BigInt(value), at);
  const rootAt = 127;
  const metaAt = rootAt + directory.length;
  const dataAt = metaAt + metadata.length;
  u64(8, rootAt);
  u64(16, directory.length);
  u64(24, metaAt);
  u64(32, metadata.length);
  u64(40, dataAt); // no leaf directories: offset of an empty section
  u64(48, 0);
  u64(56, dataAt);
  u64(64, tileData.length);
  u64(72, placed.length);
  u64(80, placed.length);
  u64(88, placed.length);
  const zooms = options.tiles.map((t) => t.z);
  header[96] = 1; // clustered
  header[97] = 1; // internal compression: none
  header[98] = 1; // tile compression: none
  header[99] = options.tileType;
  header[100] = Math.min(...zooms);
  header[101] = Math.max(...zooms);
  header.writeInt32LE(-180 * 1e7, 102);
  header.writeInt32LE(-85 * 1e7, 106);
  header.writeInt32LE(180 * 1e7, 110);
  header.writeInt32LE(85 * 1e7, 114);
  header[118] = Math.min(...zooms);
  return Buffer.concat([header, directory, metadata, tileData]);
}

/** One request the tile server saw. */
export interface SeenRequest {
  path: string;
  authorization: string | undefined;
}

/**
 * The police GIS, as far as the proxy can tell: `GET /tiles/{z}/{x}/{y}.png` answers `tile`, except zoom levels
 * given a special behaviour in `failures`. Records every request.
 */
export class TileServer {
  readonly seen: SeenRequest[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(options: {
    tile: Buffer;
    /** z → what happens instead of a tile. */
    failures?: Record<number, 'error-500' | 'html' | 'redirect' | 'missing' | 'huge' | 'hang'>;
  }): Promise<TileServer> {
    let self: TileServer | null = null;
    const server = createServer((req, res) => {
      self?.seen.push({ path: req.url ?? '', authorization: req.headers.authorization });
      const match = /^\/tiles\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(req.url ?? '');
      if (!match) {
        res.writeHead(404).end();
        return;
      }
      switch (options.failures?.[Number(match[1])]) {
        case 'error-500':
          res.writeHead(500, { 'content-type': 'text/plain' }).end('tile renderer crashed');
          return;
        case 'html':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login to the GIS portal</html>');
          return;
        case 'redirect':
          res
            .writeHead(302, { location: `http://127.0.0.1:${(server.address() as AddressInfo).port}/secret` })
            .end();
          return;
        case 'missing':
          res.writeHead(404).end();
          return;
        case 'huge':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.end(Buffer.alloc(5 * 1024 * 1024));
          return;
        case 'hang':
          return; // never answers: the proxy's deadline must end it
        default:
          res.writeHead(200, { 'content-type': 'image/png', etag: '"street-tile"' }).end(options.tile);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    self = new TileServer(server, `http://127.0.0.1:${port}`);
    return self;
  }

  /** The template for `TESSERA_BASEMAP`. */
  get template(): string {
    return `${this.url}/tiles/{z}/{x}/{y}.png`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A Mapbox Vector Tile (MVT 2.1, protobuf) with one layer of straight lines: a grid every `step` units of the
 * 4096 extent, both ways. Tile { layers = 3 } → Layer { name = 1, features = 2, extent = 5, version = 15 } →
 * Feature { type = 3 (2: LINESTRING), geometry = 4 (packed commands: MoveTo 1, LineTo 2; zigzag deltas) }.
 */
export function gridVectorTile(layer: string, step = 128): Buffer {
  const extent = 4096;
  const varint = (value: number, out: number[]) => {
    let v = value;
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    out.push(v);
  };
  const zigzag = (n: number) => (n << 1) ^ (n >> 31);
  const bytes = (tag: number, payload: number[]) => {
    const out: number[] = [tag];
    varint(payload.length, out);
    return out.concat(payload);
  };
  const line = (x0: number, y0: number, x1: number, y1: number): number[] => {
    const geometry: number[] = [];
    for (const v of [
      (1 & 0x7) | (1 << 3),
      zigzag(x0),
      zigzag(y0),
      (2 & 0x7) | (1 << 3),
      zigzag(x1 - x0),
      zigzag(y1 - y0),
    ])
      varint(v, geometry);
    return [0x18, 2, ...bytes(0x22, geometry)];
  };
  const features: number[] = [];
  for (let at = 0; at < extent; at += step) {
    features.push(...bytes(0x12, line(at, 0, at, extent)));
    features.push(...bytes(0x12, line(0, at, extent, at)));
  }
  const name = [...Buffer.from(layer, 'utf8')];
  const extentField: number[] = [0x28];
  varint(extent, extentField);
  const layerMessage = [0x78, 2, ...bytes(0x0a, name), ...features, ...extentField];
  return Buffer.from(bytes(0x1a, layerMessage));
}

/** The XYZ tiles of zoom `z` that cover a longitude/latitude box (Web Mercator). */
export function tilesCovering(
  z: number,
  box: { west: number; south: number; east: number; north: number },
): { x: number; y: number }[] {
  const n = 2 ** z;
  const x = (lon: number) => Math.floor(((lon + 180) / 360) * n);
  const y = (lat: number) => {
    const r = (lat * Math.PI) / 180;
    return Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
  };
  const out: { x: number; y: number }[] = [];
  for (let tx = x(box.west); tx <= x(box.east); tx++)
    for (let ty = y(box.north); ty <= y(box.south); ty++) out.push({ x: tx, y: ty });
  return out;
}
