import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Logger } from '@tessera/kit';
import { Counter } from 'prom-client';
import type { PlatformConfig } from '../config';
import type { BasemapInfo } from '@tessera/contracts/api';
import { NotFoundError, UpstreamError, ValidationError } from '../errors';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { LOGGER, PLATFORM_CONFIG } from '../tokens';
import { MAX_TILE_ZOOM } from './basemap-setting';
import { PmtilesTileSource } from './pmtiles-tile-source';
import type { Tile, TileSource } from './tile-source';
import { XyzTileSource } from './xyz-tile-source';

/** Where the console fetches tiles: this platform, with the API's bearer token (see `web/src/map/basemap.ts`). */
export const BASEMAP_TILE_PATH = '/api/v1/basemap/{z}/{x}/{y}';

/** Digits only (no sign, no exponent, no hex): at most 10, enough for x and y at zoom 24. */
const TILE_COORDINATE = /^\d{1,10}$/;

type TileResult = 'served' | 'missing' | 'rejected' | 'upstream_error' | 'cancelled';

/**
 * The console's street-level base map (`TESSERA_BASEMAP`): an upstream XYZ server of the police GIS proxied, or
 * a local PMTiles archive, served to logged-in consoles so browsers need no other host. A bad coordinate is 400,
 * a tile the source lacks 404, a failing source 502; each counted in `tessera_platform_basemap_tiles_total`.
 */
@Injectable()
export class BasemapService implements OnModuleInit, OnModuleDestroy {
  #source: TileSource | null = null;
  readonly #tiles: Counter<'result'>;

  constructor(
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Inject(PlatformMetrics) metrics: PlatformMetrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const name = 'tessera_platform_basemap_tiles_total';
    const existing = metrics.registry.getSingleMetric(name);
    this.#tiles =
      existing instanceof Counter
        ? (existing as Counter<'result'>)
        : new Counter({
            name,
            help: 'Base-map tile requests by result (served, missing, rejected, upstream_error, cancelled)',
            labelNames: ['result'],
            registers: [metrics.registry],
          });
  }

  /** Opens the configured source; a PMTiles archive that cannot be read stops the start-up (`ConfigError`). */
  async onModuleInit(): Promise<void> {
    const setting = this.config.basemap;
    if (setting.kind === 'pmtiles') this.#source = await PmtilesTileSource.open(setting.path);
    if (setting.kind === 'xyz') {
      this.#source = new XyzTileSource({
        template: setting.template,
        info: {
          kind: setting.format,
          minZoom: setting.minZoom,
          maxZoom: setting.maxZoom,
          tileSize: setting.tileSize,
          layers: setting.layers,
          attribution: setting.attribution,
        },
      });
    }
    if (this.#source) {
      const { kind, minZoom, maxZoom } = this.#source.info;
      this.logger.info({ basemap: setting.kind, kind, minZoom, maxZoom }, 'street base map configured');
    }
  }

  #counted(result: TileResult): void {
    this.#tiles.inc({ result });
  }

  async onModuleDestroy(): Promise<void> {
    await this.#source?.close();
  }

  info(): BasemapInfo {
    if (!this.#source)
      return {
        kind: 'none',
        tiles: null,
        minZoom: 0,
        maxZoom: 0,
        tileSize: 256,
        layers: [],
        attribution: '',
      };
    return { ...this.#source.info, tiles: BASEMAP_TILE_PATH };
  }

  /**
   * One tile; z/x/y arrive as the path's text and must be integers on the source's grid. Only these three
   * integers ever reach the upstream URL.
   */
  async tile(zText: string, xText: string, yText: string, signal: AbortSignal): Promise<Tile> {
    const source = this.#source;
    if (!source) {
      this.#counted('missing');
      throw new NotFoundError('base map', '(none configured: TESSERA_BASEMAP)');
    }
    if (![zText, xText, yText].every((text) => TILE_COORDINATE.test(text))) {
      this.#counted('rejected');
      throw new ValidationError(
        'tile coordinates must be non-negative integers: /api/v1/basemap/{z}/{x}/{y}',
      );
    }
    const [z, x, y] = [Number(zText), Number(xText), Number(yText)] as const;
    const { minZoom, maxZoom } = source.info;
    if (z < minZoom || z > Math.min(maxZoom, MAX_TILE_ZOOM)) {
      this.#counted('rejected');
      throw new ValidationError(`zoom ${z} is outside the base map's ${minZoom}–${maxZoom}`);
    }
    const side = 2 ** z;
    if (x >= side || y >= side) {
      this.#counted('rejected');
      throw new ValidationError(`tile ${z}/${x}/${y} is outside the ${side}×${side} grid of zoom ${z}`);
    }
    return this.#count(source.read(z, x, y, signal), `${z}/${x}/${y}`, signal);
  }

  async #count(reading: Promise<Tile | null>, where: string, signal: AbortSignal): Promise<Tile> {
    let tile: Tile | null;
    try {
      tile = await reading;
    } catch (err) {
      // The browser gave up on the tile (panned past it): not the GIS's failure. Otherwise counted here, and
      // `ErrorFilter` logs the 502 with its reason.
      this.#counted(signal.aborted ? 'cancelled' : 'upstream_error');
      throw err instanceof UpstreamError ? err : new UpstreamError('base map source failed', { cause: err });
    }
    if (!tile) {
      this.#counted('missing');
      throw new NotFoundError('base map tile', where);
    }
    this.#counted('served');
    return tile;
  }
}
