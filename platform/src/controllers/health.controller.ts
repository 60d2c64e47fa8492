import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/auth.guard';
import { ApiOk } from '../common/openapi';
import { HealthResponse, LivenessResponse } from '@tessera/contracts/api';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { HealthService } from '../services/health.service';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @Inject(HealthService) private readonly health: HealthService,
    @Inject(PlatformMetrics) private readonly metrics: PlatformMetrics,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({
    summary: 'Readiness: PostgreSQL and Redis each up or down (503 when either is down)',
  })
  @ApiOk(HealthResponse)
  @ApiOk(HealthResponse, 503, 'PostgreSQL or Redis unreachable')
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    const result = await this.health.check();
    res.status(result.status === 'ok' ? 200 : 503);
    return result;
  }

  @Get('health/live')
  @Public()
  @ApiOperation({ summary: 'Liveness: 200 while the process serves HTTP, whatever its dependencies' })
  @ApiOk(LivenessResponse)
  live(): LivenessResponse {
    return { status: 'ok' };
  }

  @Get('metrics')
  @Public()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({ summary: 'Prometheus metrics (platform and, in one process, gateway)' })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'Prometheus text exposition format' })
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
