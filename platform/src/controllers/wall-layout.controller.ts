import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Auth } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth, ApiErrors, ApiJsonBody, ApiOk, ApiPathParam } from '../common/openapi';
import { ZodPipe } from '../common/zod';
import { WallLayout, WallLayoutBody, WallLayoutName } from '@tessera/contracts/api';
import { WallLayoutService } from '../services/wall-layout.service';

const namePipe = new ZodPipe(WallLayoutName, 'name');

@ApiTags('video wall')
@Controller('api/v1/wall-layouts')
export class WallLayoutController {
  constructor(@Inject(WallLayoutService) private readonly service: WallLayoutService) {}

  @Get()
  @ApiOperation({ summary: 'My saved video-wall layouts' })
  @ApiAuth()
  @ApiOk(z.array(WallLayout))
  list(@Auth() auth: AuthContext): Promise<WallLayout[]> {
    return this.service.list(auth);
  }

  @Put(':name')
  @ApiOperation({
    summary: 'Save (create or replace) one of my layouts; every camera must be within my jurisdiction (403)',
  })
  @ApiAuth()
  @ApiPathParam('name', WallLayoutName)
  @ApiJsonBody(WallLayoutBody)
  @ApiOk(WallLayout)
  @ApiErrors(400, 403)
  save(
    @Auth() auth: AuthContext,
    @Param('name', namePipe) name: string,
    @Body(new ZodPipe(WallLayoutBody, 'wall layout')) body: WallLayoutBody,
  ): Promise<WallLayout> {
    return this.service.save(auth, name, body);
  }

  @Delete(':name')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one of my layouts' })
  @ApiAuth()
  @ApiPathParam('name', WallLayoutName)
  @ApiErrors(404)
  delete(@Auth() auth: AuthContext, @Param('name', namePipe) name: string): Promise<void> {
    return this.service.delete(auth, name);
  }
}
