import { useConsoleData } from '../app/console-data';
import { useI18n } from '../i18n/I18nProvider';
import type { CameraStore } from '../state/camera-store';
import { healthStats, listOutages } from '../state/outages';
import { useStoreDerived } from '../state/useStoreVersion';
import { AreaStatsTable } from './AreaStatsTable';
import { CitySummary } from './CitySummary';
import { OutageList } from './OutageList';

/** 告警与故障: every camera down, the longest first, and the online rate per district and for the city. */
export function OutagePanel({ store }: { store: CameraStore }) {
  const { t } = useI18n();
  const { areas, areasVersion } = useConsoleData();
  const outages = useStoreDerived(store, listOutages);
  const stats = useStoreDerived(store, healthStats);
  return (
    <section className="outage-view" aria-label={t('outages.title')}>
      <div className="outage-side">
        <h2>{t('outages.title')}</h2>
        <CitySummary stats={stats.city} />
        <AreaStatsTable districts={stats.districts} areas={areas} areasVersion={areasVersion} />
      </div>
      <OutageList rows={outages} areas={areas} />
    </section>
  );
}
