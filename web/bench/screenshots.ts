/**
 * Screenshots of the console with a synthetic 长沙 of 100,000 cameras, for the docs:
 * docs/screenshots/map-100k.png, map-street.png, outages.png, org-tree.png.
 *
 *   pnpm --filter @tessera/web screenshots [--skip-build]
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildConsole, DIST_DIR, WEB_DIR } from './build-console';
import { launchChromium } from '@tessera/testkit/chromium';
import { startConsoleServer } from './fixture/console-server';
import { buildSyntheticCity } from './fixture/synthetic-city';
import { MAP, pageProbeScript } from './page-probes';

const OUT = join(WEB_DIR, '..', 'docs', 'screenshots');

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'skip-build': { type: 'boolean', default: false } } });
  if (!values['skip-build']) await buildConsole();
  await mkdir(OUT, { recursive: true });
  const city = buildSyntheticCity({ channels: 100_000 });
  const server = await startConsoleServer({ distDir: DIST_DIR, city });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await context.addInitScript({ content: pageProbeScript(server.token) });
    const page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') console.error('[page]', message.text());
    });

    await page.goto(`${server.url}/#/map`);
    await page.waitForSelector(`${MAP}[data-map-ready="true"][data-map-idle="true"]`, { timeout: 120_000 });
    await page.waitForSelector('.cluster-label');
    await page.screenshot({ path: join(OUT, 'map-100k.png') });

    // Street level with a popup: fly to the first camera that is down.
    const down = city.channels.find((c) => c.status === 'offline' && c.civilCode?.startsWith('430102'));
    if (down) {
      await page.goto(`${server.url}/#/map?focus=${down.channelId}`);
      await page.waitForSelector('.camera-popup');
      await page.waitForSelector(`${MAP}[data-map-idle="true"]`);
      await page.screenshot({ path: join(OUT, 'map-street.png') });
    }

    await page.goto(`${server.url}/#/outages`);
    await page.getByRole('row', { name: /芙蓉区/ }).waitFor();
    await page.locator('.outage-row').first().waitFor();
    await page.screenshot({ path: join(OUT, 'outages.png') });

    await page.goto(`${server.url}/#/org`);
    await page.getByRole('button', { name: /芙蓉区/ }).click();
    await page.getByRole('button', { name: /文艺路街道/ }).click();
    await page.locator('.level-device button').first().click();
    await page.locator('.level-channel').first().waitFor();
    await page.evaluate("document.querySelector('.org-view').scrollTop = 0");
    await page.screenshot({ path: join(OUT, 'org-tree.png') });
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`screenshots in ${OUT}`);
}

await main();
