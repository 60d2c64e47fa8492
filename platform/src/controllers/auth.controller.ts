import { Body, Controller, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Auth, Public } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { sourceAddress } from '../auth/source-address';
import { ApiAuth, ApiErrors, ApiJsonBody, ApiOk } from '../common/openapi';
import { ZodPipe } from '../common/zod';
import { ChangePasswordBody, LoginBody, TokenResponse, UserResponse } from '@tessera/contracts/api';
import { AuthService } from '../services/auth.service';

@ApiTags('auth')
@Controller('api/v1')
export class AuthController {
  constructor(@Inject(AuthService) private readonly service: AuthService) {}

  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Exchange username and password for a bearer token (rate-limited per address, locked out after repeated failures: 429)',
  })
  @ApiJsonBody(LoginBody)
  @ApiOk(TokenResponse)
  @ApiErrors(400, 401, 429, 503)
  login(
    @Req() request: Request,
    @Body(new ZodPipe(LoginBody, 'login')) body: LoginBody,
  ): Promise<TokenResponse> {
    return this.service.login(body, sourceAddress(request));
  }

  @Post('auth/logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke the token this request carries' })
  @ApiAuth()
  logout(@Auth() auth: AuthContext): Promise<void> {
    return this.service.logout(auth);
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller' })
  @ApiAuth()
  @ApiOk(UserResponse)
  me(@Auth() auth: AuthContext): Promise<UserResponse> {
    return this.service.me(auth);
  }

  @Post('me/password')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Change my password (the current one is required); my other tokens are revoked, this one stays',
  })
  @ApiAuth()
  @ApiJsonBody(ChangePasswordBody)
  @ApiErrors(400, 429, 503)
  changePassword(
    @Auth() auth: AuthContext,
    @Req() request: Request,
    @Body(new ZodPipe(ChangePasswordBody, 'password change')) body: ChangePasswordBody,
  ): Promise<void> {
    return this.service.changeOwnPassword(auth, body.current, body.new, sourceAddress(request));
  }
}
