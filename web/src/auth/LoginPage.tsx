import { type FormEvent, useState } from 'react';
import type { ApiClient } from '../api/client';
import { describeApiError } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages';
import { LocaleSwitch } from '../app/LocaleSwitch';

interface LoginPageProps {
  client: ApiClient;
  /** Why the user is here again (e.g. the session expired). */
  notice: MessageKey | null;
  onLoggedIn: (token: string) => void;
}

export function LoginPage({ client, notice, onLoggedIn }: LoginPageProps) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const result = await client.login({ username, password });
    setBusy(false);
    if (result.ok) onLoggedIn(result.value.token);
    else
      setError(
        result.error.kind === 'unauthorized' ? t('login.badCredentials') : describeApiError(result.error, t),
      );
  };

  return (
    <main className="login-page">
      <form className="login-card" onSubmit={(event) => void submit(event)} aria-labelledby="login-title">
        <div className="login-brand">{t('app.short')}</div>
        <h1 id="login-title">{t('login.subtitle')}</h1>
        {notice && !error && <p className="notice">{t(notice)}</p>}
        {error && (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        )}
        <label>
          <span>{t('login.username')}</span>
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        </label>
        <label>
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
        <LocaleSwitch />
      </form>
    </main>
  );
}
