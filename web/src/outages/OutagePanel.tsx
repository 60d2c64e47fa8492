import { useEffect, useState } from 'react';
import { useConsoleData } from '../app/console-data';
import { useI18n } from '../i18n/I18nProvider';
import type { CameraStore } from '../state/camera-store';
import { ErrorNotice } from '../ui/ErrorNotice';
import { AreaStatsTable } from './AreaStatsTable';
import { CitySummary } from './CitySummary';
import { OutageFeed, type OutageFeedState } from './outage-feed';
import { OutageList } from './OutageList';

/**
 * 告警与故障: the platform's repair list (every camera down, why and since when, the longest first) and 在线率 per
 * district and for the jurisdiction. The camera store's live events only say when to ask the platform again.
 */
export function OutagePanel({ store }: { store: CameraStore }) {
  const { t } = useI18n();
  const { client, areas, areasVersion } = useConsoleData();
  const [state, setState] = useState<OutageFeedState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `attempt` starts a new feed on retry.
  useEffect(() => {
    const feed = new OutageFeed({ client, onState: setState });
    const unsubscribe = store.subscribe(() => feed.changed());
    return () => {
      unsubscribe();
      feed.close();
    };
  }, [client, store, attempt]);

  return (
    <section className="outage-view" aria-label={t('outages.title')}>
      <div className="outage-side">
        <h2>{t('outages.title')}</h2>
        {state.kind === 'loading' && <p className="muted">{t('org.loading')}</p>}
        {state.kind === 'error' && (
          <ErrorNotice error={state.error} onRetry={() => setAttempt((a) => a + 1)} />
        )}
        {state.kind === 'ready' && (
          <>
            <CitySummary city={state.rate.city} outages={state.outages} />
            <AreaStatsTable districts={state.rate.districts} areas={areas} areasVersion={areasVersion} />
          </>
        )}
      </div>
      {state.kind === 'ready' ? (
        <OutageList rows={state.outages} areas={areas} />
      ) : (
        <div className="outage-main" />
      )}
    </section>
  );
}
