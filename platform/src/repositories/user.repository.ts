import { Inject, Injectable } from '@nestjs/common';
import type { Kysely, Updateable } from 'kysely';
import type { Jurisdiction, SessionEndReason } from '../auth/auth-context';
import type { AppUser, AppUserTable, DB, NewAppUser } from '../schema/tables';
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

  /** The user behind a live session: the session exists, is not revoked or expired, the user not disabled. */
  getBySession(sessionId: string, userId: string, now: Date): Promise<AppUser | undefined> {
    return this.db
      .selectFrom('user_session as s')
      .innerJoin('app_user as u', 'u.id', 's.user_id')
      .selectAll('u')
      .where('s.id', '=', sessionId)
      .where('s.user_id', '=', userId)
      .where('s.revoked_at', 'is', null)
      .where('s.expires_at', '>', now)
      .where('u.disabled_at', 'is', null)
      .executeTakeFirst();
  }

  /**
   * Why a session no longer authenticates (after getBySession found nothing): `expired` when only its
   * time ran out; `revoked` when it was revoked, its user disabled, or the row or user is gone.
   */
  async endedSessionReason(sessionId: string, now: Date): Promise<SessionEndReason> {
    const row = await this.db
      .selectFrom('user_session as s')
      .innerJoin('app_user as u', 'u.id', 's.user_id')
      .select(['s.revoked_at', 's.expires_at', 'u.disabled_at'])
      .where('s.id', '=', sessionId)
      .executeTakeFirst();
    const expiredOnly =
      row !== undefined && row.revoked_at === null && row.disabled_at === null && row.expires_at <= now;
    return expiredOnly ? 'expired' : 'revoked';
  }

  /** A new session (one issued token); the user's expired sessions are dropped on the way. */
  async createSession(userId: string, expiresAt: Date, now: Date): Promise<string> {
    await this.db
      .deleteFrom('user_session')
      .where('user_id', '=', userId)
      .where('expires_at', '<=', now)
      .execute();
    const row = await this.db
      .insertInto('user_session')
      .values({ user_id: userId, expires_at: expiresAt })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async revokeSession(sessionId: string, now: Date): Promise<void> {
    await this.db
      .updateTable('user_session')
      .set({ revoked_at: now })
      .where('id', '=', sessionId)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Revokes every live session of the user but `keep` (the caller's own, on a self-service change). */
  async revokeSessionsOf(userId: string, now: Date, keep?: string): Promise<void> {
    let query = this.db
      .updateTable('user_session')
      .set({ revoked_at: now })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (keep) query = query.where('id', '!=', keep);
    await query.execute();
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.db
      .updateTable('app_user')
      .set({ password_hash: passwordHash, updated_at: new Date() })
      .where('id', '=', userId)
      .execute();
  }

  /**
   * Updates or deletes a user unless that would leave no enabled admin at a root of the civil-area tree
   * (nobody could then manage the whole city): the enabled root admins are locked FOR UPDATE first, so two
   * admins removing each other at the same moment cannot both succeed. `removesRootAdmin` says whether the
   * change takes the user out of that set. Returns 'last-admin' when refused, the row (or null after a
   * delete) otherwise, undefined when the user no longer exists.
   */
  async changeKeepingAnAdmin(
    userId: string,
    change: { update: Updateable<AppUserTable> } | { delete: true },
    rootCodes: readonly string[],
    removesRootAdmin: boolean,
  ): Promise<AppUser | null | undefined | 'last-admin'> {
    return this.db.transaction().execute(async (tx) => {
      if (removesRootAdmin && rootCodes.length > 0) {
        const admins = await tx
          .selectFrom('app_user')
          .select('id')
          .where('role', '=', 'admin')
          .where('disabled_at', 'is', null)
          .where('civil_code', 'in', [...rootCodes])
          .forUpdate()
          .execute();
        if (admins.some((a) => a.id === userId) && admins.length <= 1) return 'last-admin';
      }
      if ('delete' in change) {
        const deleted = await tx
          .deleteFrom('app_user')
          .where('id', '=', userId)
          .returning('id')
          .executeTakeFirst();
        return deleted ? null : undefined;
      }
      return tx
        .updateTable('app_user')
        .set({ ...change.update, updated_at: new Date() })
        .where('id', '=', userId)
        .returningAll()
        .executeTakeFirst();
    });
  }
}
