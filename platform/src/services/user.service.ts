import { Inject, Injectable } from '@nestjs/common';
import { requireRole } from '../access';
import type { AuthContext } from '../auth/auth-context';
import { hashPassword } from '../auth/password';
import type { UserResponse } from '../dtos/auth.dto';
import type { CreateUserBody } from '../dtos/user.dto';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import { CivilAreaRepository } from '../repositories/civil-area.repository';
import { UserRepository } from '../repositories/user.repository';
import { toUserResponse } from './mappers';

@Injectable()
export class UserService {
  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(CivilAreaRepository) private readonly civilAreas: CivilAreaRepository,
  ) {}

  /** Admins create users inside their own jurisdiction. */
  async create(auth: AuthContext, body: CreateUserBody): Promise<UserResponse> {
    requireRole(auth, 'admin');
    const area = await this.civilAreas.get(body.civilCode);
    if (!area)
      throw new ValidationError(`invalid user: civilCode ${body.civilCode} is not a known civil area`);
    if (
      auth.jurisdiction.kind === 'subtree' &&
      !(await this.civilAreas.isWithin(area.code, auth.civilCode))
    ) {
      throw new ForbiddenError(
        `civil area ${area.code} is outside ${auth.username}'s jurisdiction ${auth.civilCode}`,
      );
    }
    const user = await this.users.insert({
      username: body.username,
      password_hash: await hashPassword(body.password),
      role: body.role,
      civil_code: area.code,
    });
    if (!user) throw new ConflictError(`username ${body.username} is taken`);
    return toUserResponse(user);
  }

  async list(auth: AuthContext): Promise<UserResponse[]> {
    requireRole(auth, 'admin');
    return (await this.users.list(auth.jurisdiction)).map(toUserResponse);
  }
}
