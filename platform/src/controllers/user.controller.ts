import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Auth } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth, ApiErrors, ApiJsonBody, ApiOk, ApiPathParam } from '../common/openapi';
import { ZodPipe } from '../common/zod';
import {
  CreateUserBody,
  ResetPasswordBody,
  UpdateUserBody,
  UserId,
  UserResponse,
} from '@tessera/contracts/api';
import { UserService } from '../services/user.service';

const idPipe = new ZodPipe(UserId, 'user id');

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

  @Patch(':id')
  @ApiOperation({
    summary:
      'Change another user’s role, area or disabled flag (admin, within the jurisdiction); disabling revokes their tokens',
  })
  @ApiAuth()
  @ApiPathParam('id', UserId)
  @ApiJsonBody(UpdateUserBody)
  @ApiOk(UserResponse)
  @ApiErrors(400, 403, 404, 409)
  update(
    @Auth() auth: AuthContext,
    @Param('id', idPipe) id: string,
    @Body(new ZodPipe(UpdateUserBody, 'user change')) body: UpdateUserBody,
  ): Promise<UserResponse> {
    return this.service.update(auth, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete another user (admin, within the jurisdiction; not the last city-wide admin)',
  })
  @ApiAuth()
  @ApiPathParam('id', UserId)
  @ApiErrors(400, 403, 404, 409)
  remove(@Auth() auth: AuthContext, @Param('id', idPipe) id: string): Promise<void> {
    return this.service.remove(auth, id);
  }

  @Post(':id/password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Set another user’s password (admin reset); revokes all their tokens' })
  @ApiAuth()
  @ApiPathParam('id', UserId)
  @ApiJsonBody(ResetPasswordBody)
  @ApiErrors(400, 403, 404)
  resetPassword(
    @Auth() auth: AuthContext,
    @Param('id', idPipe) id: string,
    @Body(new ZodPipe(ResetPasswordBody, 'password reset')) body: ResetPasswordBody,
  ): Promise<void> {
    return this.service.resetPassword(auth, id, body.password);
  }

  @Post(':id/unlock')
  @HttpCode(204)
  @ApiOperation({ summary: 'Lift the login lockouts on a user, from every address (admin)' })
  @ApiAuth()
  @ApiPathParam('id', UserId)
  @ApiErrors(400, 403, 404)
  unlock(@Auth() auth: AuthContext, @Param('id', idPipe) id: string): Promise<void> {
    return this.service.unlock(auth, id);
  }
}
