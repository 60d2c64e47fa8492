import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_PATH, launchChromium, waitFor } from '@tessera/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signViewerToken } from '../../src/auth/viewer-token';
import { scratchDir } from '@tessera/media-protocols/testing';
import {
  encodeTestAudio,
  encodeTestG711a,
  encodeTestVideo,
  GbDevice,
  type GbDeviceOptions,
  udpSender,
} from '../support/gb-device';
import { startTestMediaServer, TEST_SECRET, type TestMediaServer } from '../support/media-server';

const T = { timeoutMs: 5000 };
const PAGE = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'whep-page.html'));

/**
 * Real Chromium (Debian's) as the viewer: a page on another origin POSTs its offer to the WHEP endpoint, and
 * the decoder's own counters (getStats framesDecoded) must rise.
 */
describe.skipIf(!existsSync(CHROMIUM_PATH))('Chromium plays a session over WHEP', () => {
  const scratch = scratchDir();
  const stop = new AbortController();
  let ms: TestMediaServer;
  let page: Server;
  let browser: Browser;
  const playing: Promise<number>[] = [];

  /** A camera on its own session; `audio`: G.711 A-law interleaved, as GB/T 28181 cameras send it. */
  async function startCamera(sessionId: string, clip: Omit<GbDeviceOptions, 'ssrc'>) {
    const ingest = await ms.platform.request(
      'media.open-ingest',
      { sessionId, channelId: '34020000001320000001', transport: 'udp', realm: '3402000000' },
      T,
    );
    await ms.platform.request(
      'media.connect-ingest',
      { ingestId: ingest.ingestId, host: '127.0.0.1', port: 15060, ssrc: null },
      T,
    );
    const sender = await udpSender(ingest.host, ingest.port);
    playing.push(
      new GbDevice({ ...clip, ssrc: Number(ingest.ssrc) })
        .play(sender.send, { signal: stop.signal })
        .finally(() => sender.close()),
    );
    await ms.platform.request(
      'media.await-keyframe',
      { ingestId: ingest.ingestId, timeoutMs: 5000 },
      { timeoutMs: 6000 },
    );
  }

  beforeAll(async () => {
    // A 5 s GOP: without the GOP cache the first picture would wait for the camera's next keyframe.
    const [video, alaw, aac] = await Promise.all([
      encodeTestVideo(scratch.file('clip.h264'), { seconds: 5, gop: 125 }),
      encodeTestG711a(scratch.file('tone.alaw'), 5),
      encodeTestAudio(scratch.file('tone.aac'), 5),
    ]);
    ms = await startTestMediaServer();
    await startCamera('browser', { video });
    await startCamera('browser-audio', { video, audio: alaw, audioCodec: 'g711a' });
    await startCamera('browser-aac', { video, audio: aac, audioCodec: 'aac' });
    page = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(PAGE));
    await new Promise<void>((resolve) => page.listen(0, '127.0.0.1', resolve));
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    stop.abort();
    await Promise.all(playing);
    await browser?.close();
    page?.close();
    await ms?.close();
    scratch.remove();
  });

  it('decodes the relayed H.264: framesDecoded rises', async () => {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(`http://127.0.0.1:${(page.address() as AddressInfo).port}/`);
    const token = signViewerToken(
      { sessionId: 'browser', viewer: 'chromium', exp: Math.floor(Date.now() / 1000) + 60 },
      TEST_SECRET,
    );
    // Another origin than the page (localhost vs 127.0.0.1): CORS is exercised for real.
    const whep = `http://localhost:${ms.server.httpPort}/whep/browser`;
    const started = performance.now();
    const { offer } = await tab.evaluate(
      ([url, t]) =>
        (globalThis as unknown as { play(u: string, t: string): Promise<{ offer: string }> }).play(url!, t!),
      [whep, token],
    );
    expect(offer).toMatch(/H264\/90000/);
    const stats = () =>
      tab.evaluate(() =>
        (globalThis as unknown as { videoStats(): Promise<Record<string, unknown>> }).videoStats(),
      );
    await waitFor(async () => Number((await stats()).framesDecoded ?? 0) >= 1, {
      timeoutMs: 20_000,
      intervalMs: 20,
      what: 'a first decoded frame',
    });
    const firstFrameMs = Math.round(performance.now() - started);
    // The cached GOP makes the first picture independent of the camera's keyframe interval (5 s here).
    expect(firstFrameMs).toBeLessThan(3000);
    const first = await waitFor(
      async () => {
        const s = await stats();
        return Number(s.framesDecoded ?? 0) >= 10 && s;
      },
      { timeoutMs: 20_000, what: 'framesDecoded ≥ 10' },
    ).catch(async (error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(await stats())} ${errors.join('; ')}`);
    });
    await new Promise((r) => setTimeout(r, 1000));
    const later = await stats();
    expect(Number(later.framesDecoded)).toBeGreaterThan(Number(first.framesDecoded) + 15);
    expect(later).toMatchObject({ frameWidth: 640, frameHeight: 360, connectionState: 'connected' });
    console.info('chromium', JSON.stringify({ firstFrameMs, ...later }));
    expect(errors).toEqual([]);
    await tab.close();
  }, 60_000);

  it.each([
    { session: 'browser-audio', camera: 'G.711 A-law', codec: 'audio/PCMA' },
    { session: 'browser-aac', camera: 'AAC', codec: 'audio/opus' },
  ])(
    "a WHEP offer with audio is answered and plays video, with the camera's $camera as $codec",
    async ({ session, codec }) => {
      const tab = await browser.newPage();
      const errors: string[] = [];
      tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
      tab.on('pageerror', (e) => errors.push(e.message));
      await tab.goto(`http://127.0.0.1:${(page.address() as AddressInfo).port}/`);
      const token = signViewerToken(
        { sessionId: session, viewer: 'chromium', exp: Math.floor(Date.now() / 1000) + 60 },
        TEST_SECRET,
      );
      const whep = `http://localhost:${ms.server.httpPort}/whep/${session}`;
      const { offer } = await tab.evaluate(
        ([url, t]) =>
          (
            globalThis as unknown as { play(u: string, t: string, a: boolean): Promise<{ offer: string }> }
          ).play(url!, t!, true),
        [whep, token],
      );
      // Chromium's own offer: audio first (Opus, then G.711 among others), bundled with the video.
      expect(offer).toMatch(/m=audio [\s\S]*opus\/48000[\s\S]*m=video /);
      const stats = () =>
        tab.evaluate(() =>
          (globalThis as unknown as { videoStats(): Promise<Record<string, unknown>> }).videoStats(),
        );
      const playingStats = await waitFor(
        async () => {
          const s = await stats();
          const audio = s.audio as { packetsReceived: number } | undefined;
          return Number(s.framesDecoded ?? 0) >= 10 && (audio?.packetsReceived ?? 0) >= 25 && s;
        },
        { timeoutMs: 20_000, what: '10 frames decoded and 25 audio packets' },
      ).catch(async (error: unknown) => {
        throw new Error(`${(error as Error).message}: ${JSON.stringify(await stats())} ${errors.join('; ')}`);
      });
      expect(playingStats).toMatchObject({ frameWidth: 640, frameHeight: 360, audio: { codec } });
      // Chromium's decoder produced samples from what it received.
      await waitFor(
        async () =>
          Number(
            ((await stats()).audio as { totalSamplesReceived?: number } | undefined)?.totalSamplesReceived,
          ) > 8000,
        { timeoutMs: 10_000, what: 'audio samples decoded' },
      );
      expect(errors).toEqual([]);
      await tab.close();
    },
    60_000,
  );
});
