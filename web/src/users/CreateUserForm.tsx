import { type FormEvent, useState } from 'react';
import type { CivilAreaNode, UserRole, UserSummary } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { describeApiError } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import { CivilAreaPicker } from './CivilAreaPicker';

export const ROLES: readonly UserRole[] = ['admin', 'operator', 'viewer'];

/** The platform's rule for usernames (CreateUserBody): told before the round trip. */
const USERNAME = /^[A-Za-z0-9_.@-]{1,64}$/;

export function CreateUserForm({ onCreated }: { onCreated: (user: UserSummary) => void }) {
  const { t } = useI18n();
  const { client } = useConsoleData();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<UserRole>('operator');
  const [area, setArea] = useState<CivilAreaNode | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!area) {
      setError(t('users.noArea'));
      return;
    }
    setBusy(true);
    setError(null);
    const result = await client.createUser({ username, password, role, civilCode: area.code });
    setBusy(false);
    if (!result.ok) {
      setError(
        result.error.kind === 'server' && result.error.status === 409
          ? t('users.taken')
          : describeApiError(result.error, t),
      );
      return;
    }
    setUsername('');
    setPassword('');
    onCreated(result.value);
  };

  return (
    <form className="user-form" onSubmit={(event) => void submit(event)} aria-label={t('users.create')}>
      <h3>{t('users.create')}</h3>
      <label>
        <span>{t('users.username')}</span>
        <input
          name="new-username"
          required
          autoComplete="off"
          pattern={USERNAME.source.slice(1, -1)}
          title={t('users.usernameRule')}
          value={username}
          onChange={(event) => setUsername(event.target.value)}
        />
      </label>
      <label>
        <span>{t('users.password')}</span>
        <input
          name="new-password"
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
      </label>
      <label>
        <span>{t('users.role')}</span>
        <select name="role" value={role} onChange={(event) => setRole(event.target.value as UserRole)}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`users.role.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <fieldset className="area-field">
        <legend>{t('users.area')}</legend>
        <p className="muted small">
          {area ? t('users.selectedArea', { name: area.name, code: area.code }) : t('users.noArea')}
        </p>
        <div className="area-tree">
          <CivilAreaPicker selected={area?.code ?? null} onSelect={setArea} />
        </div>
      </fieldset>
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {t('users.submit')}
      </button>
    </form>
  );
}
