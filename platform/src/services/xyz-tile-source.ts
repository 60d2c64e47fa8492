import { UpstreamError } from '../errors';
import type { Tile, TileSource, TileSourceInfo } from './tile-source';

/** A tile larger than this is no map tile: the proxy stops reading and answers 502. */
export const MAX_TILE_BYTES = 4 * 1024 * 1024;
/** Deadline of one upstream tile request. */
export const UPSTREAM_TIMEOUT_MS = 10_000;

export interface XyzTileSourceOptions {
  /** `http(s)://…{z}…{x}…{y}…`, checked by `basemapSetting`. */
  template: string;
  info: TileSourceInfo;
  timeoutMs?: number;
}

/**
 * Proxies an XYZ tile server of the police GIS. The request URL is the configured template with the three
 * integers substituted, never anything from the client; redirects are refused (they could point anywhere), the
 * body is capped, and every failure becomes `UpstreamError` (502).
 */
export class XyzTileSource implements TileSource {
  readonly info: TileSourceInfo;
  readonly #template: string;
  readonly #timeoutMs: number;

  constructor(options: XyzTileSourceOptions) {
    this.#template = options.template;
    this.info = options.info;
    this.#timeoutMs = options.timeoutMs ?? UPSTREAM_TIMEOUT_MS;
  }

  /** The upstream URL of a tile; z, x and y are integers, so nothing else can enter the URL. */
  urlOf(z: number, x: number, y: number): string {
    return this.#template
      .replace('{z}', String(Math.trunc(z)))
      .replace('{x}', String(Math.trunc(x)))
      .replace('{y}', String(Math.trunc(y)));
  }

  async read(z: number, x: number, y: number, signal: AbortSignal): Promise<Tile | null> {
    const deadline = AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(this.urlOf(z, x, y), {
        signal: deadline,
        redirect: 'error',
        headers: { accept: this.info.kind === 'raster' ? 'image/*' : 'application/x-protobuf,*/*;q=0.5' },
      });
    } catch (cause) {
      throw new UpstreamError(`base map server unreachable: ${describe(cause)}`, { cause });
    }
    if (response.status === 404 || response.status === 204) {
      await response.body?.cancel();
      return null;
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new UpstreamError(`base map server answered ${response.status}`);
    }
    const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (this.info.kind === 'raster' ? !type.startsWith('image/') : type.startsWith('text/')) {
      await response.body?.cancel();
      throw new UpstreamError(
        `base map server sent ${type || 'no content type'}, not a ${this.info.kind} tile`,
      );
    }
    const data = await readCapped(response, MAX_TILE_BYTES);
    return {
      data,
      contentType: this.info.kind === 'raster' ? type : 'application/x-protobuf',
      etag: response.headers.get('etag'),
    };
  }

  async close(): Promise<void> {}
}

async function readCapped(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel();
    throw new UpstreamError(`base map tile of ${declared} bytes is over ${limit}`);
  }
  const reader = response.body?.getReader();
  if (!reader) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw new UpstreamError(`base map tile is over ${limit} bytes`);
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof UpstreamError) throw cause;
    throw new UpstreamError(`base map tile cut short: ${describe(cause)}`, { cause });
  }
  return Buffer.concat(chunks, size);
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
    return cause.name === 'TimeoutError' ? 'timed out' : `${cause.message}${inner}`;
  }
  return String(cause);
}
