import { type FileHandle, open } from 'node:fs/promises';
import { ConfigError } from '@tessera/kit';
import { PMTiles, type RangeResponse, type Source, TileType } from 'pmtiles';
import { UpstreamError } from '../errors';
import type { Tile, TileSource, TileSourceInfo } from './tile-source';

/** The `pmtiles` reader's `Source` over a local file: byte ranges read with positional reads. */
class FileRangeSource implements Source {
  constructor(
    private readonly handle: FileHandle,
    private readonly path: string,
  ) {}

  getKey(): string {
    return this.path;
  }

  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await this.handle.read(buffer, 0, length, offset);
    const data = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + bytesRead) as ArrayBuffer;
    return { data };
  }
}

const CONTENT_TYPES: Partial<Record<TileType, string>> = {
  [TileType.Png]: 'image/png',
  [TileType.Jpeg]: 'image/jpeg',
  [TileType.Webp]: 'image/webp',
  [TileType.Avif]: 'image/avif',
  [TileType.Mvt]: 'application/x-protobuf',
};

/** The TileJSON-like metadata of a PMTiles archive (spec v3 §"JSON Metadata"): what the console needs of it. */
interface ArchiveMetadata {
  attribution?: unknown;
  vector_layers?: unknown;
}

/**
 * A local PMTiles v3 archive (one file: header, directories, tiles), read through the `pmtiles` package. `open`
 * reads the header and metadata so a missing or broken file stops the start-up with a message naming
 * `TESSERA_BASEMAP`, not the first tile request.
 */
export class PmtilesTileSource implements TileSource {
  #closed = false;

  private constructor(
    readonly info: TileSourceInfo,
    private readonly archive: PMTiles,
    private readonly handle: FileHandle,
    private readonly contentType: string,
  ) {}

  static async open(path: string): Promise<PmtilesTileSource> {
    const fail = (why: string): ConfigError => new ConfigError([`TESSERA_BASEMAP: ${path}: ${why}`]);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw fail(`cannot open the PMTiles archive (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    try {
      const archive = new PMTiles(new FileRangeSource(handle, path));
      const header = await archive.getHeader().catch((err: unknown) => {
        throw fail(`not a PMTiles v3 archive (${err instanceof Error ? err.message : String(err)})`);
      });
      const contentType = CONTENT_TYPES[header.tileType];
      if (!contentType)
        throw fail(
          `tile type ${TileType[header.tileType] ?? header.tileType} cannot be drawn (PNG, JPEG, WebP, AVIF or MVT)`,
        );
      const metadata = ((await archive.getMetadata().catch(() => ({}))) ?? {}) as ArchiveMetadata;
      const layers = Array.isArray(metadata.vector_layers)
        ? metadata.vector_layers
            .map((layer: unknown) => (layer as { id?: unknown }).id)
            .filter((id): id is string => typeof id === 'string')
        : [];
      const kind = header.tileType === TileType.Mvt ? 'vector' : 'raster';
      if (kind === 'vector' && layers.length === 0)
        throw fail('a vector archive must name its layers (metadata vector_layers)');
      const info: TileSourceInfo = {
        kind,
        minZoom: header.minZoom,
        maxZoom: header.maxZoom,
        tileSize: 256,
        layers,
        attribution: typeof metadata.attribution === 'string' ? metadata.attribution : '',
      };
      return new PmtilesTileSource(info, archive, handle, contentType);
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async read(z: number, x: number, y: number, signal: AbortSignal): Promise<Tile | null> {
    let found: RangeResponse | undefined;
    try {
      found = await this.archive.getZxy(z, x, y, signal);
    } catch (cause) {
      throw new UpstreamError(
        `base map archive unreadable: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    if (!found || found.data.byteLength === 0) return null;
    return { data: new Uint8Array(found.data), contentType: this.contentType, etag: null };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.handle.close();
  }
}
