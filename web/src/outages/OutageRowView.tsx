import { formatDuration, formatTime } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import type { AreaDirectory } from '../state/areas';
import type { OutageRow } from '../state/outages';
import { HealthBadge } from '../ui/HealthBadge';

interface OutageRowViewProps {
  row: OutageRow;
  areas: AreaDirectory;
  now: number;
  onLocate: () => void;
}

export function OutageRowView({ row, areas, now, onLocate }: OutageRowViewProps) {
  const { t, locale } = useI18n();
  const unknown = t('common.unknown');
  return (
    <button type="button" className="outage-row outage-grid" onClick={onLocate} title={t('outages.locate')}>
      <HealthBadge health={row.health} />
      <span className="cell-name" title={row.channelId}>
        {row.name}
      </span>
      <span>{areas.nameOf(row.districtCode, row.districtCode ?? t('outages.noDistrict'))}</span>
      <span className="cell-address">{row.address ?? t('common.none')}</span>
      <span>{row.downSince === null ? unknown : formatDuration(Math.max(0, now - row.downSince), t)}</span>
      <span>{row.lastSeen === null ? unknown : formatTime(row.lastSeen, locale)}</span>
    </button>
  );
}
