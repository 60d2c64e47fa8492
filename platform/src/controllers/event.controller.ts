import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AllowQueryToken, Auth } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth } from '../common/openapi';
import { sseSink } from '../common/sse';
import { LiveEventService } from '../services/live-event.service';

@ApiTags('events')
@Controller('api/v1/events')
export class EventController {
  constructor(@Inject(LiveEventService) private readonly service: LiveEventService) {}

  @Get()
  @AllowQueryToken()
  @ApiOperation({
    summary: 'Live status changes as Server-Sent Events',
    description:
      'Events `device.status`, `channel.status`, `catalog.updated` (data: JSON), filtered by the caller’s ' +
      'jurisdiction; a `: heartbeat` comment every 15 s. EventSource cannot set headers: pass `?token=`. ' +
      'When the token is revoked (logout, user disabled or deleted, password changed or reset) or expires, a ' +
      'last `session.ended` event (data: `{"reason":"revoked"|"expired","at":…}`) is sent and the stream ends: ' +
      'log in again rather than reconnect.',
  })
  @ApiAuth()
  @ApiQuery({ name: 'token', required: false, schema: { type: 'string' } })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'an endless text/event-stream' })
  stream(@Auth() auth: AuthContext, @Res() res: Response): void {
    this.service.open(auth, sseSink(res));
  }
}
