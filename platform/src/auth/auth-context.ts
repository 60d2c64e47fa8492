import type { SessionEndedEvent } from '@tessera/contracts/api';
import type { UserRole } from '../schema/tables';

/**
 * What a caller may see: everything, or the subtree of one civil area. A user whose area is a root of the
 * tree (the seeded city) sees everything, including channels whose civil code lies outside the tree or is
 * missing; everyone else sees items whose civil code starts with their area's code.
 */
export type Jurisdiction = { kind: 'all' } | { kind: 'subtree'; civilCode: string };

export interface AuthContext {
  userId: string;
  username: string;
  role: UserRole;
  civilCode: string;
  jurisdiction: Jurisdiction;
  /** The `user_session` row of the bearer token (logout revokes it). */
  sessionId: string;
  /** When the token expires (its `exp`, ms since the epoch): a long-lived event stream ends then. */
  expiresAtMs: number;
}

/**
 * Why a session stopped authenticating: its time ran out, or it was revoked (logout, the user disabled or
 * deleted, a password change or reset). Sent to the console as the reason of `session.ended`, so its type is the
 * event's (@tessera/contracts/api live-events.ts).
 */
export type SessionEndReason = SessionEndedEvent['reason'];

/** A re-read of an authenticated caller's session: still live (with its current role and area), or ended. */
export type SessionCheck = { live: true; auth: AuthContext } | { live: false; reason: SessionEndReason };

export function coversCivilCode(jurisdiction: Jurisdiction, civilCode: string | null): boolean {
  if (jurisdiction.kind === 'all') return true;
  return civilCode?.startsWith(jurisdiction.civilCode) ?? false;
}

export function coversAnyCivilCode(jurisdiction: Jurisdiction, civilCodes: readonly string[]): boolean {
  return jurisdiction.kind === 'all' || civilCodes.some((c) => coversCivilCode(jurisdiction, c));
}
