import { useEffect, useMemo, useState } from 'react';
import type { UpperPlatform } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { describeApiError, formatClock, formatCount } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import { ErrorNotice } from '../ui/ErrorNotice';
import { useNow } from '../ui/useNow';
import { LinkBadge } from './LinkBadge';
import { type FeedState, PollingFeed } from './polling-feed';
import { UpperPlatformForm } from './UpperPlatformForm';
import { toggledBody } from './upper-form';

/** The link state has no live event: the list is polled this often while the view is open. */
export const UPPER_REFRESH_MS = 5_000;

/** What a row is asking before it changes something. */
type Pending = { kind: 'toggle'; id: string } | { kind: 'delete'; id: string } | null;

/**
 * 上级平台 (city-wide admins): the upper platforms this instance registers to, each link's state as the gateway
 * reports it (polled every 5 s), and their configuration: add, edit, enable/disable, delete.
 */
export function UpperPlatformsView() {
  const { t, locale } = useI18n();
  const { client, me } = useConsoleData();
  const now = useNow(1_000);
  const isAdmin = me?.role === 'admin';
  const [feedState, setFeedState] = useState<FeedState<UpperPlatform[]> | null>(null);
  const [editingId, setEditingId] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const feed = useMemo(
    () =>
      isAdmin
        ? new PollingFeed<UpperPlatform[]>({
            load: () => client.upperPlatforms(),
            intervalMs: UPPER_REFRESH_MS,
            onChange: setFeedState,
          })
        : null,
    [client, isAdmin],
  );
  useEffect(() => {
    if (!feed) return;
    feed.start();
    return () => feed.close();
  }, [feed]);

  const forbidden = (me && !isAdmin) || feedState?.error?.kind === 'forbidden';
  if (forbidden)
    return (
      <section className="cascade-view" aria-label={t('cascade.title')}>
        <div className="cascade-main">
          <h2>{t('cascade.title')}</h2>
          <p className="notice notice-error" role="alert">
            {t('cascade.forbidden')}
          </p>
        </div>
      </section>
    );

  const uppers = feedState?.data ?? null;
  const editing = (editingId && uppers?.find((u) => u.id === editingId)) || null;

  const changed = (message: string) => {
    setNotice(message);
    setPending(null);
    feed?.refresh();
  };

  return (
    <section className="cascade-view" aria-label={t('cascade.title')}>
      <div className="cascade-main">
        <h2>{t('cascade.title')}</h2>
        <p className="muted">{t('cascade.intro')}</p>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {feedState?.error && <ErrorNotice error={feedState.error} onRetry={() => feed?.refresh()} />}
        {uppers === null && !feedState?.error && <p className="muted">{t('org.loading')}</p>}
        {uppers !== null && (
          <table className="users-table upper-table">
            <caption className="muted">
              {t('cascade.count', { count: uppers.length })}
              {feedState?.updatedAt != null && (
                <> · {t('cascade.refreshed', { time: formatClock(feedState.updatedAt, locale) })}</>
              )}
            </caption>
            <thead>
              <tr>
                <th className="users-head">{t('cascade.col.name')}</th>
                <th className="users-head">{t('cascade.col.sipId')}</th>
                <th className="users-head">{t('cascade.col.address')}</th>
                <th className="users-head">{t('cascade.col.localId')}</th>
                <th className="users-head num">{t('cascade.col.shared')}</th>
                <th className="users-head">{t('cascade.col.link')}</th>
                <th className="users-head">{t('cascade.col.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {uppers.length === 0 && (
                <tr>
                  <td colSpan={7} className="muted">
                    {t('cascade.empty')}
                  </td>
                </tr>
              )}
              {uppers.map((upper) => (
                <UpperRows
                  key={upper.id}
                  upper={upper}
                  now={now}
                  pending={pending?.id === upper.id ? pending.kind : null}
                  editing={editingId === upper.id}
                  sharedLabel={formatCount(upper.sharedChannels, locale)}
                  onEdit={() => {
                    setPending(null);
                    setEditingId(upper.id);
                  }}
                  onAsk={(kind) => setPending(kind ? { kind, id: upper.id } : null)}
                  onChanged={changed}
                  onDeleted={(message) => {
                    if (editingId === upper.id) setEditingId(null);
                    changed(message);
                  }}
                />
              ))}
            </tbody>
          </table>
        )}
      </div>
      <UpperPlatformForm
        key={editing?.id ?? 'new'}
        editing={editing}
        onSaved={(upper, created) => {
          setEditingId(null);
          changed(t(created ? 'cascade.created' : 'cascade.saved', { name: upper.name }));
        }}
        onCancel={() => setEditingId(null)}
      />
    </section>
  );
}

interface RowProps {
  upper: UpperPlatform;
  now: number;
  pending: 'toggle' | 'delete' | null;
  editing: boolean;
  sharedLabel: string;
  onEdit: () => void;
  onAsk: (kind: 'toggle' | 'delete' | null) => void;
  onChanged: (message: string) => void;
  onDeleted: (message: string) => void;
}

/** One upper: its row, and below it the question a toggle or a delete asks first. */
function UpperRows({
  upper,
  now,
  pending,
  editing,
  sharedLabel,
  onEdit,
  onAsk,
  onChanged,
  onDeleted,
}: RowProps) {
  const { t } = useI18n();
  return (
    <>
      <tr className={editing ? 'upper-row editing' : 'upper-row'} data-upper-id={upper.id}>
        <th scope="row">{upper.name}</th>
        <td className="mono">{upper.sipId}</td>
        <td className="mono">
          {upper.host}:{upper.port}/{upper.transport.toUpperCase()}
        </td>
        <td className="mono">
          {upper.localId ?? <span className="muted">{t('cascade.localDefault')}</span>}
        </td>
        <td className="num">{sharedLabel}</td>
        <td>
          <LinkBadge link={upper.link} now={now} />
        </td>
        <td className="upper-actions">
          <button type="button" className="link-button" onClick={onEdit}>
            {t('cascade.edit')}
          </button>
          <button
            type="button"
            className="link-button"
            onClick={() => onAsk(pending === 'toggle' ? null : 'toggle')}
          >
            {upper.enabled ? t('cascade.disable') : t('cascade.enable')}
          </button>
          <button
            type="button"
            className="link-button danger"
            onClick={() => onAsk(pending === 'delete' ? null : 'delete')}
          >
            {t('cascade.delete')}
          </button>
        </td>
      </tr>
      {pending === 'toggle' && (
        <tr className="upper-prompt">
          <td colSpan={7}>
            <TogglePrompt upper={upper} onCancel={() => onAsk(null)} onDone={onChanged} />
          </td>
        </tr>
      )}
      {pending === 'delete' && (
        <tr className="upper-prompt">
          <td colSpan={7}>
            <DeletePrompt upper={upper} onCancel={() => onAsk(null)} onDone={onDeleted} />
          </td>
        </tr>
      )}
    </>
  );
}

/** Enable/disable: a PUT of the whole configuration with only `enabled` changed (the stored password stays). */
function TogglePrompt({
  upper,
  onCancel,
  onDone,
}: {
  upper: UpperPlatform;
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const { t } = useI18n();
  const { client } = useConsoleData();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const enable = !upper.enabled;
  const action = enable ? t('cascade.enable') : t('cascade.disable');

  const confirm = async () => {
    setBusy(true);
    setError(null);
    const result = await client.updateUpperPlatform(upper.id, toggledBody(upper, enable));
    setBusy(false);
    if (!result.ok) {
      setError(
        result.error.kind === 'not-found' ? t('cascade.form.gone') : describeApiError(result.error, t),
      );
      return;
    }
    onDone(t('cascade.saved', { name: upper.name }));
  };

  return (
    <form
      className="row-prompt"
      aria-label={`${action} ${upper.name}`}
      onSubmit={(event) => {
        event.preventDefault();
        void confirm();
      }}
    >
      <span>{t('cascade.togglePrompt', { action })}</span>
      <button type="submit" className="primary" disabled={busy}>
        {enable ? t('cascade.confirmEnable') : t('cascade.confirmDisable')}
      </button>
      <button type="button" onClick={onCancel}>
        {t('cascade.cancel')}
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}

function DeletePrompt({
  upper,
  onCancel,
  onDone,
}: {
  upper: UpperPlatform;
  onCancel: () => void;
  onDone: (message: string) => void;
}) {
  const { t } = useI18n();
  const { client } = useConsoleData();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const confirm = async () => {
    setBusy(true);
    setError(null);
    const result = await client.deleteUpperPlatform(upper.id);
    setBusy(false);
    // Already gone is what was asked for.
    if (!result.ok && result.error.kind !== 'not-found') {
      setError(describeApiError(result.error, t));
      return;
    }
    onDone(t('cascade.deleted', { name: upper.name }));
  };

  return (
    <form
      className="row-prompt"
      aria-label={`${t('cascade.delete')} ${upper.name}`}
      onSubmit={(event) => {
        event.preventDefault();
        void confirm();
      }}
    >
      <span>{t('cascade.confirmDelete', { name: upper.name })}</span>
      <button type="submit" className="primary danger" disabled={busy}>
        {t('cascade.confirmDeleteButton')}
      </button>
      <button type="button" onClick={onCancel}>
        {t('cascade.cancel')}
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
