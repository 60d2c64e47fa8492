import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Auth } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth, ApiErrors, ApiOk, ApiQueryFrom } from '../common/openapi';
import { ZodPipe } from '../common/zod';
import { CivilAreaNode, CivilAreaQuery } from '@tessera/contracts/api';
import { CivilAreaService } from '../services/civil-area.service';

@ApiTags('civil-areas')
@Controller('api/v1/civil-areas')
export class CivilAreaController {
  constructor(@Inject(CivilAreaService) private readonly service: CivilAreaService) {}

  @Get()
  @ApiOperation({ summary: 'One level of the organisation tree with camera counts (lazy)' })
  @ApiAuth()
  @ApiQueryFrom(CivilAreaQuery)
  @ApiOk(z.array(CivilAreaNode))
  @ApiErrors(400, 403, 404)
  children(
    @Auth() auth: AuthContext,
    @Query(new ZodPipe(CivilAreaQuery, 'query')) query: CivilAreaQuery,
  ): Promise<CivilAreaNode[]> {
    return this.service.children(auth, query.parent);
  }
}
