import { useSyncExternalStore } from 'react';
import type { ChannelId } from '../api/types';
import { parseRoute, type Route, routeHref, type View } from './router';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

let cachedHash: string | null = null;
let cachedRoute: Route = parseRoute('');

function snapshot(): Route {
  if (location.hash !== cachedHash) {
    cachedHash = location.hash;
    cachedRoute = parseRoute(location.hash);
  }
  return cachedRoute;
}

export function useRoute(): Route {
  return useSyncExternalStore(subscribe, snapshot);
}

export function navigate(view: View, focus: ChannelId | null = null): void {
  location.hash = routeHref({ view, focus });
}

/** Shows a camera on the video wall (in the selected tile when it is free, else the first free one). */
export function playOnWall(channelId: ChannelId): void {
  location.hash = routeHref({ view: 'wall', play: channelId });
}
