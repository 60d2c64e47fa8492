/**
 * Map benchmark: builds the console, serves it with a synthetic 长沙 of 100,000 cameras, and measures in
 * Debian's chromium (software WebGL, as on a CI machine):
 * - first render: navigation → the cameras drawn (`data-map-ready`, set after the first idle with the source in);
 * - frame times while panning by mouse drag, at the city view and at street level;
 * - recolor latency: 1,000 status changes/s pushed over SSE, platform event time → drawn;
 * for each way status reaches the map (feature-state, updateData, setData).
 *
 *   pnpm --filter @tessera/web bench:map [--channels 100000] [--modes feature-state,update-data,set-data]
 *                                        [--pan-ms 4000] [--storm-ms 5000] [--skip-build] [--out file.json]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Browser, Page } from '@playwright/test';
import { HEALTH_SYNC_MODES, type HealthSyncMode } from '../src/map/health-sync';
import { buildConsole, DIST_DIR } from './build-console';
import { launchChromium } from './chromium';
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

interface ModeResult {
  mode: HealthSyncMode;
  firstRenderMs: number;
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

async function runMode(
  browser: Browser,
  server: ConsoleServer,
  mode: HealthSyncMode,
  options: { panMs: number; stormMs: number; rate: number },
): Promise<ModeResult> {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN' });
  await context.addInitScript({ content: pageProbeScript(server.token) });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  try {
    await page.goto(`${server.url}/?sync=${mode}#/map`);
    await page.waitForSelector(`${MAP}[data-map-ready="true"]`, { timeout: 120_000 });
    const firstRenderMs = Number(await page.getAttribute(MAP, 'data-map-ready-ms'));
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
      firstRenderMs,
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
      'first render ms',
      'pan city p50/p95/max ms',
      'pan street',
      'storm frames',
      'recolor points ms',
      'recolor source (clusters, overlay) ms',
    ],
    ...results.map((r) => [
      r.mode,
      String(r.firstRenderMs),
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
    for (const mode of modes) {
      console.error(`[bench] ${mode}…`);
      results.push(
        await runMode(browser, server, mode, {
          panMs: Number(values['pan-ms']),
          stormMs: Number(values['storm-ms']),
          rate: Number(values.rate),
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
