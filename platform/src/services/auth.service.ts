import { Inject, Injectable } from '@nestjs/common';
import type { AuthContext, Jurisdiction } from '../auth/auth-context';
import { hashPassword, verifyPassword } from '../auth/password';
import { type AuthSettings, issueToken, verifyToken } from '../auth/token';
import type { LoginBody, TokenResponse, UserResponse } from '../dtos/auth.dto';
import { AuthenticationError, NotFoundError } from '../errors';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { CivilAreaRepository } from '../repositories/civil-area.repository';
import { UserRepository } from '../repositories/user.repository';
import { AUTH_SETTINGS } from '../tokens';
import { toUserResponse } from './mappers';

@Injectable()
export class AuthService {
  /** Verified against when the username is unknown, so both failures cost one scrypt. */
  #dummyHash: Promise<string> | null = null;
  #roots: Promise<string[]> | null = null;

  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(CivilAreaRepository) private readonly civilAreas: CivilAreaRepository,
    @Inject(PlatformMetrics) private readonly metrics: PlatformMetrics,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
  ) {}

  async login(body: LoginBody): Promise<TokenResponse> {
    const user = await this.users.getByUsername(body.username);
    if (!user) {
      this.#dummyHash ??= hashPassword('not-a-password');
      await verifyPassword(body.password, await this.#dummyHash);
      this.metrics.loginFailures.inc({ reason: 'unknown-user' });
      throw new AuthenticationError('invalid username or password');
    }
    if (!(await verifyPassword(body.password, user.password_hash))) {
      this.metrics.loginFailures.inc({ reason: 'bad-password' });
      throw new AuthenticationError('invalid username or password');
    }
    const { token, exp } = issueToken(this.settings, user.id, Date.now());
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The caller behind a bearer token, with the user's current role and jurisdiction. */
  async authenticate(token: string): Promise<AuthContext> {
    const payload = verifyToken(this.settings, token, Date.now());
    if (!payload) throw new AuthenticationError('invalid or expired token');
    const user = await this.users.getById(payload.sub);
    if (!user) throw new AuthenticationError('the token’s user no longer exists');
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      civilCode: user.civil_code,
      jurisdiction: await this.jurisdictionOf(user.civil_code),
    };
  }

  async me(auth: AuthContext): Promise<UserResponse> {
    const user = await this.users.getById(auth.userId);
    if (!user) throw new NotFoundError('user', auth.username);
    return toUserResponse(user);
  }

  private async jurisdictionOf(civilCode: string): Promise<Jurisdiction> {
    // The seeded tree changes only with a migration; its roots are read once.
    this.#roots ??= this.civilAreas.roots().catch((err: unknown) => {
      this.#roots = null;
      throw err;
    });
    const roots = await this.#roots;
    return roots.includes(civilCode) ? { kind: 'all' } : { kind: 'subtree', civilCode };
  }
}
