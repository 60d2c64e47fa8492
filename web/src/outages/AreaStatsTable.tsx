import type { DistrictOnlineCounts } from '../api/types';
import { formatCount, formatRate } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import type { AreaDirectory } from '../state/areas';

interface AreaStatsTableProps {
  districts: readonly DistrictOnlineCounts[];
  areas: AreaDirectory;
  /** Re-render when names arrive. */
  areasVersion: number;
}

/** 在线率 per district, as the platform counts it. */
export function AreaStatsTable({ districts, areas }: AreaStatsTableProps) {
  const { t, locale } = useI18n();
  return (
    <table className="stats-table">
      <thead>
        <tr>
          <th>{t('outages.district')}</th>
          <th>{t('outages.total')}</th>
          <th>{t('outages.online')}</th>
          <th>{t('outages.faulty')}</th>
          <th>{t('outages.rate')}</th>
        </tr>
      </thead>
      <tbody>
        {districts.map((d) => (
          <tr key={d.code ?? 'none'}>
            <th scope="row">{d.name ?? areas.nameOf(d.code, d.code ?? t('outages.noDistrict'))}</th>
            <td>{formatCount(d.total, locale)}</td>
            <td>{formatCount(d.online, locale)}</td>
            <td className={d.faulty > 0 ? 'bad' : undefined}>{formatCount(d.faulty, locale)}</td>
            <td>
              <span className="rate-bar" style={{ width: `${d.onlineRate * 100}%` }} />
              <span className="rate-text">{formatRate(d.onlineRate)}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
