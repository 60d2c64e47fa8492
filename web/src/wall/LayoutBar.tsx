import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../api/errors';
import type { WallLayout } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { describeApiError } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import { toLayoutBody, type WallModel } from './wall-model';

interface LayoutBarProps {
  model: WallModel;
  onRecall: (layout: WallLayout) => void;
}

type Notice = { kind: 'saved'; name: string } | { kind: 'error'; error: ApiError } | null;

/** Save the wall under a name and recall it later: layouts are the user's own (`/wall-layouts`). */
export function LayoutBar({ model, onRecall }: LayoutBarProps) {
  const { t } = useI18n();
  const { client } = useConsoleData();
  const [layouts, setLayouts] = useState<WallLayout[]>([]);
  const [current, setCurrent] = useState('');
  const [name, setName] = useState('');
  const [notice, setNotice] = useState<Notice>(null);

  const refresh = useCallback(async () => {
    const result = await client.wallLayouts();
    if (result.ok) setLayouts(result.value);
    else setNotice({ kind: 'error', error: result.error });
  }, [client]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    const result = await client.saveWallLayout(trimmed, toLayoutBody(model));
    if (!result.ok) {
      setNotice({ kind: 'error', error: result.error });
      return;
    }
    setNotice({ kind: 'saved', name: trimmed });
    setCurrent(trimmed);
    await refresh();
  };

  const recall = (layoutName: string) => {
    setCurrent(layoutName);
    const layout = layouts.find((l) => l.name === layoutName);
    if (!layout) return;
    setName(layout.name);
    setNotice(null);
    onRecall(layout);
  };

  const remove = async () => {
    if (!current) return;
    const result = await client.deleteWallLayout(current);
    if (!result.ok) {
      setNotice({ kind: 'error', error: result.error });
      return;
    }
    setCurrent('');
    await refresh();
  };

  return (
    <div className="layout-bar">
      <label>
        <span>{t('wall.recall')}</span>
        <select
          value={current}
          aria-label={t('wall.recall')}
          onChange={(event) => recall(event.target.value)}
        >
          <option value="">{t('wall.recallPlaceholder')}</option>
          {layouts.map((layout) => (
            <option key={layout.name} value={layout.name}>
              {t('wall.layoutOption', { name: layout.name, n: layout.grid })}
            </option>
          ))}
        </select>
      </label>
      <button type="button" onClick={() => void remove()} disabled={!current}>
        {t('wall.delete')}
      </button>
      <form onSubmit={(event) => void save(event)}>
        <input
          value={name}
          maxLength={64}
          placeholder={t('wall.layoutName')}
          aria-label={t('wall.layoutName')}
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" className="primary small" disabled={name.trim() === ''}>
          {t('wall.save')}
        </button>
      </form>
      {notice?.kind === 'saved' && (
        <span className="muted" role="status">
          {t('wall.saved', { name: notice.name })}
        </span>
      )}
      {notice?.kind === 'error' && (
        <span className="bad" role="alert">
          {describeApiError(notice.error, t)}
        </span>
      )}
    </div>
  );
}
