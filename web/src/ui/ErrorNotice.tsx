import type { ApiError } from '../api/errors';
import { describeApiError } from '../i18n/i18n';
import { useI18n } from '../i18n/I18nProvider';

export function ErrorNotice({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  const { t } = useI18n();
  return (
    <div className="notice notice-error" role="alert">
      <span>{describeApiError(error, t)}</span>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('loading.retry')}
        </button>
      )}
    </div>
  );
}
