import { Controller, Get, HttpException, Inject, Param, Res, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiAuth, ApiErrors, ApiOk, ApiPathParam } from '../common/openapi';
import { BasemapInfo, TileCoordinate } from '@tessera/contracts/api';
import { BasemapService } from '../services/basemap.service';

/** Tiles stay in the browser's own cache for a day; `private`: they came with a bearer token. */
const TILE_CACHE_CONTROL = 'private, max-age=86400';

@ApiTags('map')
@Controller('api/v1/basemap')
export class BasemapController {
  constructor(@Inject(BasemapService) private readonly service: BasemapService) {}

  @Get()
  @ApiOperation({
    summary: 'The street-level base map the console draws under the cameras (TESSERA_BASEMAP)',
  })
  @ApiAuth()
  @ApiOk(BasemapInfo)
  info(): BasemapInfo {
    return this.service.info();
  }

  @Get(':z/:x/:y')
  @ApiOperation({
    summary: 'One base-map tile (XYZ scheme), from the configured GIS server or PMTiles archive',
  })
  @ApiAuth()
  @ApiPathParam('z', TileCoordinate)
  @ApiPathParam('x', TileCoordinate)
  @ApiPathParam('y', TileCoordinate)
  @ApiProduces('image/png', 'image/jpeg', 'image/webp', 'application/x-protobuf')
  @ApiResponse({ status: 200, description: 'the tile' })
  @ApiErrors(400, 404, 502)
  async tile(
    // Checked (and counted when bad) by the service: a coordinate's range depends on the zoom level.
    @Param('z') z: string,
    @Param('x') x: string,
    @Param('y') y: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    // A browser that scrolled past the tile stops waiting: so does the upstream request.
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const tile = await this.service.tile(z, x, y, gone.signal).catch((err: unknown) => {
      // Nobody reads the answer: 499 (as nginx logs a client that closed the request), under 500, so not
      // logged as the platform's failure.
      throw gone.signal.aborted ? new HttpException('client closed the request', 499) : err;
    });
    res.setHeader('Cache-Control', TILE_CACHE_CONTROL);
    if (tile.etag) res.setHeader('ETag', tile.etag);
    return new StreamableFile(tile.data, { type: tile.contentType, length: tile.data.byteLength });
  }
}
