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
