import type { OnlineCounts, Outage } from '../api/types';
import { formatCount, formatRate } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';

/** The jurisdiction at a glance: cameras, online, down (device or camera offline), no video or faulty, 在线率. */
export function CitySummary({ city, outages }: { city: OnlineCounts; outages: readonly Outage[] }) {
  const { t, locale } = useI18n();
  const offline = outages.reduce((n, o) => (o.health === 'offline' ? n + 1 : n), 0);
  const cards = [
    { label: t('outages.total'), value: formatCount(city.total, locale), tone: 'neutral' },
    { label: t('outages.online'), value: formatCount(city.online, locale), tone: 'online' },
    { label: t('outages.offline'), value: formatCount(offline, locale), tone: 'offline' },
    { label: t('outages.noVideo'), value: formatCount(outages.length - offline, locale), tone: 'no-video' },
    { label: `${t('outages.city')}${t('outages.rate')}`, value: formatRate(city.onlineRate), tone: 'rate' },
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
