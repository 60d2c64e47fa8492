import type { LiveConnectionState } from '../api/events';
import { useI18n } from '../i18n/I18nProvider';

export function LiveIndicator({ state }: { state: LiveConnectionState }) {
  const { t } = useI18n();
  const text =
    state.kind === 'open'
      ? t('live.open')
      : state.kind === 'connecting'
        ? t('live.connecting')
        : state.kind === 'reconnecting'
          ? t('live.reconnecting', { attempt: state.attempt })
          : t('live.closed');
  return (
    <span className={`live-indicator live-${state.kind}`} role="status">
      <span className="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
