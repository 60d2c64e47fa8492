import { Body, Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod/v4';
import { Auth } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth, ApiErrors, ApiJsonBody, ApiOk } from '../common/openapi';
import { ZodPipe } from '../common/zod';
import { UserResponse } from '../dtos/auth.dto';
import { CreateUserBody } from '../dtos/user.dto';
import { UserService } from '../services/user.service';

@ApiTags('users')
@Controller('api/v1/users')
export class UserController {
  constructor(@Inject(UserService) private readonly service: UserService) {}

  @Post()
  @ApiOperation({ summary: 'Create a user in the caller’s jurisdiction (admin)' })
  @ApiAuth()
  @ApiJsonBody(CreateUserBody)
  @ApiOk(UserResponse, 201, 'Created')
  @ApiErrors(400, 403, 409)
  create(
    @Auth() auth: AuthContext,
    @Body(new ZodPipe(CreateUserBody, 'user')) body: CreateUserBody,
  ): Promise<UserResponse> {
    return this.service.create(auth, body);
  }

  @Get()
  @ApiOperation({ summary: 'Users in the caller’s jurisdiction (admin)' })
  @ApiAuth()
  @ApiOk(z.array(UserResponse))
  @ApiErrors(403)
  list(@Auth() auth: AuthContext): Promise<UserResponse[]> {
    return this.service.list(auth);
  }
}
