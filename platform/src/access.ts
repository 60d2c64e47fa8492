import type { AuthContext } from './auth/auth-context';
import { ForbiddenError } from './errors';
import type { UserRole } from './schema/tables';

/** The first line of a service method that needs a role. */
export function requireRole(auth: AuthContext, ...roles: UserRole[]): void {
  if (!roles.includes(auth.role)) {
    throw new ForbiddenError(`requires role ${roles.join(' or ')}; ${auth.username} is ${auth.role}`);
  }
}
