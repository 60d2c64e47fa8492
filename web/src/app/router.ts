import type { ChannelId } from '../api/types';

/** The console's views; the route lives in the URL hash so the platform can serve the console as static files. */
export type View = 'map' | 'outages' | 'wall' | 'org';
export const VIEWS: readonly View[] = ['map', 'outages', 'wall', 'org'];

export interface Route {
  view: View;
  /** A camera to fly to on the map. */
  focus: ChannelId | null;
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = VIEWS.find((v) => v === path) ?? 'map';
  const focus = new URLSearchParams(query).get('focus');
  return { view, focus: view === 'map' && focus ? (focus as ChannelId) : null };
}

export function routeHref(route: { view: View; focus?: ChannelId | null }): string {
  return route.focus ? `#/${route.view}?focus=${encodeURIComponent(route.focus)}` : `#/${route.view}`;
}
