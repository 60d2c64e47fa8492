import { useCallback, useState } from 'react';
import { UpperPlatformsView } from '../cascade/UpperPlatformsView';
import { useI18n } from '../i18n/I18nProvider';
import { MapView } from '../map/MapView';
import { OrgTreeView } from '../org/OrgTreeView';
import { OutagePanel } from '../outages/OutagePanel';
import { ErrorNotice } from '../ui/ErrorNotice';
import { UserAdminView } from '../users/UserAdminView';
import { VideoWall, type WallSource } from '../wall/VideoWall';
import { useConsoleData } from './console-data';
import { LiveIndicator } from './LiveIndicator';
import { LocaleSwitch } from './LocaleSwitch';
import { NavBar } from './NavBar';
import { routeHref } from './router';
import { useRoute } from './useRoute';

export function AppShell({ onLogout }: { onLogout: () => void }) {
  const { t } = useI18n();
  const { load, live, me, cityWide, reload } = useConsoleData();
  const route = useRoute();
  const [wallSource, setWallSource] = useState<WallSource>('map');
  // Drop ?focus= once the map flew there, so choosing the same camera again flies again.
  const view = route.view;
  const onFocused = useCallback(() => history.replaceState(null, '', routeHref({ view })), [view]);
  // Beside the wall the map is docked on the left, so cameras can be dragged from its popups into the tiles.
  const docked = view === 'wall' && wallSource === 'map';

  return (
    <div className="shell">
      <header className="header">
        <div className="brand">{t('app.title')}</div>
        <NavBar
          current={view}
          isAdmin={me?.role === 'admin'}
          // Until the top of the tree is known an admin sees the entry; the view explains a refusal.
          isCityAdmin={me?.role === 'admin' && cityWide !== false}
        />
        <div className="header-side">
          <LiveIndicator state={live} />
          {me && <span className="user">{me.username}</span>}
          <LocaleSwitch />
          <button type="button" className="link-button" onClick={onLogout}>
            {t('header.logout')}
          </button>
        </div>
      </header>
      <main className={`content view-${view}`}>
        <MapView
          store={load.kind === 'ready' ? load.store : null}
          active={view === 'map' || docked}
          docked={docked}
          focus={route.focus}
          onFocused={onFocused}
        />
        {load.kind === 'loading' && <p className="loading">{t('loading.data')}</p>}
        {load.kind === 'error' && <ErrorNotice error={load.error} onRetry={reload} />}
        {load.kind === 'ready' && (
          <>
            {view === 'outages' && <OutagePanel store={load.store} />}
            {view === 'wall' && (
              <VideoWall store={load.store} source={wallSource} onSource={setWallSource} play={route.play} />
            )}
            {view === 'org' && <OrgTreeView store={load.store} />}
          </>
        )}
        {view === 'users' && <UserAdminView />}
        {view === 'cascade' && <UpperPlatformsView />}
      </main>
    </div>
  );
}
