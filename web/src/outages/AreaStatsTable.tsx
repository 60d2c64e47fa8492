import { formatCount, formatRate } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import type { AreaDirectory } from '../state/areas';
import { type AreaHealthStats, onlineRate } from '../state/outages';

interface AreaStatsTableProps {
  districts: AreaHealthStats[];
  areas: AreaDirectory;
  /** Re-render when names arrive. */
  areasVersion: number;
}

export function AreaStatsTable({ districts, areas }: AreaStatsTableProps) {
  const { t, locale } = useI18n();
  return (
    <table className="stats-table">
      <thead>
        <tr>
          <th>{t('outages.district')}</th>
          <th>{t('outages.total')}</th>
          <th>{t('outages.online')}</th>
          <th>{t('outages.offline')}</th>
          <th>{t('outages.noVideo')}</th>
          <th>{t('outages.rate')}</th>
        </tr>
      </thead>
      <tbody>
        {districts.map((d) => {
          const rate = onlineRate(d);
          return (
            <tr key={d.code ?? 'none'}>
              <th scope="row">{areas.nameOf(d.code, d.code ?? t('outages.noDistrict'))}</th>
              <td>{formatCount(d.total, locale)}</td>
              <td>{formatCount(d.online + d.degraded, locale)}</td>
              <td className={d.offline > 0 ? 'bad' : undefined}>{formatCount(d.offline, locale)}</td>
              <td className={d.noVideo > 0 ? 'warn' : undefined}>{formatCount(d.noVideo, locale)}</td>
              <td>
                <span className="rate-bar" style={{ width: `${Number.isFinite(rate) ? rate * 100 : 0}%` }} />
                <span className="rate-text">{formatRate(rate)}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
