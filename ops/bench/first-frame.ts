/**
 * Time to first frame and glass-to-glass latency, the way an operator sees them, on loopback:
 *  - cold: click (POST /play) → INVITE → first keyframe → WHEP → first decoded frame in Chromium, each on a camera
 *    nobody watches yet (GOP 2 s);
 *  - warm: a second viewer joining a live camera (served from the GOP cache);
 *  - glass-to-glass: the simulated camera draws the wall clock (ms) on each frame as it encodes it; Chromium
 *    screenshots of the playing video are read back with tesseract OCR and compared with the capture time.
 *   pnpm exec tsx ops/bench/first-frame.ts [--trials 8] [--shots 15]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '@tessera/kit';
import { launchChromium, percentile } from '@tessera/testkit';
import type { Page } from 'playwright-core';
import { createSimulatorEndpoint, planCity, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD, TesseraInstance } from '../src/tessera-instance';
import { benchDir, machine, saveResult } from './support';

const SERVER_ID = '43010000002000000001';
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const trials = Number(arg('trials', '8'));
const shots = Number(arg('shots', '15'));

interface Player {
  play(url: string, token: string): Promise<{ status: number }>;
  leave(): Promise<void>;
  firstFrameMs: number | null;
}

async function main(): Promise<void> {
  const logger = createLogger('bench', 'warn');
  // Embedded PGlite in memory: nothing to set up, nothing left behind.
  const tessera = await TesseraInstance.start({
    sipId: SERVER_ID,
    rtpPorts: '34000-34099',
    adminPassword: 'bench-admin-password',
    logger,
    env: { TESSERA_PLAY_GRACE_MS: '500' },
  });
  const { endpoint, port } = await createSimulatorEndpoint({});
  const simulator = new Simulator({
    endpoint,
    server: { id: SERVER_ID, host: '127.0.0.1', port: tessera.gateway.port, transport: 'udp' },
    devices: planCity({ devices: trials + 4, seed: 8, nvrShare: 0 }),
    password: SIMULATED_DEVICE_PASSWORD,
    logger,
    media: { host: '127.0.0.1', contact: { host: '127.0.0.1', port } },
  });
  await simulator.start();
  const token = await tessera.adminToken();
  const channels = simulator.devices.flatMap((d) => d.channels).filter((c) => c.codec === 'h264');
  for (let i = 0; i < 100; i++) {
    const list = (await (
      await fetch(`${tessera.url}/api/v1/channels?status=online`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as unknown[];
    if (list.length >= channels.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const page = readFileSync(join(benchDir, '../test/fixtures/whep-player.html'));
  const server = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(page));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const pageUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await launchChromium();

  /** Click → first decoded frame, in wall-clock ms (page and bench share the machine's clock). */
  const timeToFirstFrame = async (
    channelId: string,
  ): Promise<{ ms: number; apiMs: number; page: Page; shared: boolean }> => {
    const viewer = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    await viewer.goto(pageUrl);
    const clicked = Date.now();
    const response = await fetch(`${tessera.url}/api/v1/channels/${channelId}/play`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    const answer = (await response.json()) as { whepUrl: string; token: string; shared: boolean };
    const apiMs = Date.now() - clicked;
    const started = await viewer.evaluate(() => performance.timeOrigin + performance.now());
    await viewer.evaluate(
      ([url, t]) => (globalThis as unknown as Player).play(url!, t!),
      [answer.whepUrl, answer.token],
    );
    await viewer.waitForFunction(() => (globalThis as unknown as Player).firstFrameMs !== null, undefined, {
      timeout: 15_000,
    });
    const firstFrameMs = await viewer.evaluate(() => (globalThis as unknown as Player).firstFrameMs!);
    return { ms: started + firstFrameMs - clicked, apiMs, page: viewer, shared: answer.shared };
  };

  const cold: number[] = [];
  const coldApi: number[] = [];
  const warm: number[] = [];
  const pages: Page[] = [];
  for (const channel of channels.slice(0, trials)) {
    const first = await timeToFirstFrame(channel.channelId);
    cold.push(first.ms);
    coldApi.push(first.apiMs);
    const second = await timeToFirstFrame(channel.channelId);
    if (!second.shared) throw new Error('second viewer did not share the upstream');
    warm.push(second.ms);
    // Keep only the first camera's first viewer (read for glass-to-glass below): two cores cannot decode and
    // encode a whole wall at once, and a busy machine would measure itself, not the path.
    for (const viewer of pages.length === 0 ? [second.page] : [first.page, second.page]) {
      await viewer.evaluate(() => (globalThis as unknown as Player).leave());
      await viewer.close();
    }
    if (pages.length === 0) pages.push(first.page);
    process.stderr.write(
      `${channel.channelId}: cold ${first.ms} ms (API ${first.apiMs} ms), warm ${second.ms} ms\n`,
    );
  }

  // Glass-to-glass on the first channel's viewer: read the camera's clock off the decoded picture.
  const viewer = pages[0]!;
  await viewer.evaluate(() => {
    const video = document.getElementById('video') as HTMLVideoElement;
    video.width = 1280;
    video.height = 720;
  });
  await new Promise((r) => setTimeout(r, 1000));
  const box = (await viewer.locator('#video').boundingBox())!;
  const latencies: number[] = [];
  const unread: string[] = [];
  for (let i = 0; i < shots; i++) {
    const before = Date.now();
    const png = await viewer.screenshot({
      clip: { x: box.x, y: box.y + box.height - 110, width: 420, height: 110 },
    });
    const after = Date.now();
    const text = execFileSync('tesseract', ['stdin', 'stdout', '--psm', '7'], { input: png }).toString();
    const match = /(\d{2})\D?(\d{2})\D?(\d{2})\D(\d{3})/.exec(text.replace(/\s/g, ''));
    if (!match) {
      unread.push(text.trim());
      continue;
    }
    const [, h, m, s, ms] = match.map(Number) as number[];
    const drawn = new Date(before);
    drawn.setHours(h!, m!, s!, ms!);
    // The screenshot shows what was on screen somewhere between before and after.
    latencies.push((before + after) / 2 - drawn.getTime());
    await new Promise((r) => setTimeout(r, 150));
  }

  for (const p of pages) await p.close();
  await browser.close();
  server.close();
  await simulator.stop();
  await endpoint.close();
  await tessera.close();

  const stats = (values: number[]) => ({
    n: values.length,
    p50: Math.round(percentile(values, 50)),
    p90: Math.round(percentile(values, 90)),
    max: Math.round(Math.max(...values)),
  });
  const result = {
    benchmark: 'first-frame',
    at: new Date().toISOString(),
    machine: machine(),
    camera: 'simulated, H.264 1280x720 25 fps 2 Mbit/s GOP 2 s, UDP',
    coldClickToFirstFrameMs: stats(cold),
    coldPlayApiMs: stats(coldApi),
    warmClickToFirstFrameMs: stats(warm),
    glassToGlassMs: latencies.length ? stats(latencies) : null,
    ocrUnreadable: unread.length,
    targets: 'cold p50 < 1000 ms; glass-to-glass < 300 ms',
  };
  const file = saveResult('first-frame', result);
  console.log(JSON.stringify(result, null, 2));
  console.log(`saved ${file}`);
}

await main();
