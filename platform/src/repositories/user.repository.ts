import { Inject, Injectable } from '@nestjs/common';
import type { Kysely } from 'kysely';
import type { Jurisdiction } from '../auth/auth-context';
import type { AppUser, DB, NewAppUser } from '../schema/tables';
import { KYSELY } from '../tokens';
import { isUniqueViolation, subtreePattern } from './jurisdiction.query';

@Injectable()
export class UserRepository {
  constructor(@Inject(KYSELY) private readonly db: Kysely<DB>) {}

  getByUsername(username: string): Promise<AppUser | undefined> {
    return this.db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
  }

  getById(id: string): Promise<AppUser | undefined> {
    return this.db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Returns undefined when the username is taken. */
  async insert(values: NewAppUser): Promise<AppUser | undefined> {
    try {
      return await this.db.insertInto('app_user').values(values).returningAll().executeTakeFirstOrThrow();
    } catch (err) {
      if (isUniqueViolation(err)) return undefined;
      throw err;
    }
  }

  list(jurisdiction: Jurisdiction): Promise<AppUser[]> {
    let query = this.db.selectFrom('app_user').selectAll();
    if (jurisdiction.kind === 'subtree') {
      query = query.where('civil_code', 'like', subtreePattern(jurisdiction.civilCode));
    }
    return query.orderBy('username').execute();
  }
}
