import type { UpperLink } from '../api/types';
import { formatClock, formatDuration, formatTimeSeconds } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';
import { summarizeLink } from './link-state';

/** The link's state as a coloured badge, the gateway's detail, since when, and (failed) the next attempt. */
export function LinkBadge({ link, now }: { link: UpperLink; now: number }) {
  const { t, locale } = useI18n();
  const summary = summarizeLink(link, now);
  return (
    <div className="link-cell" data-link-state={summary.state}>
      <span className={`link-badge link-${summary.tone}`}>{t(summary.label)}</span>
      {summary.detail && <span className="link-detail">{summary.detail}</span>}
      {summary.retryAt !== null && summary.retryInSec !== null && (
        <span className="link-retry">
          {summary.retryInSec > 0
            ? t('cascade.link.retry', {
                time: formatClock(summary.retryAt, locale),
                seconds: summary.retryInSec,
              })
            : t('cascade.link.retryNow')}
        </span>
      )}
      <span className="link-since muted small">
        {summary.since === null
          ? t('cascade.link.noReport')
          : t('cascade.link.since', {
              time: formatTimeSeconds(summary.since, locale),
              duration: formatDuration(Math.max(0, now - summary.since), t),
            })}
      </span>
    </div>
  );
}
