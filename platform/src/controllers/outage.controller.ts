import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Auth } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth, ApiOk } from '../common/openapi';
import { OnlineRate, Outage } from '@tessera/contracts/api';
import { OutageService } from '../services/outage.service';

@ApiTags('health')
@Controller('api/v1')
export class OutageController {
  constructor(@Inject(OutageService) private readonly service: OutageService) {}

  @Get('outages')
  @ApiOperation({ summary: 'Cameras needing repair in the caller’s jurisdiction, longest outage first' })
  @ApiAuth()
  @ApiOk(z.array(Outage))
  list(@Auth() auth: AuthContext): Promise<Outage[]> {
    return this.service.list(auth);
  }

  @Get('stats/online-rate')
  @ApiOperation({ summary: 'Online rate (在线率) per district and for the caller’s whole jurisdiction' })
  @ApiAuth()
  @ApiOk(OnlineRate)
  onlineRate(@Auth() auth: AuthContext): Promise<OnlineRate> {
    return this.service.onlineRate(auth);
  }
}
