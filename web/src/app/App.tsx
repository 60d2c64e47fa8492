import { useMemo, useState } from 'react';
import { ApiClient } from '../api/client';
import { LoginPage } from '../auth/LoginPage';
import { clearToken, loadToken, saveToken, sessionEndNotice } from '../auth/session';
import type { MessageKey } from '../i18n/messages';
import { AppShell } from './AppShell';
import { ConsoleDataProvider } from './ConsoleDataProvider';

export function App() {
  const [token, setToken] = useState(loadToken);
  const [notice, setNotice] = useState<MessageKey | null>(null);
  const client = useMemo(
    () =>
      new ApiClient({
        getToken: loadToken,
        onUnauthorized: (reason) => {
          clearToken();
          setNotice(sessionEndNotice(reason));
          setToken(null);
        },
      }),
    [],
  );

  if (!token) {
    return (
      <LoginPage
        client={client}
        notice={notice}
        onLoggedIn={(next) => {
          saveToken(next);
          setNotice(null);
          setToken(next);
        }}
      />
    );
  }
  return (
    <ConsoleDataProvider client={client}>
      <AppShell
        onLogout={() => {
          // Revoked on the platform, not only forgotten here; the page does not wait for the answer.
          void client.logout();
          clearToken();
          setToken(null);
        }}
      />
    </ConsoleDataProvider>
  );
}
