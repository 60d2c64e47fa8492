import { useI18n } from '../i18n/I18nProvider';
import type { Health } from '../state/health';
import { HealthDot } from './HealthDot';

export function HealthBadge({ health }: { health: Health }) {
  const { t } = useI18n();
  return (
    <span className={`health-badge health-${health}`}>
      <HealthDot health={health} />
      {t(`health.${health}`)}
    </span>
  );
}
