import { useCallback } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { MapView } from '../map/MapView';
import { OrgTreeView } from '../org/OrgTreeView';
import { OutagePanel } from '../outages/OutagePanel';
import { ErrorNotice } from '../ui/ErrorNotice';
import { VideoWallPlaceholder } from '../wall/VideoWallPlaceholder';
import { useConsoleData } from './console-data';
import { LiveIndicator } from './LiveIndicator';
import { LocaleSwitch } from './LocaleSwitch';
import { NavBar } from './NavBar';
import { routeHref } from './router';
import { useRoute } from './useRoute';

export function AppShell({ onLogout }: { onLogout: () => void }) {
  const { t } = useI18n();
  const { load, live, me, reload } = useConsoleData();
  const route = useRoute();
  // Drop ?focus= once the map flew there, so choosing the same camera again flies again.
  const onFocused = useCallback(() => history.replaceState(null, '', routeHref({ view: 'map' })), []);

  return (
    <div className="shell">
      <header className="header">
        <div className="brand">{t('app.title')}</div>
        <NavBar current={route.view} />
        <div className="header-side">
          <LiveIndicator state={live} />
          {me && <span className="user">{me.username}</span>}
          <LocaleSwitch />
          <button type="button" className="link-button" onClick={onLogout}>
            {t('header.logout')}
          </button>
        </div>
      </header>
      <main className="content">
        <MapView
          store={load.kind === 'ready' ? load.store : null}
          active={route.view === 'map'}
          focus={route.focus}
          onFocused={onFocused}
        />
        {load.kind === 'loading' && <p className="loading">{t('loading.data')}</p>}
        {load.kind === 'error' && <ErrorNotice error={load.error} onRetry={reload} />}
        {load.kind === 'ready' && (
          <>
            {route.view === 'outages' && <OutagePanel store={load.store} />}
            {route.view === 'wall' && <VideoWallPlaceholder />}
            {route.view === 'org' && <OrgTreeView store={load.store} />}
          </>
        )}
      </main>
    </div>
  );
}
