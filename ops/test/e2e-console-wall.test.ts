import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@tessera/kit';
import {
  createTestDatabase,
  launchChromium,
  signInToConsole,
  type TestDatabase,
  waitFor,
} from '@tessera/testkit';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, type SimulatedChannel, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD, TesseraInstance } from '../src/tessera-instance';

const SERVER_ID = '43010000002000000001';
const WEB_DIR = join(__dirname, '../../web/dist');
const ADMIN_PASSWORD = 'wall-admin-password';
/** Where the screenshots go; docs/screenshots holds the copies that were looked at. */
const SHOTS = process.env.TESSERA_SCREENSHOTS_DIR ?? join(__dirname, '../../.tessera/screenshots');
const logger = createLogger('e2e-console-wall', process.env.TESSERA_TEST_LOG ?? 'silent');

/**
 * Runs in the page (as a string: this package has no DOM types): frames decoded so far by a tile's video element
 * and the luminance of its picture, mean and spread (black or a flat colour has a spread near 0).
 */
const PICTURE_PROBE = `(tile) => {
  const video = document.querySelector('.wall-tile[data-tile="' + tile + '"] video');
  if (!video || video.videoWidth === 0) return { frames: 0, width: 0, mean: 0, spread: 0 };
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 36;
  const context = canvas.getContext('2d');
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  const values = [];
  for (let p = 0; p < data.length; p += 4) values.push(0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2]);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const spread = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { frames: video.getVideoPlaybackQuality().totalVideoFrames, width: video.videoWidth, mean, spread };
}`;

/** What a tile's picture looks like from inside the page. */
interface TilePicture {
  frames: number;
  width: number;
  mean: number;
  spread: number;
}

/**
 * The command center in Debian Chromium against the real platform, gateway, media server and a simulated city that
 * streams real video: cameras dragged onto the wall from the tree and the map play (frames decoded, not black), a
 * dead stream says why and comes back, PTZ buttons reach the camera as the right PTZCmd, layouts are saved and
 * recalled, and an admin creates a user who then sees only their district. (`npm test` builds web/dist first.)
 */
describe('the command center against the real backend', () => {
  let database: TestDatabase;
  let tessera: TesseraInstance;
  let simulator: Simulator;
  let closeEndpoint: () => Promise<void>;
  let browser: Browser;
  let channels: SimulatedChannel[];
  /** H.264 cameras (H.265 ones cost an extra transcoder each), the PTZ domes first. */
  let h264: SimulatedChannel[];

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIR, 'index.html')))
      throw new Error('web/dist is missing: pnpm --filter @tessera/web build');
    mkdirSync(SHOTS, { recursive: true });
    database = await createTestDatabase();
    tessera = await TesseraInstance.start({
      sipId: SERVER_ID,
      databaseUrl: database.url,
      rtpPorts: '33200-33299',
      adminPassword: ADMIN_PASSWORD,
      logger,
      env: { TESSERA_WEB_DIR: WEB_DIR, TESSERA_PLAY_TIMEOUT_MS: '8000', TESSERA_PLAY_GRACE_MS: '2000' },
    });
    const { endpoint, port } = await createSimulatorEndpoint({});
    closeEndpoint = () => endpoint.close();
    // Small pictures: nine live encoders share two cores with the browser.
    const video = { width: 320, height: 180, fps: 12, gop: 24, bitrate: 300_000 };
    simulator = new Simulator({
      endpoint,
      server: { id: SERVER_ID, host: '127.0.0.1', port: tessera.gateway.port, transport: 'udp' },
      devices: planCity({ devices: 18, seed: 7, nvrShare: 0 }),
      password: SIMULATED_DEVICE_PASSWORD,
      logger,
      media: { host: '127.0.0.1', contact: { host: '127.0.0.1', port }, video: { h264: video, h265: video } },
    });
    channels = simulator.devices.flatMap((d) => d.channels);
    h264 = channels.filter((c) => c.codec === 'h264').sort((a, b) => a.ptzType - b.ptzType);
    expect(h264.length).toBeGreaterThanOrEqual(9);
    expect(h264[0]!.ptzType).toBe(1);
    await simulator.start();
    const token = await apiToken('admin', ADMIN_PASSWORD);
    await waitFor(
      async () => {
        const r = await fetch(`${tessera.url}/api/v1/channels?status=online`, {
          headers: { authorization: `Bearer ${token}` },
        });
        return ((await r.json()) as unknown[]).length === channels.length;
      },
      { what: 'the city online', timeoutMs: 20_000, intervalMs: 200 },
    );
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await simulator?.stop();
    await closeEndpoint?.();
    await tessera?.close();
    await database?.drop();
  });

  async function apiToken(username: string, password: string): Promise<string> {
    const login = await fetch(`${tessera.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    return ((await login.json()) as { token: string }).token;
  }

  const signIn = (username: string, password: string, hash = ''): Promise<Page> =>
    signInToConsole(browser, { url: tessera.url, username, password, hash });

  const tile = (page: Page, index: number) => page.locator(`.wall-tile[data-tile="${index}"]`);
  /** Waits until the tile shows this camera. */
  const tileShows = (page: Page, index: number, channelId: string) =>
    page.locator(`.wall-tile[data-tile="${index}"][data-channel-id="${channelId}"]`).waitFor();
  /** Waits for text to appear in (or under) a locator. */
  const text = (scope: Locator, content: string | RegExp, timeout = 15_000) =>
    scope.getByText(content).first().waitFor({ timeout });

  /** Frames decoded so far by the tile's video element, and the picture's luminance (black or flat has ~0 spread). */
  const picture = (page: Page, index: number): Promise<TilePicture> =>
    page.evaluate(`(${PICTURE_PROBE})(${index})`);

  /** The tile plays: frames keep being decoded and the picture is the colourful test pattern, not black. */
  const expectPlaying = async (page: Page, index: number): Promise<TilePicture> => {
    await page.locator(`.wall-tile[data-tile="${index}"][data-state="playing"]`).waitFor({ timeout: 25_000 });
    const first = await waitFor(
      async () => {
        const p = await picture(page, index);
        return p.frames > 3 ? p : undefined;
      },
      { what: `tile ${index} decoding`, timeoutMs: 15_000, intervalMs: 200 },
    );
    const later = await waitFor(
      async () => {
        const p = await picture(page, index);
        return p.frames > first.frames + 5 ? p : undefined;
      },
      { what: `tile ${index} frames keep coming`, timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(later.width).toBe(320);
    expect(later.mean).toBeGreaterThan(20);
    expect(later.spread).toBeGreaterThan(10);
    return later;
  };

  it('a camera dragged from the org tree plays in its tile; a dead stream says why and comes back', async () => {
    const page = await signIn('admin', ADMIN_PASSWORD, '#/wall');
    await page.getByRole('button', { name: '4 画面' }).click();
    await page.getByRole('tab', { name: '组织树' }).click();
    const camera = h264[1]!;
    await page.locator('.wall-source-pane input[type=search]').fill(camera.name);
    const leaf = page.locator(`.wall-source-pane .tree-leaf[data-channel-id="${camera.channelId}"]`);
    await leaf.dragTo(tile(page, 0));
    await tileShows(page, 0, camera.channelId);
    expect(await tile(page, 0).locator('.tile-name').textContent()).toBe(camera.name);
    expect(await tile(page, 0).locator('.tile-clock').textContent()).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/,
    );
    await expectPlaying(page, 0);

    // The camera hangs up: the platform's stream.ended reaches the tile, which says so and plays again.
    expect(await simulator.hangUp(camera.channelId)).toBe(1);
    await text(tile(page, 0).locator('.tile-error'), '视频流已中断', 10_000);
    await text(tile(page, 0).locator('.tile-error'), /秒后重试/);
    await expectPlaying(page, 0);
    await page.close();
  }, 90_000);

  it('a camera dragged from a map popup plays', async () => {
    const camera = h264[2]!;
    const page = await signIn('admin', ADMIN_PASSWORD, `#/wall?focus=${camera.channelId}`);
    await page.getByRole('button', { name: '4 画面' }).click();
    const handle = page.locator(`.camera-popup[data-channel-id="${camera.channelId}"] .popup-drag`);
    await handle.waitFor({ timeout: 20_000 });
    await handle.dragTo(tile(page, 1));
    await tileShows(page, 1, camera.channelId);
    await expectPlaying(page, 1);
    await page.close();
  }, 90_000);

  it('a held PTZ button sends the move at the chosen speed, and its release the stop', async () => {
    const dome = h264[0]!;
    const page = await signIn('admin', ADMIN_PASSWORD, `#/wall?play=${dome.channelId}`);
    const shown = page.locator(`.wall-tile[data-channel-id="${dome.channelId}"]`);
    await shown.click({ position: { x: 40, y: 60 } });
    const panel = page.getByRole('region', { name: '云台控制' });
    await panel.waitFor();
    await panel.getByRole('slider').fill('8');
    await text(panel, '速度 8');
    const before = simulator.ptzLog.length;
    await panel.locator('[data-ptz="up-left"]').hover();
    await page.mouse.down();
    await waitFor(() => simulator.ptzLog.length > before, { what: 'the move at the camera' });
    await page.mouse.up();
    await waitFor(() => simulator.ptzLog.length >= before + 2, { what: 'the stop at the camera' });
    const [move, stop] = simulator.ptzLog.slice(before);
    expect(move).toMatchObject({
      channelId: dome.channelId,
      command: { type: 'move', direction: 'up-left', panSpeed: 204, tiltSpeed: 204 },
    });
    expect(stop).toMatchObject({ channelId: dome.channelId, command: { type: 'stop' } });

    await panel.locator('[data-ptz="zoom-in"]').hover();
    await page.mouse.down();
    await page.mouse.up();
    await panel.getByRole('spinbutton').fill('7');
    await panel.locator('[data-ptz="preset-call"]').click();
    await waitFor(() => simulator.ptzLog.length >= before + 5, {
      what: 'zoom, stop and preset at the camera',
    });
    expect(simulator.ptzLog.slice(before + 2).map((entry) => entry.command)).toEqual([
      { type: 'zoom', direction: 'in', speed: 12 },
      { type: 'stop' },
      { type: 'preset', action: 'call', preset: 7 },
    ]);
    await text(panel.getByRole('status'), /已发送 PTZCmd A50F01/);
    await expectPlaying(page, Number(await shown.getAttribute('data-tile')));
    await page.screenshot({ path: join(SHOTS, 'wall-ptz.png') });
    await page.close();
  }, 90_000);

  it('nine live tiles are saved as a layout and recalled after a reload', async () => {
    const page = await signIn('admin', ADMIN_PASSWORD, '#/wall');
    await page.getByRole('button', { name: '9 画面' }).click();
    const nine = h264.slice(0, 9);
    for (const camera of nine) {
      await page.evaluate(`location.hash = '#/wall?play=${camera.channelId}'`);
      await page.locator(`.wall-tile[data-channel-id="${camera.channelId}"]`).waitFor();
    }
    await page.getByLabel('布局名称').fill('九画面值守');
    await page.getByRole('button', { name: '保存布局' }).click();
    await text(page.locator('.layout-bar'), '已保存布局“九画面值守”');

    // A fresh tab: the wall starts empty (the session's wall is per tab), the saved layout comes from the platform.
    await page.evaluate(`sessionStorage.removeItem('tessera.wall')`);
    await page.reload();
    await page.locator('.live-indicator.live-open').waitFor();
    await tile(page, 0).waitFor();
    expect(await page.locator('.wall-tile[data-channel-id]').count()).toBe(0);
    await page.getByLabel('调取布局').selectOption('九画面值守');
    for (const [i, camera] of nine.entries()) await tileShows(page, i, camera.channelId);
    for (let i = 0; i < 9; i++) await expectPlaying(page, i);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(SHOTS, 'wall-9.png') });
    await page.close();
  }, 180_000);

  it('an admin creates a district operator in the console, who then sees only that district', async () => {
    const furong = channels.filter((c) => c.civilCode.startsWith('430102'));
    expect(furong.length).toBeGreaterThan(0);
    expect(furong.length).toBeLessThan(channels.length);
    const admin = await signIn('admin', ADMIN_PASSWORD, '#/users');
    const form = admin.getByRole('form', { name: '新建用户' });
    await form.locator('input[name=new-username]').fill('furong-duty');
    await form.locator('input[name=new-password]').fill('furong-duty-password');
    await form.locator('select[name=role]').selectOption('operator');
    await form.getByRole('radio', { name: /芙蓉区/ }).check();
    await text(form, '已选：芙蓉区（430102）');
    await form.getByRole('button', { name: '创建用户' }).click();
    await text(admin.locator('.users-view'), '已创建用户 furong-duty');
    await text(admin.getByRole('row', { name: /furong-duty/ }), '操作员');
    await text(admin.getByRole('row', { name: /furong-duty/ }), '芙蓉区');
    await admin.mouse.move(0, 0);
    await admin.screenshot({ path: join(SHOTS, 'users.png') });

    const operator = await signIn('furong-duty', 'furong-duty-password');
    await operator.getByText(`${furong.length} 个点位`).waitFor();
    expect(await operator.getByRole('link', { name: '用户管理' }).count()).toBe(0);
    await admin.close();
    await operator.close();
  }, 90_000);
});
