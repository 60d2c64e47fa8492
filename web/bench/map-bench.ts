/**
 * Map benchmark: builds the console, serves it with a synthetic 长沙 of 100,000 cameras, and measures in
 * Debian's chromium (software WebGL, as on a CI machine):
 * - first render: navigation → the cameras drawn (`data-map-ready`, set after the first idle with the source in);
 * - frame times while panning by mouse drag, at the city view and at street level;
 * - recolor latency: 1,000 status changes/s pushed over SSE, platform event time → drawn;
 * for each way status reaches the map (feature-state, updateData, setData).
 *
 * - who clusters the cameras for the alert overlay (`--clusters view,maplibre`): the console around the view, or
 *   maplibre's worker (the former way, kept as the reference; the other modes always use it).
 *
 *   pnpm --filter @tessera/web bench:map [--channels 100000] [--modes feature-state,update-data,set-data]
 *                                        [--clusters view,maplibre] [--loads 5]
 *                                        [--pan-ms 4000] [--storm-ms 5000] [--skip-build] [--out file.json]
 *
 * `--loads N` measures the first render N times per variant (fresh browser contexts, variants interleaved so
 * that they share the machine's ups and downs) and reports the median.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import { HEALTH_SYNC_MODES, type HealthSyncMode } from '../src/map/health-sync';
import { buildConsole, DIST_DIR } from './build-console';
import { launchChromium } from '@tessera/testkit/chromium';
import { type ConsoleServer, startConsoleServer } from './fixture/console-server';
import { buildSyntheticCity } from './fixture/synthetic-city';
import {
  MAP,
  pageProbeScript,
  QUIET_FOR,
  READ_MARKS,
  READ_RECOLOR,
  RESET_RECOLOR,
  SETTLED,
  START_FRAMES,
  STOP_FRAMES,
} from './page-probes';
import { type Distribution, distribution, type FrameStats, frameStats } from './stats';

const VIEWPORT = { width: 1440, height: 900 };

type Clustering = 'view' | 'maplibre';
const CLUSTERINGS: readonly Clustering[] = ['view', 'maplibre'];

interface Variant {
  mode: HealthSyncMode;
  clustering: Clustering;
}

/** Only the alert overlay can cluster around the view; the other modes need maplibre's health counts. */
function variantsOf(modes: HealthSyncMode[], clusterings: Clustering[]): Variant[] {
  const variants: Variant[] = [];
  for (const mode of modes) {
    for (const clustering of mode === 'alert-overlay' ? clusterings : ['maplibre' as const]) {
      if (!variants.some((v) => v.mode === mode && v.clustering === clustering))
        variants.push({ mode, clustering });
    }
  }
  return variants;
}

function urlOf(server: ConsoleServer, { mode, clustering }: Variant): string {
  return `${server.url}/?sync=${mode}&clusters=${clustering}#/map`;
}

interface ModeResult {
  mode: HealthSyncMode;
  clustering: Clustering;
  /** Median of `firstRenders`. */
  firstRenderMs: number;
  /** Navigation → cameras drawn, one per load. */
  firstRenders: number[];
  /** performance.mark()s of the console on the way there (ms since navigation). */
  firstRenderMarks: Record<string, number>;
  points: number;
  panCity: FrameStats & { zoom: number };
  panStreet: FrameStats & { zoom: number };
  storm: {
    sent: number;
    ratePerSecond: number;
    frames: FrameStats;
    /** Event time → drawn, for cameras drawn one by one (feature-state). */
    recolorPoints: Distribution;
    /** Event time → drawn with the source reloaded (cluster colours and counts). */
    recolorClusters: Distribution;
  };
  consoleErrors: string[];
}

async function zoomOf(page: Page): Promise<number> {
  return Number(await page.getAttribute(MAP, 'data-map-zoom'));
}

/** Wheel-zooms at the centre until the map idles at `target` or deeper. */
async function zoomTo(page: Page, target: number): Promise<number> {
  let zoom = await zoomOf(page);
  while (zoom < target) {
    await page.mouse.move(VIEWPORT.width / 2, VIEWPORT.height / 2);
    await page.mouse.wheel(0, -400);
    await page.waitForFunction(
      ([selector, previous]) => {
        const element = document.querySelector<HTMLElement>(selector as string);
        return (
          element?.dataset.mapIdle === 'true' && Number(element.dataset.mapZoom) > (previous as number) + 0.05
        );
      },
      [MAP, zoom],
      { timeout: 30_000 },
    );
    zoom = await zoomOf(page);
  }
  return zoom;
}

async function settle(page: Page): Promise<void> {
  await page.waitForFunction(SETTLED, undefined, { timeout: 60_000, polling: 100 });
}

/** Drags the map around in loops for `durationMs`, collecting frame deltas in the page. */
async function pan(page: Page, durationMs: number): Promise<FrameStats & { zoom: number }> {
  await settle(page);
  const zoom = await zoomOf(page);
  const cx = VIEWPORT.width / 2;
  const cy = VIEWPORT.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  await page.evaluate(START_FRAMES);
  const started = Date.now();
  for (let step = 0; Date.now() - started < durationMs; step++) {
    const angle = step / 25;
    await page.mouse.move(cx + 260 * Math.sin(angle), cy + 160 * Math.sin(angle * 1.7));
  }
  await page.mouse.up();
  const frames = (await page.evaluate(STOP_FRAMES)) as number[];
  await page.waitForSelector(`${MAP}[data-map-idle="true"]`, { timeout: 30_000 });
  return { ...frameStats(frames), zoom };
}

/** One page load in a fresh context: navigation → the cameras drawn (ms). */
async function firstRender(browser: Browser, server: ConsoleServer, variant: Variant): Promise<number> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN' });
  await context.addInitScript({ content: pageProbeScript(server.token) });
  try {
    const page = await context.newPage();
    await page.goto(urlOf(server, variant));
    await page.waitForSelector(`${MAP}[data-map-ready="true"]`, { timeout: 120_000 });
    return Number(await page.getAttribute(MAP, 'data-map-ready-ms'));
  } finally {
    await context.close();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function runMode(
  browser: Browser,
  server: ConsoleServer,
  variant: Variant,
  options: { panMs: number; stormMs: number; rate: number; earlierLoads: number[] },
): Promise<ModeResult> {
  const { mode, clustering } = variant;
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN' });
  await context.addInitScript({ content: pageProbeScript(server.token) });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  try {
    await page.goto(urlOf(server, variant));
    await page.waitForSelector(`${MAP}[data-map-ready="true"]`, { timeout: 120_000 });
    const firstRenders = [...options.earlierLoads, Number(await page.getAttribute(MAP, 'data-map-ready-ms'))];
    const points = Number(await page.getAttribute(MAP, 'data-map-points'));
    const firstRenderMarks = (await page.evaluate(READ_MARKS)) as Record<string, number>;

    const panCity = await pan(page, options.panMs);
    await zoomTo(page, 12);
    const panStreet = await pan(page, options.panMs);

    await settle(page);
    await page.evaluate(RESET_RECOLOR);
    await page.evaluate(START_FRAMES);
    const storm = await server.statusStorm({ ratePerSecond: options.rate, durationMs: options.stormMs });
    await page.waitForFunction(QUIET_FOR(3000, Date.now()), undefined, { timeout: 120_000, polling: 250 });
    const stormFrames = (await page.evaluate(STOP_FRAMES)) as number[];
    const recolor = (await page.evaluate(READ_RECOLOR)) as { points: number[]; clusters: number[] };
    return {
      mode,
      clustering,
      firstRenderMs: median(firstRenders),
      firstRenders,
      firstRenderMarks,
      points,
      panCity,
      panStreet,
      storm: {
        sent: storm.sent,
        ratePerSecond: options.rate,
        frames: frameStats(stormFrames),
        recolorPoints: distribution(recolor.points),
        recolorClusters: distribution(recolor.clusters),
      },
      consoleErrors,
    };
  } finally {
    await context.close();
  }
}

function table(results: ModeResult[]): string {
  const f = (s: FrameStats) => `${s.p50}/${s.p95}/${s.max} (${s.over50} >50ms of ${s.count})`;
  const d = (s: Distribution) => (s.count === 0 ? '—' : `${s.p50}/${s.p95}/${s.max} (n=${s.count})`);
  const rows = [
    [
      'mode',
      'clustering',
      'first render ms (median, all)',
      'pan city p50/p95/max ms',
      'pan street',
      'storm frames',
      'recolor points ms',
      'recolor source (clusters, overlay) ms',
    ],
    ...results.map((r) => [
      r.mode,
      r.clustering,
      `${r.firstRenderMs} (${r.firstRenders.join(', ')})`,
      f(r.panCity),
      f(r.panStreet),
      f(r.storm.frames),
      d(r.storm.recolorPoints),
      d(r.storm.recolorClusters),
    ]),
  ];
  return rows.map((row) => `| ${row.join(' | ')} |`).join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      channels: { type: 'string', default: '100000' },
      modes: { type: 'string', default: HEALTH_SYNC_MODES.join(',') },
      clusters: { type: 'string', default: 'view,maplibre' },
      loads: { type: 'string', default: '1' },
      'pan-ms': { type: 'string', default: '4000' },
      'storm-ms': { type: 'string', default: '5000' },
      rate: { type: 'string', default: '1000' },
      'skip-build': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
  });
  const modes = values.modes.split(',').map((m) => {
    const mode = HEALTH_SYNC_MODES.find((known) => known === m);
    if (!mode) throw new Error(`unknown mode ${m}; one of ${HEALTH_SYNC_MODES.join(', ')}`);
    return mode;
  });
  const clusterings = values.clusters.split(',').map((c) => {
    const clustering = CLUSTERINGS.find((known) => known === c);
    if (!clustering) throw new Error(`unknown clustering ${c}; one of ${CLUSTERINGS.join(', ')}`);
    return clustering;
  });
  const variants = variantsOf(modes, clusterings);
  if (!values['skip-build']) {
    const started = performance.now();
    await buildConsole();
    console.error(`[bench] console built in ${Math.round(performance.now() - started)} ms`);
  }
  const generated = performance.now();
  const city = buildSyntheticCity({ channels: Number(values.channels) });
  console.error(
    `[bench] city: ${city.channels.length} channels, ${city.devices.length} devices in ${Math.round(performance.now() - generated)} ms`,
  );
  const server = await startConsoleServer({ distDir: DIST_DIR, city });
  const browser = await launchChromium();
  const browserVersion = browser.version();
  const results: ModeResult[] = [];
  try {
    const loads = new Map<Variant, number[]>(variants.map((v) => [v, []]));
    for (let load = 1; load < Number(values.loads); load++) {
      for (const variant of variants) loads.get(variant)!.push(await firstRender(browser, server, variant));
    }
    for (const variant of variants) {
      console.error(`[bench] ${variant.mode}, clustered by ${variant.clustering}…`);
      results.push(
        await runMode(browser, server, variant, {
          panMs: Number(values['pan-ms']),
          stormMs: Number(values['storm-ms']),
          rate: Number(values.rate),
          earlierLoads: loads.get(variant)!,
        }),
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const report = {
    date: new Date().toISOString(),
    browser: `chromium ${browserVersion} (headless, software WebGL)`,
    viewport: VIEWPORT,
    channels: city.channels.length,
    devices: city.devices.length,
    results,
  };
  console.log(JSON.stringify(report, null, 2));
  console.log(`\n${table(results)}`);
  if (values.out) await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  if (results.some((r) => r.consoleErrors.length > 0)) process.exitCode = 1;
}

await main();
