import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@tessera/kit';
import {
  createTestDatabase,
  launchChromium,
  signInToConsole,
  type TestDatabase,
  waitFor,
} from '@tessera/testkit';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulatorEndpoint, planCity, Simulator } from '../src/simulator';
import { SIMULATED_DEVICE_PASSWORD, TesseraInstance } from '../src/tessera-instance';

const SERVER_ID = '43010000002000000001';
const WEB_DIR = join(__dirname, '../../web/dist');
const logger = createLogger('e2e-console', process.env.TESSERA_TEST_LOG ?? 'silent');

/**
 * The built console served by the platform, driven in Debian Chromium against the real backend and a simulated
 * city: a district operator sees only the district's points, and a camera whose keepalives stop turns red on the
 * map and turns up in the outage panel within its offline timeout. (`npm test` builds web/dist before this runs.)
 */
describe('the console against the real platform', () => {
  let database: TestDatabase;
  let tessera: TesseraInstance;
  let simulator: Simulator;
  let closeEndpoint: () => Promise<void>;
  let browser: Browser;
  let adminToken: string;

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIR, 'index.html')))
      throw new Error('web/dist is missing: pnpm --filter @tessera/web build');
    database = await createTestDatabase();
    tessera = await TesseraInstance.start({
      sipId: SERVER_ID,
      databaseUrl: database.url,
      rtpPorts: '33300-33399',
      adminPassword: 'console-admin-password',
      logger,
      env: {
        TESSERA_WEB_DIR: WEB_DIR,
        TESSERA_KEEPALIVE_FLUSH_MS: '200',
        TESSERA_KEEPALIVE_INTERVAL_SEC: '1',
        TESSERA_KEEPALIVE_COUNT: '2',
      },
    });
    const { endpoint } = await createSimulatorEndpoint({});
    closeEndpoint = () => endpoint.close();
    simulator = new Simulator({
      endpoint,
      server: { id: SERVER_ID, host: '127.0.0.1', port: tessera.gateway.port, transport: 'udp' },
      devices: planCity({ devices: 24, seed: 21, nvrShare: 0.25, channelsPerNvr: 4 }),
      password: SIMULATED_DEVICE_PASSWORD,
      logger,
      keepaliveIntervalSec: 1,
    });
    await simulator.start();
    adminToken = await tessera.adminToken();
    const total = simulator.devices.reduce((n, d) => n + d.channels.length, 0);
    await waitFor(
      async () => {
        const r = await fetch(`${tessera.url}/api/v1/channels?status=online`, {
          headers: { authorization: `Bearer ${adminToken}` },
        });
        return ((await r.json()) as unknown[]).length === total;
      },
      { what: 'the city online', timeoutMs: 20_000, intervalMs: 200 },
    );
    const user = await fetch(`${tessera.url}/api/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        username: 'furong-op',
        password: 'furong-op-password',
        role: 'operator',
        civilCode: '430102',
      }),
    });
    expect(user.status).toBe(201);
    browser = await launchChromium();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await simulator?.stop();
    await closeEndpoint?.();
    await tessera?.close();
    await database?.drop();
  });

  const signIn = (username: string, password: string): Promise<Page> =>
    signInToConsole(browser, { url: tessera.url, username, password });

  it('a district operator sees only the district’s points on the map', async () => {
    const channels = simulator.devices.flatMap((d) => d.channels);
    const furong = channels.filter((c) => c.civilCode.startsWith('430102')).length;
    expect(furong).toBeGreaterThan(0);
    expect(furong).toBeLessThan(channels.length);
    const admin = await signIn('admin', 'console-admin-password');
    await admin.getByText(`${channels.length} 个点位`).waitFor();
    const operator = await signIn('furong-op', 'furong-op-password');
    await operator.getByText(`${furong} 个点位`).waitFor();
    await admin.close();
    await operator.close();
  });

  it('退出登录 revokes the token on the platform, not only in the tab', async () => {
    const page = await signIn('furong-op', 'furong-op-password');
    const token = await page.evaluate<string | null>("sessionStorage.getItem('tessera.token')");
    expect(token).toBeTruthy();
    const me = () =>
      fetch(`${tessera.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.status,
      );
    expect(await me()).toBe(200);
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.locator('input[name=username]').waitFor();
    await waitFor(async () => (await me()) === 401, { what: 'the old token refused', timeoutMs: 5_000 });
    await page.close();
  });

  it('a camera that stops keepalives turns red on the map and enters the outage panel, and leaves both when it comes back', async () => {
    const page = await signIn('admin', 'console-admin-password');
    // The map's container counts the cameras its red/orange overlay draws (`data-map-alerts`, set once drawn).
    const map = page.getByTestId('map');
    await page.waitForSelector('[data-testid="map"][data-map-ready="true"]', { timeout: 20_000 });
    const alertsOnMap = async () => Number(await map.getAttribute('data-map-alerts'));
    const before = await alertsOnMap();
    const victim = simulator.devices.find((d) => d.channels.length === 1)!;
    const name = victim.channels[0]!.name;
    simulator.pauseKeepalives(victim.deviceId);
    const mapShows = (count: number) =>
      page.waitForSelector(`[data-testid="map"][data-map-alerts="${count}"]`, {
        state: 'attached',
        timeout: 10_000,
      });
    await mapShows(before + 1);
    await page.getByText('告警与故障').first().click();
    // 1 s × 2 keepalives offline timeout, the sweep, the bus, the SSE stream.
    await page.getByText(name).first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(__dirname, '../../.tessera/outage-live.png') });
    simulator.pauseKeepalives(victim.deviceId, false);
    await page.getByText(name).first().waitFor({ state: 'detached', timeout: 15_000 });
    await mapShows(before);
    expect(await alertsOnMap()).toBe(before);
    await page.close();
  });
});
