import { Inject, Injectable } from '@nestjs/common';
import type { KeyValueStore } from '@tessera/contracts';
import { systemClock } from '@tessera/kit';
import type { AuthContext, Jurisdiction, SessionCheck } from '../auth/auth-context';
import { type LoginLimits, LoginThrottle, type ThrottleReason } from '../auth/login-throttle';
import { SharedLoginThrottle } from '../auth/shared-login-throttle';
import { PasswordHasher } from '../auth/password-hasher';
import { type AuthSettings, issueToken, tokenExpiry, verifyToken } from '../auth/token';
import type { PlatformConfig } from '../config';
import type { AppUser } from '../schema/tables';
import type { LoginBody, TokenResponse, UserResponse } from '@tessera/contracts/api';
import {
  AuthenticationError,
  NotFoundError,
  ServiceBusyError,
  TooManyRequestsError,
  ValidationError,
} from '../errors';
import { PlatformMetrics } from '../metrics/platform-metrics';
import { CivilAreaRepository } from '../repositories/civil-area.repository';
import { UserRepository } from '../repositories/user.repository';
import { AUTH_SETTINGS, LOGIN_LIMITS_STORE, PLATFORM_CONFIG } from '../tokens';
import { toUserResponse } from './mappers';

/** Which sessions a revocation ended: one token, or every token of a user. */
export type SessionRevocation = { sessionId: string } | { userId: string };

const refusal: Record<ThrottleReason, string> = {
  'source-rate': 'too many login attempts from this address; try again later',
  'source-locked': 'too many failed logins for this user from this address; try again later',
  'user-locked': 'too many failed logins for this user; try again later or ask an admin to unlock it',
};

@Injectable()
export class AuthService {
  /** Verified against when the username is unknown, so both failures cost one scrypt. */
  #dummyHash: Promise<string> | null = null;
  #roots: Promise<string[]> | null = null;
  readonly #throttle: LoginLimits;
  readonly #hasher: PasswordHasher;
  readonly #revocationListeners = new Set<(revocation: SessionRevocation) => void>();

  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(CivilAreaRepository) private readonly civilAreas: CivilAreaRepository,
    @Inject(PlatformMetrics) private readonly metrics: PlatformMetrics,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(PLATFORM_CONFIG) config: PlatformConfig,
    @Inject(LOGIN_LIMITS_STORE) loginLimitsStore: KeyValueStore | null,
  ) {
    this.#throttle = loginLimitsStore
      ? new SharedLoginThrottle(loginLimitsStore, config.login, systemClock)
      : new LoginThrottle({ ...config.login, maxEntries: 100_000 }, systemClock);
    this.#hasher = new PasswordHasher({
      concurrency: config.passwordHashConcurrency,
      queueLimit: config.passwordHashQueue,
    });
  }

  /**
   * Throttled (login-throttle.ts) before any scrypt is spent, then the password is checked through the
   * bounded hasher; a token is one new `user_session` row.
   */
  async login(body: LoginBody, source: string): Promise<TokenResponse> {
    const user = await this.#checkPassword(body.username, body.password, source);
    const now = Date.now();
    const exp = tokenExpiry(this.settings, now);
    const sessionId = await this.users.createSession(user.id, new Date(exp * 1000), new Date(now));
    const { token } = issueToken(this.settings, { userId: user.id, sessionId, exp }, now);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Revokes the caller's token (its session). */
  async logout(auth: AuthContext): Promise<void> {
    await this.users.revokeSession(auth.sessionId, new Date());
    this.#revoked({ sessionId: auth.sessionId });
  }

  /** The caller's own password change: the current password is checked (and throttled) like a login. */
  async changeOwnPassword(auth: AuthContext, current: string, next: string, source: string): Promise<void> {
    try {
      await this.#checkPassword(auth.username, current, source);
    } catch (err) {
      // 401 would read as "your token is bad" to the console; it is the current password that is wrong.
      if (err instanceof AuthenticationError) throw new ValidationError('current: the password is wrong');
      throw err;
    }
    await this.users.setPassword(auth.userId, await this.#hasher.hash(next));
    await this.users.revokeSessionsOf(auth.userId, new Date(), auth.sessionId);
    this.#revoked({ userId: auth.userId });
  }

  /** scrypt through the bounded hasher (user creation, resets). */
  hashPassword(password: string): Promise<string> {
    return this.#hasher.hash(password);
  }

  /** Every token of the user stops working (disable, delete, password reset). */
  async revokeAllSessions(userId: string): Promise<void> {
    await this.users.revokeSessionsOf(userId, new Date());
    this.#revoked({ userId });
  }

  /**
   * Told after a revocation on this replica is stored, so this replica's open event streams re-check at
   * once; other replicas learn it from the row itself (recheck, every TESSERA_SSE_SESSION_CHECK_SEC).
   * Returns the unsubscribe.
   */
  onRevoked(listener: (revocation: SessionRevocation) => void): () => void {
    this.#revocationListeners.add(listener);
    return () => this.#revocationListeners.delete(listener);
  }

  #revoked(revocation: SessionRevocation): void {
    for (const listener of this.#revocationListeners) listener(revocation);
  }

  /**
   * Re-reads a caller's session for a long-lived request (an event stream): ended once the token's `exp`
   * has passed (no query needed) or its row no longer authenticates; otherwise the caller with the user's
   * current role and area, so a changed jurisdiction applies to the open stream too.
   */
  async recheck(auth: AuthContext): Promise<SessionCheck> {
    const now = new Date();
    if (now.getTime() >= auth.expiresAtMs) return { live: false, reason: 'expired' };
    const user = await this.users.getBySession(auth.sessionId, auth.userId, now);
    if (!user) return { live: false, reason: await this.users.endedSessionReason(auth.sessionId, now) };
    return { live: true, auth: await this.#contextOf(user, auth.sessionId, auth.expiresAtMs) };
  }

  /** Lifts the login lockouts on a username (an admin's unlock). */
  async unlock(username: string): Promise<void> {
    await this.#throttle.unlock(username);
  }

  /** The caller behind a bearer token, with the user's current role and jurisdiction. */
  async authenticate(token: string): Promise<AuthContext> {
    const payload = verifyToken(this.settings, token, Date.now());
    if (!payload) throw new AuthenticationError('invalid or expired token');
    const user = await this.users.getBySession(payload.sid, payload.sub, new Date());
    if (!user) throw new AuthenticationError('the token was revoked or its user is disabled or gone');
    return this.#contextOf(user, payload.sid, payload.exp * 1000);
  }

  async #contextOf(user: AppUser, sessionId: string, expiresAtMs: number): Promise<AuthContext> {
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      civilCode: user.civil_code,
      jurisdiction: await this.jurisdictionOf(user.civil_code),
      sessionId,
      expiresAtMs,
    };
  }

  async me(auth: AuthContext): Promise<UserResponse> {
    const user = await this.users.getById(auth.userId);
    if (!user) throw new NotFoundError('user', auth.username);
    return toUserResponse(user);
  }

  /** Throws (and counts) unless the password is the user's and the user may log in. */
  async #checkPassword(username: string, password: string, source: string): Promise<AppUser> {
    const verdict = await this.#throttle.check(username, source);
    if (!verdict.allowed) {
      this.metrics.loginRefused.inc({ reason: verdict.reason });
      throw new TooManyRequestsError(refusal[verdict.reason], verdict.retryAfterSec);
    }
    const user = await this.users.getByUsername(username);
    let ok: boolean;
    try {
      if (user) {
        ok = await this.#hasher.verify(password, user.password_hash);
      } else {
        this.#dummyHash ??= this.#hasher.hash('not-a-password').catch((err: unknown) => {
          this.#dummyHash = null;
          throw err;
        });
        await this.#hasher.verify(password, await this.#dummyHash);
        ok = false;
      }
    } catch (err) {
      if (err instanceof ServiceBusyError) this.metrics.loginRefused.inc({ reason: 'busy' });
      throw err;
    }
    // A disabled user is refused like a wrong password, after the same scrypt: nothing tells them apart.
    if (ok && user && user.disabled_at === null) {
      await this.#throttle.recordSuccess(username, source);
      return user;
    }
    this.metrics.loginFailures.inc({
      reason: !user ? 'unknown-user' : !ok ? 'bad-password' : 'disabled',
    });
    for (const scope of await this.#throttle.recordFailure(username, source)) {
      this.metrics.loginLockouts.inc({ scope });
    }
    throw new AuthenticationError('invalid username or password');
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
