import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  Inject,
  Injectable,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthenticationError } from '../errors';
import { AuthService } from '../services/auth.service';
import type { AuthContext } from './auth-context';

const PUBLIC_ROUTE = 'tessera:public-route';
const QUERY_TOKEN = 'tessera:query-token';

/** No token needed (login, health, metrics). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

/** Also accept `?token=` (EventSource cannot send headers); only where needed, as URLs end up in logs. */
export const AllowQueryToken = () => SetMetadata(QUERY_TOKEN, true);

export type AuthedRequest = Request & { auth?: AuthContext };

/** The authenticated caller of the current request. */
export const Auth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthContext => {
  const auth = ctx.switchToHttp().getRequest<AuthedRequest>().auth;
  if (!auth) throw new AuthenticationError();
  return auth;
});

function bearerToken(request: Request, allowQuery: boolean): string | null {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match?.[1] ?? null;
  }
  const query = request.query.token;
  return allowQuery && typeof query === 'string' && query.length > 0 ? query : null;
}

/** Global guard: every route needs a valid bearer token unless marked `@Public()`. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(AuthService) private readonly authService: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<AuthedRequest>();
    const token = bearerToken(
      request,
      this.reflector.getAllAndOverride<boolean>(QUERY_TOKEN, targets) ?? false,
    );
    if (!token) throw new AuthenticationError('authentication required: send Authorization: Bearer <token>');
    request.auth = await this.authService.authenticate(token);
    return true;
  }
}
