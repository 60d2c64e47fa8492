import type { ChannelId } from '../api/types';

/** The console's views; the route lives in the URL hash so the platform can serve the console as static files. */
export type View = 'map' | 'outages' | 'wall' | 'org' | 'users';
export const VIEWS: readonly View[] = ['map', 'outages', 'wall', 'org', 'users'];

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
