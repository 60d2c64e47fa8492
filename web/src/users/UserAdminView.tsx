import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../api/errors';
import type { UserSummary } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { formatTime } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import { ErrorNotice } from '../ui/ErrorNotice';
import { CreateUserForm } from './CreateUserForm';

type Users =
  | { kind: 'loading' }
  | { kind: 'loaded'; users: UserSummary[] }
  | { kind: 'error'; error: ApiError };

/** 用户管理 (admins): the users of the admin's jurisdiction, and a new one with a role and an area. */
export function UserAdminView() {
  const { t, locale } = useI18n();
  const { client, me, areas, areasVersion } = useConsoleData();
  const [users, setUsers] = useState<Users>({ kind: 'loading' });
  const [created, setCreated] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const result = await client.users();
    setUsers(result.ok ? { kind: 'loaded', users: result.value } : { kind: 'error', error: result.error });
  }, [client]);

  useEffect(() => {
    if (me?.role === 'admin') void refresh();
  }, [me, refresh]);

  if (me && me.role !== 'admin')
    return (
      <section className="users-view">
        <p className="notice">{t('users.adminOnly')}</p>
      </section>
    );

  return (
    <section className="users-view" aria-label={t('users.title')} data-areas={areasVersion}>
      <div className="users-list">
        <h2>{t('users.title')}</h2>
        {created && (
          <p className="notice" role="status">
            {t('users.created', { username: created })}
          </p>
        )}
        {users.kind === 'loading' && <p className="muted">{t('org.loading')}</p>}
        {users.kind === 'error' && <ErrorNotice error={users.error} onRetry={() => void refresh()} />}
        {users.kind === 'loaded' && (
          <table className="users-table">
            <caption className="muted">{t('users.count', { count: users.users.length })}</caption>
            <thead>
              <tr>
                <th className="users-head">{t('users.username')}</th>
                <th className="users-head">{t('users.role')}</th>
                <th className="users-head">{t('users.area')}</th>
                <th className="users-head">{t('users.createdAt')}</th>
              </tr>
            </thead>
            <tbody>
              {users.users.map((user) => (
                <tr key={user.id}>
                  <th scope="row">{user.username}</th>
                  <td>{t(`users.role.${user.role}`)}</td>
                  <td>
                    {areas.nameOf(user.civilCode, '')} <span className="tree-code">{user.civilCode}</span>
                  </td>
                  <td>{formatTime(Date.parse(user.createdAt), locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <CreateUserForm
        onCreated={(user) => {
          setCreated(user.username);
          void refresh();
        }}
      />
    </section>
  );
}
