import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Auth } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth, ApiErrors, ApiJsonBody, ApiOk, ApiPathParam } from '../common/openapi';
import { ZodPipe } from '../common/zod';
import {
  CatalogRefreshResponse,
  CreateDeviceBody,
  DeviceDetail,
  DeviceIdParam,
  DeviceSummary,
  UpdateDeviceBody,
} from '@tessera/contracts/api';
import { DeviceService } from '../services/device.service';

const deviceIdPipe = new ZodPipe(DeviceIdParam, 'deviceId');

@ApiTags('devices')
@Controller('api/v1/devices')
export class DeviceController {
  constructor(@Inject(DeviceService) private readonly service: DeviceService) {}

  @Get()
  @ApiOperation({ summary: 'Devices in the caller’s jurisdiction' })
  @ApiAuth()
  @ApiOk(z.array(DeviceSummary))
  list(@Auth() auth: AuthContext): Promise<DeviceSummary[]> {
    return this.service.list(auth);
  }

  @Get(':deviceId')
  @ApiOperation({ summary: 'One device' })
  @ApiAuth()
  @ApiPathParam('deviceId', DeviceIdParam)
  @ApiOk(DeviceDetail)
  @ApiErrors(400, 403, 404)
  get(@Auth() auth: AuthContext, @Param('deviceId', deviceIdPipe) deviceId: string): Promise<DeviceDetail> {
    return this.service.get(auth, deviceId);
  }

  @Post()
  @ApiOperation({ summary: 'Pre-provision a device: whitelist entry, per-device password (city-wide admin)' })
  @ApiAuth()
  @ApiJsonBody(CreateDeviceBody)
  @ApiOk(DeviceDetail, 201, 'Created')
  @ApiErrors(400, 403, 409)
  create(
    @Auth() auth: AuthContext,
    @Body(new ZodPipe(CreateDeviceBody, 'device')) body: CreateDeviceBody,
  ): Promise<DeviceDetail> {
    return this.service.create(auth, body);
  }

  @Patch(':deviceId')
  @ApiOperation({ summary: 'Change a device’s settings (admin)' })
  @ApiAuth()
  @ApiPathParam('deviceId', DeviceIdParam)
  @ApiJsonBody(UpdateDeviceBody)
  @ApiOk(DeviceDetail)
  @ApiErrors(400, 403, 404)
  update(
    @Auth() auth: AuthContext,
    @Param('deviceId', deviceIdPipe) deviceId: string,
    @Body(new ZodPipe(UpdateDeviceBody, 'device update')) body: UpdateDeviceBody,
  ): Promise<DeviceDetail> {
    return this.service.update(auth, deviceId, body);
  }

  @Post(':deviceId/catalog/refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ask the gateway to query the device’s catalog now (admin, operator)' })
  @ApiAuth()
  @ApiPathParam('deviceId', DeviceIdParam)
  @ApiOk(CatalogRefreshResponse)
  @ApiErrors(400, 403, 404, 409, 502, 504)
  refreshCatalog(
    @Auth() auth: AuthContext,
    @Param('deviceId', deviceIdPipe) deviceId: string,
  ): Promise<CatalogRefreshResponse> {
    return this.service.refreshCatalog(auth, deviceId);
  }
}
