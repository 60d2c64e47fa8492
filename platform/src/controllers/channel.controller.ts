import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Auth } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth, ApiErrors, ApiOk, ApiQueryFrom } from '../common/openapi';
import { ZodPipe } from '../common/zod';
import { ChannelQuery, ChannelSummary } from '@tessera/contracts/api';
import { ChannelService } from '../services/channel.service';

@ApiTags('channels')
@Controller('api/v1/channels')
export class ChannelController {
  constructor(@Inject(ChannelService) private readonly service: ChannelService) {}

  @Get()
  @ApiOperation({ summary: 'Cameras in the caller’s jurisdiction' })
  @ApiAuth()
  @ApiQueryFrom(ChannelQuery)
  @ApiOk(z.array(ChannelSummary))
  @ApiErrors(400)
  list(
    @Auth() auth: AuthContext,
    @Query(new ZodPipe(ChannelQuery, 'query')) query: ChannelQuery,
  ): Promise<ChannelSummary[]> {
    return this.service.list(auth, query);
  }
}
