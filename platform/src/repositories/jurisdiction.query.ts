import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Jurisdiction } from '../auth/auth-context';
import type { DB } from '../schema/tables';

/** `LIKE` pattern for a civil-code subtree; codes are validated digits, so no wildcard escaping is needed. */
export const subtreePattern = (civilCode: string): string => `${civilCode}%`;

/**
 * A device is within a subtree jurisdiction when at least one of its cameras (catalog items of kind
 * 'channel') has a civil code in that subtree.
 */
export function deviceInJurisdiction(
  eb: ExpressionBuilder<DB, 'device'>,
  jurisdiction: Jurisdiction,
): Expression<SqlBool> {
  if (jurisdiction.kind === 'all') return sql<boolean>`true`;
  return eb.exists(
    eb
      .selectFrom('channel as jc')
      .select(sql`1`.as('one'))
      .whereRef('jc.device_id', '=', 'device.device_id')
      .where('jc.kind', '=', 'channel')
      .where('jc.civil_code', 'like', subtreePattern(jurisdiction.civilCode)),
  );
}

/** PostgreSQL `unique_violation` (SQLSTATE 23505), from node-postgres or PGlite. */
export const isUniqueViolation = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && 'code' in err && err.code === '23505';
