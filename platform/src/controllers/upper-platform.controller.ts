import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Auth } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth, ApiErrors, ApiJsonBody, ApiOk } from '../common/openapi';
import { ZodPipe } from '../common/zod';
import { UpperPlatformBody, UpperPlatformView } from '@tessera/contracts/api';
import { UpperPlatformService } from '../services/upper-platform.service';

const bodyPipe = new ZodPipe(UpperPlatformBody, 'upper platform');

@ApiTags('cascade')
@Controller('api/v1/upper-platforms')
export class UpperPlatformController {
  constructor(@Inject(UpperPlatformService) private readonly service: UpperPlatformService) {}

  @Get()
  @ApiOperation({ summary: 'Upper platforms this instance registers to, with their link state (city admin)' })
  @ApiAuth()
  @ApiOk(z.array(UpperPlatformView))
  @ApiErrors(403)
  list(@Auth() auth: AuthContext): Promise<UpperPlatformView[]> {
    return this.service.list(auth);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One upper platform' })
  @ApiAuth()
  @ApiOk(UpperPlatformView)
  @ApiErrors(403, 404)
  get(@Auth() auth: AuthContext, @Param('id', ParseUUIDPipe) id: string): Promise<UpperPlatformView> {
    return this.service.get(auth, id);
  }

  @Post()
  @ApiOperation({
    summary: 'Add an upper platform: the gateway registers to it and shares what the rules select',
  })
  @ApiAuth()
  @ApiJsonBody(UpperPlatformBody)
  @ApiOk(UpperPlatformView, 201, 'Created')
  @ApiErrors(400, 403, 409)
  create(@Auth() auth: AuthContext, @Body(bodyPipe) body: UpperPlatformBody): Promise<UpperPlatformView> {
    return this.service.create(auth, body);
  }

  @Put(':id')
  @ApiOperation({ summary: 'Replace an upper platform’s configuration (the link restarts)' })
  @ApiAuth()
  @ApiJsonBody(UpperPlatformBody)
  @ApiOk(UpperPlatformView)
  @ApiErrors(400, 403, 404, 409)
  update(
    @Auth() auth: AuthContext,
    @Param('id', ParseUUIDPipe) id: string,
    @Body(bodyPipe) body: UpperPlatformBody,
  ): Promise<UpperPlatformView> {
    return this.service.update(auth, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an upper platform (the gateway unregisters)' })
  @ApiAuth()
  @ApiErrors(403, 404)
  delete(@Auth() auth: AuthContext, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    return this.service.delete(auth, id);
  }
}
