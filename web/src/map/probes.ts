/**
 * The console's performance probes, as DOM events on `window`, so a benchmark (or an operator's devtools)
 * can measure without reaching into the app:
 * - `tessera:map-ready` once the cameras are drawn for the first time (also `data-map-ready` on the map);
 * - `tessera:recolor` each time live status changes reach the screen, with the platform's event times.
 */
export type RecolorPath = 'points' | 'clusters';

export interface RecolorDetail {
  path: RecolorPath;
  /** The platform's times (ms) of the changes that were just drawn. */
  eventTimes: number[];
  /** When they were drawn (ms, same clock as Date.now()). */
  drawnAt: number;
}

export interface MapReadyDetail {
  /** performance.now() at readiness: time since navigation started. */
  readyMs: number;
  points: number;
}

export const RECOLOR_EVENT = 'tessera:recolor';
export const MAP_READY_EVENT = 'tessera:map-ready';

export function emitRecolor(detail: RecolorDetail): void {
  window.dispatchEvent(new CustomEvent<RecolorDetail>(RECOLOR_EVENT, { detail }));
}

export function emitMapReady(detail: MapReadyDetail): void {
  window.dispatchEvent(new CustomEvent<MapReadyDetail>(MAP_READY_EVENT, { detail }));
}
