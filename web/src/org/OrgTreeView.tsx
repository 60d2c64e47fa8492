import { useDeferredValue, useEffect, useState } from 'react';
import type { ApiError } from '../api/errors';
import type { CivilAreaNode } from '../api/types';
import { useConsoleData } from '../app/console-data';
import { useI18n } from '../i18n/I18nProvider';
import type { CameraStore } from '../state/camera-store';
import { useStoreVersion } from '../state/useStoreVersion';
import { ErrorNotice } from '../ui/ErrorNotice';
import { AreaNodeView } from './AreaNodeView';
import { SearchResults } from './SearchResults';

type RootState =
  | { kind: 'loading' }
  | { kind: 'loaded'; nodes: CivilAreaNode[] }
  | { kind: 'error'; error: ApiError };

/** 组织树: city → district → street (loaded level by level) → device → camera, and a search box. */
export function OrgTreeView({ store }: { store: CameraStore }) {
  const { t } = useI18n();
  const { client, areas } = useConsoleData();
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const [root, setRoot] = useState<RootState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // Live health on the camera leaves, refreshed once a second.
  useStoreVersion(store, 1000);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` reloads on retry.
  useEffect(() => {
    let cancelled = false;
    setRoot({ kind: 'loading' });
    void client.civilAreas().then((result) => {
      if (cancelled) return;
      if (result.ok) areas.add(result.value);
      setRoot(result.ok ? { kind: 'loaded', nodes: result.value } : { kind: 'error', error: result.error });
    });
    return () => {
      cancelled = true;
    };
  }, [client, areas, attempt]);

  return (
    <section className="org-view" aria-label={t('org.title')}>
      <div className="org-toolbar">
        <h2>{t('org.title')}</h2>
        <input
          type="search"
          className="org-search"
          placeholder={t('org.search')}
          aria-label={t('org.search')}
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
      </div>
      {deferredQuery.trim() !== '' ? (
        <SearchResults store={store} query={deferredQuery} />
      ) : root.kind === 'loading' ? (
        <p className="muted">{t('org.loading')}</p>
      ) : root.kind === 'error' ? (
        <ErrorNotice error={root.error} onRetry={() => setAttempt((a) => a + 1)} />
      ) : (
        <ul className="tree">
          {root.nodes.map((node) => (
            <AreaNodeView key={node.code} node={node} store={store} initiallyOpen={root.nodes.length === 1} />
          ))}
        </ul>
      )}
    </section>
  );
}
