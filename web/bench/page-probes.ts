/**
 * Scripts run inside the console's page, as source text (functions would be re-serialised from what tsx
 * compiled, with its helpers). They listen to the console's probes (src/map/probes.ts) and collect
 * requestAnimationFrame deltas.
 */
export function pageProbeScript(token: string): string {
  return `
(() => {
  sessionStorage.setItem('tessera.token', ${JSON.stringify(token)});
  const bench = {
    frames: [], collecting: false, last: 0, quiet: 0,
    recolor: { points: [], clusters: [] }, recolorCount: { points: 0, clusters: 0 }, lastRecolorAt: 0,
    start() { this.frames = []; this.last = 0; this.collecting = true; },
    stop() { this.collecting = false; return this.frames; },
    resetRecolor() { this.recolor = { points: [], clusters: [] }; this.recolorCount = { points: 0, clusters: 0 }; },
  };
  window.__bench = bench;
  const loop = (t) => {
    if (bench.collecting && bench.last) bench.frames.push(t - bench.last);
    bench.quiet = bench.last && t - bench.last < 20 ? bench.quiet + 1 : 0;
    bench.last = t;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  window.addEventListener('tessera:recolor', (e) => {
    const d = e.detail;
    const out = bench.recolor[d.path];
    for (const t of d.eventTimes) out.push(d.drawnAt - t);
    bench.recolorCount[d.path] += d.eventTimes.length;
    bench.lastRecolorAt = Date.now();
  });
})();
`;
}

/** Half a second of smooth frames: what loading left behind (garbage collection, tiles) is done. */
export const SETTLED = 'window.__bench.quiet >= 30';

export const START_FRAMES = 'window.__bench.start()';
export const STOP_FRAMES = 'window.__bench.stop()';
export const RESET_RECOLOR = 'window.__bench.resetRecolor()';
export const READ_RECOLOR = 'window.__bench.recolor';
/** The console's performance marks and the navigation's milestones, ms since navigation start. */
export const READ_MARKS = `(() => {
  const out = {};
  const nav = performance.getEntriesByType('navigation')[0];
  if (nav) { out.responseEnd = Math.round(nav.responseEnd); out.domContentLoaded = Math.round(nav.domContentLoadedEventEnd); }
  for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('tessera:')) out[m.name.slice(8)] = Math.round(m.startTime);
  for (const r of performance.getEntriesByType('resource')) {
    if (r.name.includes('/api/v1/channels')) out.channelsFetched = Math.round(r.responseEnd);
    if (r.name.includes('/api/v1/devices')) out.devicesFetched = Math.round(r.responseEnd);
    if (r.name.includes('maplibre-gl-worker')) out.workerScriptFetched = Math.round(r.responseEnd);
  }
  return out;
})()`;

/** True once nothing was recoloured for `ms` after `since` (ms epoch, the end of the storm). */
export const QUIET_FOR = (ms: number, since: number) =>
  `Date.now() - Math.max(window.__bench.lastRecolorAt, ${since}) > ${ms}`;

export const MAP = '[data-testid="map"]';
