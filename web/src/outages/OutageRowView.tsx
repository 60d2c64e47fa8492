import type { Outage } from '../api/types';
import { formatDuration, formatTime } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages';
import type { AreaDirectory } from '../state/areas';
import { HealthBadge } from '../ui/HealthBadge';
import { outageHealth, reasonKey } from './outage-feed';

interface OutageRowViewProps {
  row: Outage;
  areas: AreaDirectory;
  now: number;
  onLocate: () => void;
}

export function OutageRowView({ row, areas, now, onLocate }: OutageRowViewProps) {
  const { t, locale } = useI18n();
  const key = reasonKey(row.reason);
  const since = Date.parse(row.since);
  return (
    <button type="button" className="outage-row outage-grid" onClick={onLocate} title={t('outages.locate')}>
      <span className="cell-status">
        <HealthBadge health={outageHealth(row)} />
        <span className="cell-reason">{key ? t(key as MessageKey) : row.reason}</span>
      </span>
      <span className="cell-name" title={row.channelId}>
        {row.name}
      </span>
      <span>
        {row.districtName ?? areas.nameOf(row.districtCode, row.districtCode ?? t('outages.noDistrict'))}
      </span>
      <span className="cell-address">{row.address ?? t('common.none')}</span>
      <span>{formatDuration(Math.max(0, now - since), t)}</span>
      <span>
        {row.lastSeenAt === null ? t('common.unknown') : formatTime(Date.parse(row.lastSeenAt), locale)}
      </span>
    </button>
  );
}
