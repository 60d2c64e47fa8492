import type { ChannelId } from '../api/types';

/** The console's views; the route lives in the URL hash so the platform can serve the console as static files. */
export type View = 'map' | 'outages' | 'wall' | 'org' | 'users' | 'cascade';
export const VIEWS: readonly View[] = ['map', 'outages', 'wall', 'org', 'users', 'cascade'];

/** Views for admins only; 上级平台 (cascade) only for city-wide ones, whom the platform alone lets in. */
export function viewAllowed(view: View, access: { isAdmin: boolean; isCityAdmin: boolean }): boolean {
  if (view === 'users') return access.isAdmin;
  if (view === 'cascade') return access.isCityAdmin;
  return true;
}

export interface Route {
  view: View;
  /** A camera to fly to on the map (the map view, or the map docked beside the wall). */
  focus: ChannelId | null;
  /** A camera to put on the wall. */
  play: ChannelId | null;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = VIEWS.find((v) => v === path) ?? 'map';
  const params = new URLSearchParams(query);
  const focus = params.get('focus');
  const play = params.get('play');
  return {
    view,
    focus: (view === 'map' || view === 'wall') && focus ? (focus as ChannelId) : null,
    play: view === 'wall' && play ? (play as ChannelId) : null,
  };
}

export function routeHref(route: { view: View; focus?: ChannelId | null; play?: ChannelId | null }): string {
  const params = new URLSearchParams();
  if (route.focus) params.set('focus', route.focus);
  if (route.play) params.set('play', route.play);
  return params.size > 0 ? `#/${route.view}?${params}` : `#/${route.view}`;
}
