import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, signInToConsole, waitFor } from '@tessera/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraItem, channelIdIn, deviceIdIn } from '../support/fixtures';
import { ADMIN_PASSWORD, TestPlatform } from '../support/platform';
import {
  gridVectorTile,
  PMTILES_MVT,
  pmtilesArchive,
  streetTilePng,
  TileServer,
  tilesCovering,
} from './basemap-fixtures';

/** playwright-core's types, through the test kit (this package does not depend on playwright-core itself). */
type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<typeof signInToConsole>>;

const WEB_DIR = join(import.meta.dirname, '../../../web/dist');
/** Where the screenshots go; docs/screenshots holds copies that were looked at. */
const SHOTS =
  process.env.TESSERA_SCREENSHOTS_DIR ?? join(import.meta.dirname, '../../../.tessera/screenshots');

/**
 * Runs in the page (a string: this package has no DOM types): the share of pixels of a PNG screenshot that are
 * bright (luminance > 140; `near` null) or within 40 of the colour `near`. The console's map without a base map
 * is dark blue; the test's raster streets are light, its vector streets a grey-blue of their own.
 */
const PIXEL_SHARE = `async (dataUrl, near) => {
  const image = new Image();
  image.src = dataUrl;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let hits = 0;
  for (let p = 0; p < data.length; p += 4) {
    const [r, g, b] = [data[p], data[p + 1], data[p + 2]];
    const hit = near
      ? Math.hypot(r - near[0], g - near[1], b - near[2]) < 40
      : 0.299 * r + 0.587 * g + 0.114 * b > 140;
    if (hit) hits++;
  }
  return hits / (data.length / 4);
}`;

async function pixelShare(
  page: Page,
  near: readonly [number, number, number] | null = null,
): Promise<number> {
  const png = await page.locator('[data-testid=map]').screenshot();
  return page.evaluate(
    `(${PIXEL_SHARE})(${JSON.stringify(`data:image/png;base64,${png.toString('base64')}`)}, ${JSON.stringify(near)})`,
  ) as Promise<number>;
}

/** The console's vector street colour (web/src/map/basemap.ts VECTOR_LINE #5d7f9f) under the districts' tint. */
const VECTOR_STREET: readonly [number, number, number] = [82, 114, 146];

/** A few cameras around 五一广场 so the map has points over the streets. */
async function seedCameras(t: TestPlatform): Promise<void> {
  const device = deviceIdIn('43010200', 7);
  await t.register(device);
  await t.publishCatalog(
    device,
    [0, 1, 2, 3, 4, 5].map((i) =>
      cameraItem(channelIdIn('43010201', 40 + i), '43010201', {
        longitude: 112.977 + (i % 3) * 0.004,
        latitude: 28.196 + Math.floor(i / 3) * 0.003,
        parentId: device,
      }),
    ),
  );
  const admin = await t.adminToken();
  await waitFor(
    async () => (await t.get<unknown[]>(`/api/v1/channels?deviceId=${device}`, admin)).body.length === 6,
    { what: 'the cameras in the inventory' },
  );
}

/**
 * The console in Debian Chromium against the real platform: with `TESSERA_BASEMAP` set to an XYZ server (a
 * local one standing in for the police GIS), the map fetches its street tiles from the platform, with the
 * console's token, and draws them under the districts and cameras; with none configured, the map says so.
 */
describe('the console map and its street base map', () => {
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(join(WEB_DIR, 'index.html')))
      throw new Error('web/dist is missing: pnpm --filter @tessera/web build');
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('with an XYZ base map configured', () => {
    let gis: TileServer;
    let t: TestPlatform;

    beforeAll(async () => {
      gis = await TileServer.start({ tile: streetTilePng([236, 228, 208], [255, 255, 255]) });
      t = await TestPlatform.start(
        { TESSERA_BASEMAP: `${gis.template}#attribution=测试街道底图`, TESSERA_WEB_DIR: WEB_DIR },
        { embedded: true },
      );
      await seedCameras(t);
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      await gis?.close();
    });

    it('draws street tiles fetched through the platform with the console token, and shows no notice', async () => {
      const page = await signInToConsole(browser, {
        url: t.url,
        username: 'admin',
        password: ADMIN_PASSWORD,
        hash: `#/map?focus=${channelIdIn('43010201', 44)}`,
        viewport: { width: 1366, height: 768 },
      });
      const tileRequests: { url: string; authorization: string | undefined; status: number | null }[] = [];
      page.on('requestfinished', (request) => {
        if (!request.url().includes('/basemap/') && !request.url().startsWith(gis.url)) return;
        void request.response().then((response) =>
          tileRequests.push({
            url: request.url(),
            authorization: request.headers().authorization,
            status: response?.status() ?? null,
          }),
        );
      });
      const map = page.locator('[data-testid=map]');
      await expect.poll(() => map.getAttribute('data-basemap'), { timeout: 15_000 }).toBe('raster');
      // Street level: the console flies to a camera (zoom 16).
      await expect
        .poll(async () => Number((await map.getAttribute('data-map-zoom')) ?? 0), { timeout: 15_000 })
        .toBeGreaterThan(15);
      await expect.poll(() => map.getAttribute('data-map-idle'), { timeout: 10_000 }).toBe('true');
      await expect.poll(() => pixelShare(page), { timeout: 15_000 }).toBeGreaterThan(0.5);
      await page.screenshot({ path: join(SHOTS, 'map-basemap-street.png') });

      expect(Number(await map.getAttribute('data-basemap-tiles'))).toBeGreaterThan(4);
      expect(await page.getByTestId('basemap-notice').count()).toBe(0);
      // Every tile came from the platform, with the token and 200; the browser never reached the GIS itself.
      await waitFor(async () => tileRequests.length > 4, { what: 'tile requests', timeoutMs: 5_000 });
      for (const request of tileRequests) {
        expect(request.url.startsWith(`${t.url}/api/v1/basemap/`)).toBe(true);
        expect(request.authorization).toMatch(/^Bearer /);
        expect(request.status).toBe(200);
      }
      // …and the GIS saw the platform's requests for those tiles, at street-level zoom.
      expect(gis.seen.some((r) => /^\/tiles\/1[2-9]\/\d+\/\d+\.png$/.test(r.path))).toBe(true);
      await page.close();
    }, 90_000);

    it('says the street base map is unavailable when the GIS stops answering (the platform answers 502)', async () => {
      await gis.close();
      const page = await signInToConsole(browser, {
        url: t.url,
        username: 'admin',
        password: ADMIN_PASSWORD,
        hash: `#/map?focus=${channelIdIn('43010201', 41)}`,
        viewport: { width: 1366, height: 768 },
      });
      const notice = page.getByTestId('basemap-notice');
      await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toContain('街道底图暂不可用');
      expect(
        Number(await page.locator('[data-testid=map]').getAttribute('data-basemap-errors')),
      ).toBeGreaterThan(0);
      await page.close();
    }, 60_000);
  });

  describe('with a vector PMTiles archive', () => {
    let dir: string;
    let t: TestPlatform;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'tessera-basemap-'));
      // Dense streets (every 32 units of 4096): at street level they cover several per cent of the map.
      const road = gridVectorTile('road', 32);
      const around = { west: 112.9, south: 28.1, east: 113.1, north: 28.3 };
      writeFileSync(
        join(dir, 'roads.pmtiles'),
        pmtilesArchive({
          tiles: tilesCovering(12, around).map(({ x, y }) => ({ z: 12, x, y, data: road })),
          tileType: PMTILES_MVT,
          metadata: { vector_layers: [{ id: 'road' }] },
        }),
      );
      t = await TestPlatform.start(
        { TESSERA_BASEMAP: join(dir, 'roads.pmtiles'), TESSERA_WEB_DIR: WEB_DIR },
        { embedded: true },
      );
      await seedCameras(t);
    }, 60_000);
    afterAll(async () => {
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("draws the archive's road layer as lines (vector tiles, overzoomed from zoom 12)", async () => {
      const page = await signInToConsole(browser, {
        url: t.url,
        username: 'admin',
        password: ADMIN_PASSWORD,
        hash: `#/map?focus=${channelIdIn('43010201', 44)}`,
        viewport: { width: 1366, height: 768 },
      });
      const map = page.locator('[data-testid=map]');
      await expect.poll(() => map.getAttribute('data-basemap'), { timeout: 15_000 }).toBe('vector');
      await expect
        .poll(async () => Number((await map.getAttribute('data-map-zoom')) ?? 0), { timeout: 15_000 })
        .toBeGreaterThan(15);
      await expect.poll(() => map.getAttribute('data-map-idle'), { timeout: 10_000 }).toBe('true');
      await page.screenshot({ path: join(SHOTS, 'map-basemap-vector.png') });
      await expect.poll(() => pixelShare(page, VECTOR_STREET), { timeout: 15_000 }).toBeGreaterThan(0.03);
      expect(await page.getByTestId('basemap-notice').count()).toBe(0);
      await page.close();
    }, 60_000);
  });

  describe('with none configured', () => {
    let t: TestPlatform;

    beforeAll(async () => {
      t = await TestPlatform.start({ TESSERA_WEB_DIR: WEB_DIR }, { embedded: true });
    }, 60_000);
    afterAll(() => t?.close());

    it('says on the map that no street base map is configured, and the map stays dark', async () => {
      const page = await signInToConsole(browser, {
        url: t.url,
        username: 'admin',
        password: ADMIN_PASSWORD,
        hash: '#/map',
        viewport: { width: 1366, height: 768 },
      });
      const notice = page.getByTestId('basemap-notice');
      await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toContain('未配置街道底图');
      const map = page.locator('[data-testid=map]');
      expect(await map.getAttribute('data-basemap')).toBe('none');
      await expect.poll(() => map.getAttribute('data-map-idle'), { timeout: 10_000 }).toBe('true');
      expect(await pixelShare(page)).toBeLessThan(0.05);
      // The districts' borders come near the vector streets' colour too: under a per cent of the map.
      expect(await pixelShare(page, VECTOR_STREET)).toBeLessThan(0.015);
      await page.screenshot({ path: join(SHOTS, 'map-basemap-none.png') });
      await page.close();
    }, 60_000);
  });
});
