import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createLogger } from '@tessera/kit';
import { createTestDatabase, launchChromium, type TestDatabase, waitFor } from '@tessera/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, type SimulatedChannel, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD, TesseraInstance } from '../src/tessera-instance';

const SERVER_ID = '43010000002000000001';
const logger = createLogger('e2e-play', process.env.TESSERA_TEST_LOG ?? 'silent');
const PLAYER = readFileSync(join(__dirname, 'fixtures/whep-player.html'));

/** What the test page (fixtures/whep-player.html) puts on its window. */
interface Player {
  play(url: string, token: string): Promise<{ status: number }>;
  leave(): Promise<void>;
  stats(): Promise<{ framesDecoded: number; frameWidth: number; frameHeight: number }>;
  luma(): { mean: number; spread: number };
  firstFrameMs: number;
}

interface PlayAnswer {
  sessionId: string;
  whepUrl: string;
  token: string;
  codec: string;
  width: number;
  height: number;
  shared: boolean;
}

/**
 * Live video the way an operator gets it: the console's API starts the play, the gateway INVITEs a simulated camera
 * that streams real H.264/H.265 as PS over RTP, the media server relays WebRTC, and Debian's Chromium decodes it.
 */
describe('live video from a simulated camera to Chromium', () => {
  let database: TestDatabase;
  let tessera: TesseraInstance;
  let simulator: Simulator;
  let closeEndpoint: () => Promise<void>;
  let pageServer: Server;
  let pageUrl: string;
  let browser: Browser;
  let token: string;
  let h264: SimulatedChannel;
  let h265: SimulatedChannel;
  let silent: SimulatedChannel;

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${tessera.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, ...init.headers },
    });
  const play = async (channelId: string) => {
    const response = await api(`/api/v1/channels/${channelId}/play`, { method: 'POST' });
    return { status: response.status, body: (await response.json()) as PlayAnswer };
  };
  const openPlayer = async (answer: PlayAnswer): Promise<Page> => {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') throw new Error(`console error: ${m.text()}`);
    });
    await page.goto(pageUrl);
    const result = await page.evaluate(
      ([url, t]) => (globalThis as unknown as Player).play(url!, t!),
      [answer.whepUrl, answer.token],
    );
    expect(result.status).toBe(201);
    return page;
  };
  const stats = (page: Page) => page.evaluate(() => (globalThis as unknown as Player).stats());
  const expectMoving = async (page: Page) => {
    const first = await waitFor(
      async () => {
        const s = await stats(page);
        return s.framesDecoded > 5 ? s : undefined;
      },
      { what: 'frames decoded', timeoutMs: 15_000, intervalMs: 100 },
    );
    const later = await waitFor(
      async () => {
        const s = await stats(page);
        return s.framesDecoded > first.framesDecoded + 10 ? s : undefined;
      },
      { what: 'frames keep coming', timeoutMs: 10_000, intervalMs: 100 },
    );
    const luma = await page.evaluate(() => (globalThis as unknown as Player).luma());
    // testsrc2 is colourful: not black, not flat.
    expect(luma.mean).toBeGreaterThan(20);
    expect(luma.spread).toBeGreaterThan(10);
    return later;
  };
  const leave = (page: Page) => page.evaluate(() => (globalThis as unknown as Player).leave());

  beforeAll(async () => {
    database = await createTestDatabase();
    tessera = await TesseraInstance.start({
      sipId: SERVER_ID,
      databaseUrl: database.url,
      rtpPorts: '33000-33099',
      adminPassword: 'e2e-admin-password',
      logger,
      env: { TESSERA_PLAY_TIMEOUT_MS: '6000', TESSERA_PLAY_GRACE_MS: '1000' },
    });
    const { endpoint, port } = await createSimulatorEndpoint({});
    closeEndpoint = () => endpoint.close();
    // Seed 3 plans 10 IPCs; every 5th channel serial is an H.265 camera.
    simulator = new Simulator({
      endpoint,
      server: { id: SERVER_ID, host: '127.0.0.1', port: tessera.gateway.port, transport: 'udp' },
      devices: planCity({ devices: 10, seed: 3, nvrShare: 0 }),
      password: SIMULATED_DEVICE_PASSWORD,
      logger,
      media: {
        host: '127.0.0.1',
        contact: { host: '127.0.0.1', port },
        video: { h264: { width: 640, height: 360 }, h265: { width: 640, height: 360 } },
      },
    });
    const channels = simulator.devices.flatMap((d) => d.channels);
    h264 = channels.find((c) => c.codec === 'h264')!;
    h265 = channels.find((c) => c.codec === 'h265')!;
    silent = channels.filter((c) => c.codec === 'h264')[1]!;
    simulator.silenceMedia(silent.channelId);
    await simulator.start();
    token = await tessera.adminToken();
    await waitFor(
      async () => {
        const list = (await (await api('/api/v1/channels?status=online')).json()) as unknown[];
        return list.length === channels.length;
      },
      { what: 'all channels online', timeoutMs: 20_000, intervalMs: 200 },
    );
    pageServer = createServer((_, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end(PLAYER));
    await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
    pageUrl = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    pageServer?.close();
    await simulator?.stop();
    await closeEndpoint?.();
    await tessera?.close();
    await database?.drop();
  });

  it('plays an H.264 camera; a second viewer shares the upstream; the last one leaving ends it with a BYE', async () => {
    const first = await play(h264.channelId);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ codec: 'h264', width: 640, height: 360, shared: false });
    // The owner's configured URL, the token only in the Authorization header (never in a URL that gets logged).
    expect(first.body.whepUrl).toBe(`${tessera.media.publicUrl}/whep/${first.body.sessionId}`);
    const viaQuery = await fetch(`${first.body.whepUrl}?token=${encodeURIComponent(first.body.token)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp' },
      body: 'v=0\r\n',
    });
    expect(viaQuery.status).toBe(401);
    const viewerA = await openPlayer(first.body);
    const decoded = await expectMoving(viewerA);
    expect([decoded.frameWidth, decoded.frameHeight]).toEqual([640, 360]);
    const firstFrameMs = await viewerA.evaluate(() => (globalThis as unknown as Player).firstFrameMs);
    expect(firstFrameMs).toBeGreaterThan(0);

    const second = await play(h264.channelId);
    expect(second.body).toMatchObject({ sessionId: first.body.sessionId, shared: true });
    const viewerB = await openPlayer(second.body);
    await expectMoving(viewerB);
    // One INVITE for both viewers: the camera streams once.
    expect(simulator.media.sessions().filter((s) => s.channelId === h264.channelId)).toHaveLength(1);

    await leave(viewerA);
    await leave(viewerB);
    await viewerA.close();
    await viewerB.close();
    // Grace period (1 s here), then BYE: the camera stops streaming and the session is gone.
    await waitFor(() => simulator.media.sessions().every((s) => s.channelId !== h264.channelId), {
      what: 'BYE after the last viewer left',
      timeoutMs: 10_000,
    });
    const sessions = (await (await api('/api/v1/play-sessions')).json()) as unknown[];
    expect(sessions).toEqual([]);
  });

  it('plays an H.265 camera in Chromium (transcoded to H.264 while watched)', async () => {
    const answer = await play(h265.channelId);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ codec: 'h265', width: 640, height: 360 });
    const viewer = await openPlayer(answer.body);
    await expectMoving(viewer);
    await leave(viewer);
    await viewer.close();
  });

  it('a camera that never sends media gives 504 and nothing is left half-open', async () => {
    const started = Date.now();
    const answer = await play(silent.channelId);
    expect(answer.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(9_000);
    await waitFor(() => simulator.media.sessions().every((s) => s.channelId !== silent.channelId), {
      what: 'BYE to the silent camera',
      timeoutMs: 5_000,
    });
    expect(tessera.media.snapshot().filter((i) => i.channelId === silent.channelId)).toEqual([]);
  });

  it('a camera hanging up (device BYE) ends the session and the console is told on its event stream', async () => {
    const events: string[] = [];
    const abort = new AbortController();
    const stream = await fetch(`${tessera.url}/api/v1/events?token=${encodeURIComponent(token)}`, {
      signal: abort.signal,
    });
    const reader = stream.body!.getReader();
    const reading = (async () => {
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return;
        events.push(decoder.decode(value));
      }
    })();
    const answer = await play(h264.channelId);
    expect(answer.status).toBe(200);
    const viewer = await openPlayer(answer.body);
    await expectMoving(viewer);
    expect(await simulator.hangUp(h264.channelId)).toBe(1);
    const ended = await waitFor(() => events.join('').match(/event: stream\.ended\ndata: (.*)\n/)?.[1], {
      what: 'stream.ended on the event stream',
      timeoutMs: 5_000,
    });
    expect(JSON.parse(ended)).toMatchObject({
      sessionId: answer.body.sessionId,
      channelId: h264.channelId,
      reason: 'call device-bye',
    });
    expect(tessera.media.snapshot().filter((i) => i.channelId === h264.channelId)).toEqual([]);
    abort.abort();
    await reading;
    await viewer.close();
  });

  it('a camera that refuses the INVITE gives 502 with its SIP status, and the ingest is closed', async () => {
    const busy = simulator.devices.flatMap((d) => d.channels).filter((c) => c.codec === 'h264')[3]!;
    simulator.refuseInvites(busy.channelId, 486);
    const response = await api(`/api/v1/channels/${busy.channelId}/play`, { method: 'POST' });
    expect(response.status).toBe(502);
    expect(((await response.json()) as { message: string }).message).toContain('486');
    expect(tessera.media.snapshot().filter((i) => i.channelId === busy.channelId)).toEqual([]);
    simulator.refuseInvites(busy.channelId, null);
  });

  it("a viewer's lost picture (media.keyframe-wanted) makes the stream's owner ask the camera for a keyframe", async () => {
    const answer = await play(h264.channelId);
    expect(answer.status).toBe(200);
    const ingest = tessera.media.snapshot().find((i) => i.sessionId === answer.body.sessionId)!;
    const before = simulator.keyframeRequests.length;
    // What the media server publishes when a browser sends RTCP PLI (proven in media-server/test/webrtc).
    await tessera.bus.publish('media.keyframe-wanted', {
      ingestId: ingest.ingestId,
      sessionId: answer.body.sessionId,
      reason: 'pli',
      at: new Date().toISOString(),
    });
    await waitFor(() => simulator.keyframeRequests.length === before + 1, { what: 'IFameCmd at the camera' });
    expect(simulator.keyframeRequests.at(-1)!.channelId).toBe(h264.channelId);
  });

  it('a viewer token for another session is refused by the media server', async () => {
    const answer = await play(h264.channelId);
    const other = await play(
      simulator.devices.flatMap((d) => d.channels).filter((c) => c.codec === 'h264')[2]!.channelId,
    );
    const forged = { ...answer.body, token: other.body.token };
    const page = await browser.newPage();
    await page.goto(pageUrl);
    const result = await page.evaluate(
      ([url, t]) => (globalThis as unknown as Player).play(url!, t!),
      [forged.whepUrl, forged.token],
    );
    expect(result.status).toBe(403);
    await page.close();
  });
});
