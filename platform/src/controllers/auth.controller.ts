import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Auth, Public } from '../auth/auth.guard';
import type { AuthContext } from '../auth/auth-context';
import { ApiAuth, ApiErrors, ApiJsonBody, ApiOk } from '../common/openapi';
import { ZodPipe } from '../common/zod';
import { LoginBody, TokenResponse, UserResponse } from '../dtos/auth.dto';
import { AuthService } from '../services/auth.service';

@ApiTags('auth')
@Controller('api/v1')
export class AuthController {
  constructor(@Inject(AuthService) private readonly service: AuthService) {}

  @Post('auth/login')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange username and password for a bearer token' })
  @ApiJsonBody(LoginBody)
  @ApiOk(TokenResponse)
  @ApiErrors(400, 401)
  login(@Body(new ZodPipe(LoginBody, 'login')) body: LoginBody): Promise<TokenResponse> {
    return this.service.login(body);
  }

  @Get('me')
  @ApiOperation({ summary: 'The caller' })
  @ApiAuth()
  @ApiOk(UserResponse)
  me(@Auth() auth: AuthContext): Promise<UserResponse> {
    return this.service.me(auth);
  }
}
