import { useMemo } from 'react';
import { formatCount } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import type { CameraStore } from '../state/camera-store';
import type { Health } from '../state/health';
import { HealthDot } from '../ui/HealthDot';

const SHOWN: readonly Health[] = ['online', 'offline', 'no-video', 'degraded'];

export function MapLegend({ store }: { store: CameraStore }) {
  const { t, locale } = useI18n();
  const unlocated = useMemo(
    () => store.channels.reduce((n, c) => (c.longitude === null || c.latitude === null ? n + 1 : n), 0),
    [store],
  );
  return (
    <aside className="map-legend" aria-label={t('map.legend')}>
      <div className="map-legend-title">
        {t('map.points', { count: formatCount(store.size - unlocated, locale) })}
      </div>
      <ul>
        {SHOWN.map((health) => (
          <li key={health}>
            <HealthDot health={health} />
            {t(`health.${health}`)}
          </li>
        ))}
        <li>
          <span className="cluster-dot" aria-hidden="true" />
          {t('map.cameraCluster')}
        </li>
      </ul>
      <div className="map-legend-hint">{t('map.clusterHint')}</div>
      {unlocated > 0 && <div className="map-legend-hint">{t('map.noLocation', { count: unlocated })}</div>}
    </aside>
  );
}
