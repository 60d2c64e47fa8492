import { type CSSProperties } from 'react';
import { type Health, HEALTH_COLOR } from '../state/health';

export function HealthDot({ health }: { health: Health }) {
  const style = { '--health-color': HEALTH_COLOR[health] } as CSSProperties;
  return <span className={`health-dot health-${health}`} style={style} aria-hidden="true" />;
}
