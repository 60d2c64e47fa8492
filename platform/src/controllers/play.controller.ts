import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Auth } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth, ApiErrors, ApiJsonBody, ApiOk, ApiPathParam } from '../common/openapi';
import { ZodPipe } from '../common/zod';
import { ChannelIdParam, LiveSessionView, PlayResponse, PtzBody, PtzResponse } from '@tessera/contracts/api';
import { PlayService } from '../services/play.service';
import { PtzService } from '../services/ptz.service';

const channelIdPipe = new ZodPipe(ChannelIdParam, 'channelId');
const SessionIdParam = z.string().uuid();

@ApiTags('play')
@Controller('api/v1')
export class PlayController {
  constructor(
    @Inject(PlayService) private readonly service: PlayService,
    @Inject(PtzService) private readonly ptz: PtzService,
  ) {}

  @Post('channels/:channelId/ptz')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Pan/tilt/zoom, focus, iris, presets (admin, operator); sent to the camera as PTZCmd',
  })
  @ApiAuth()
  @ApiPathParam('channelId', ChannelIdParam)
  @ApiJsonBody(PtzBody)
  @ApiOk(PtzResponse)
  @ApiErrors(400, 403, 404, 409, 502, 504)
  control(
    @Auth() auth: AuthContext,
    @Param('channelId', channelIdPipe) channelId: string,
    @Body(new ZodPipe(PtzBody, 'PTZ command')) body: PtzBody,
  ): Promise<PtzResponse> {
    return this.ptz.control(auth, channelId, body);
  }

  @Post('channels/:channelId/play')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Watch a camera live: returns a WHEP URL once the first keyframe arrived (one upstream per channel)',
  })
  @ApiAuth()
  @ApiPathParam('channelId', ChannelIdParam)
  @ApiOk(PlayResponse)
  @ApiErrors(400, 403, 404, 409, 502, 503, 504)
  play(
    @Auth() auth: AuthContext,
    @Param('channelId', channelIdPipe) channelId: string,
  ): Promise<PlayResponse> {
    return this.service.play(auth, channelId);
  }

  @Get('play-sessions')
  @ApiOperation({ summary: 'Live upstream sessions (admin, operator)' })
  @ApiAuth()
  @ApiOk(z.array(LiveSessionView))
  @ApiErrors(403)
  list(@Auth() auth: AuthContext): Promise<LiveSessionView[]> {
    return this.service.list(auth);
  }

  @Delete('play-sessions/:sessionId')
  @HttpCode(204)
  @ApiOperation({ summary: 'End a live session for every viewer (admin, operator)' })
  @ApiAuth()
  @ApiErrors(403, 404)
  stop(
    @Auth() auth: AuthContext,
    @Param('sessionId', new ZodPipe(SessionIdParam, 'sessionId')) sessionId: string,
  ): Promise<void> {
    return this.service.stop(auth, sessionId);
  }
}
