import { formatCount, formatRate } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import { type AreaHealthStats, onlineRate } from '../state/outages';

export function CitySummary({ stats }: { stats: AreaHealthStats }) {
  const { t, locale } = useI18n();
  const cards = [
    { label: t('outages.total'), value: formatCount(stats.total, locale), tone: 'neutral' },
    { label: t('outages.online'), value: formatCount(stats.online + stats.degraded, locale), tone: 'online' },
    { label: t('outages.offline'), value: formatCount(stats.offline, locale), tone: 'offline' },
    { label: t('outages.noVideo'), value: formatCount(stats.noVideo, locale), tone: 'no-video' },
    { label: `${t('outages.city')}${t('outages.rate')}`, value: formatRate(onlineRate(stats)), tone: 'rate' },
  ];
  return (
    <div className="summary-cards">
      {cards.map((card) => (
        <div key={card.label} className={`summary-card tone-${card.tone}`}>
          <div className="summary-value">{card.value}</div>
          <div className="summary-label">{card.label}</div>
        </div>
      ))}
    </div>
  );
}
