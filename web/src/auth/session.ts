import type { SessionEndedEvent } from '../api/types';
import type { MessageKey } from '../i18n/messages';

/** The login page's notice after the session ended for `reason`. */
export function sessionEndNotice(reason: SessionEndedEvent['reason']): MessageKey {
  return reason === 'revoked' ? 'login.revoked' : 'login.expired';
}

/** The bearer token lives in sessionStorage: it dies with the tab, and each tab logs in on its own. */
const TOKEN_KEY = 'tessera.token';

export function loadToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}
