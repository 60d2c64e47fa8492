import { useI18n } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n/messages';
import { routeHref, type View, VIEWS, viewAllowed } from './router';

const LABELS: Record<View, MessageKey> = {
  map: 'nav.map',
  outages: 'nav.outages',
  wall: 'nav.wall',
  org: 'nav.org',
  users: 'nav.users',
  cascade: 'nav.cascade',
};

/**
 * 用户管理 is listed for admins only, 上级平台 for city-wide admins only (the platform refuses everyone else
 * anyway).
 */
export function NavBar({
  current,
  isAdmin,
  isCityAdmin,
}: {
  current: View;
  isAdmin: boolean;
  isCityAdmin: boolean;
}) {
  const { t } = useI18n();
  return (
    <nav className="nav" aria-label="main">
      {VIEWS.filter((view) => viewAllowed(view, { isAdmin, isCityAdmin })).map((view) => (
        <a key={view} href={routeHref({ view })} aria-current={view === current ? 'page' : undefined}>
          {t(LABELS[view])}
        </a>
      ))}
    </nav>
  );
}
