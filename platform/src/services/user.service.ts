import { Inject, Injectable } from '@nestjs/common';
import { requireRole } from '../access';
import { type AuthContext, coversCivilCode } from '../auth/auth-context';
import type { CreateUserBody, UpdateUserBody, UserResponse } from '@tessera/contracts/api';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { CivilAreaRepository } from '../repositories/civil-area.repository';
import { UserRepository } from '../repositories/user.repository';
import type { AppUser } from '../schema/tables';
import { AuthService } from './auth.service';
import { toUserResponse } from './mappers';

@Injectable()
export class UserService {
  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(CivilAreaRepository) private readonly civilAreas: CivilAreaRepository,
    @Inject(AuthService) private readonly auth: AuthService,
  ) {}

  /** Admins create users inside their own jurisdiction. */
  async create(auth: AuthContext, body: CreateUserBody): Promise<UserResponse> {
    requireRole(auth, 'admin');
    const area = await this.areaWithin(auth, body.civilCode);
    const user = await this.users.insert({
      username: body.username,
      password_hash: await this.auth.hashPassword(body.password),
      role: body.role,
      civil_code: area,
    });
    if (!user) throw new ConflictError(`username ${body.username} is taken`);
    return toUserResponse(user);
  }

  async list(auth: AuthContext): Promise<UserResponse[]> {
    requireRole(auth, 'admin');
    return (await this.users.list(auth.jurisdiction)).map(toUserResponse);
  }

  /**
   * Role, area or disabled; an admin changes others, not themself (no self-promotion, no locking oneself
   * out), inside their jurisdiction, and never removes the last enabled city-wide admin. Disabling revokes
   * every token of the user.
   */
  async update(auth: AuthContext, userId: string, body: UpdateUserBody): Promise<UserResponse> {
    const target = await this.requireManageable(auth, userId);
    const civilCode = body.civilCode ? await this.areaWithin(auth, body.civilCode) : target.civil_code;
    const role = body.role ?? target.role;
    const disabled = body.disabled ?? target.disabled_at !== null;
    const roots = await this.civilAreas.roots();
    const updated = await this.users.changeKeepingAnAdmin(
      userId,
      {
        update: {
          role,
          civil_code: civilCode,
          disabled_at: disabled ? (target.disabled_at ?? new Date()) : null,
        },
      },
      roots,
      role !== 'admin' || disabled || !roots.includes(civilCode),
    );
    if (updated === 'last-admin') throw this.lastAdmin(target);
    if (!updated) throw new NotFoundError('user', userId);
    if (disabled) await this.auth.revokeAllSessions(userId);
    return toUserResponse(updated);
  }

  /** Deletes a user (their sessions and wall layouts go with them, ON DELETE CASCADE). */
  async remove(auth: AuthContext, userId: string): Promise<void> {
    const target = await this.requireManageable(auth, userId);
    const removed = await this.users.changeKeepingAnAdmin(
      userId,
      { delete: true },
      await this.civilAreas.roots(),
      true,
    );
    if (removed === 'last-admin') throw this.lastAdmin(target);
    if (removed === undefined) throw new NotFoundError('user', userId);
    // The rows went with the user; this tells the open event streams at once (nothing is left to update).
    await this.auth.revokeAllSessions(userId);
    await this.auth.unlock(target.username);
  }

  /** An admin sets another user's password; every token of that user is revoked. */
  async resetPassword(auth: AuthContext, userId: string, password: string): Promise<void> {
    const target = await this.requireManageable(auth, userId);
    await this.users.setPassword(target.id, await this.auth.hashPassword(password));
    await this.auth.revokeAllSessions(target.id);
  }

  /** Lifts the login lockouts on the user (all sources). */
  async unlock(auth: AuthContext, userId: string): Promise<void> {
    const target = await this.requireManageable(auth, userId, { self: true });
    await this.auth.unlock(target.username);
  }

  /** 403 unless admin; 404 unknown; 403 outside the jurisdiction or (unless allowed) oneself. */
  private async requireManageable(
    auth: AuthContext,
    userId: string,
    allow: { self?: boolean } = {},
  ): Promise<AppUser> {
    requireRole(auth, 'admin');
    const target = await this.users.getById(userId);
    if (!target) throw new NotFoundError('user', userId);
    if (!coversCivilCode(auth.jurisdiction, target.civil_code)) {
      throw new ForbiddenError(`user ${target.username} is outside ${auth.username}'s jurisdiction`);
    }
    if (target.id === auth.userId && !allow.self) {
      throw new ForbiddenError('an admin cannot change or delete their own account here; use /api/v1/me');
    }
    return target;
  }

  /** The area's code when it exists (400) and lies within the caller's jurisdiction (403). */
  private async areaWithin(auth: AuthContext, civilCode: string): Promise<string> {
    const area = await this.civilAreas.get(civilCode);
    if (!area) throw new ValidationError(`invalid user: civilCode ${civilCode} is not a known civil area`);
    if (
      auth.jurisdiction.kind === 'subtree' &&
      !(await this.civilAreas.isWithin(area.code, auth.civilCode))
    ) {
      throw new ForbiddenError(
        `civil area ${area.code} is outside ${auth.username}'s jurisdiction ${auth.civilCode}`,
      );
    }
    return area.code;
  }

  private lastAdmin(target: AppUser): ConflictError {
    return new ConflictError(
      `${target.username} is the last enabled city-wide admin: create or enable another one first`,
    );
  }
}
