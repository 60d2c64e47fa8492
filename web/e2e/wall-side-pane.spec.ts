import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/console-test';
import { LoginPage } from './pages/login-page';

/**
 * Every row of the side pane's list, measured in the page: the row's height, the name's height, and the name's
 * line height. A name wrapped one character per line is many lines tall.
 */
async function measureRows(page: Page) {
  return page.locator('.wall-source-pane .tree-row').evaluateAll((rows) =>
    rows.map((row) => {
      const name = row.querySelector('.tree-name') as HTMLElement;
      const style = getComputedStyle(name);
      const lineHeight = Number.parseFloat(style.lineHeight) || Number.parseFloat(style.fontSize) * 1.2;
      return {
        text: name.textContent ?? '',
        row: row.getBoundingClientRect().height,
        name: name.getBoundingClientRect().height,
        lineHeight,
      };
    }),
  );
}

for (const viewport of [
  { width: 1366, height: 768 },
  { width: 1920, height: 1080 },
]) {
  test(`the wall's side pane lists search results and tree rows on one or two lines at ${viewport.width}×${viewport.height} (never one character per line)`, async ({
    page,
  }) => {
    await page.setViewportSize(viewport);
    const login = new LoginPage(page);
    await page.goto('/#/wall');
    await login.login('admin', 'tessera-bench');
    await page.getByRole('tab', { name: '组织树' }).click();
    const pane = page.locator('.wall-source-pane');

    // The tree: the city open, its districts listed.
    await expect(pane.locator('.tree-row').nth(3)).toBeVisible();
    for (const row of await measureRows(page)) {
      expect(row.name, `tree row "${row.text}"`).toBeLessThan(row.lineHeight * 1.5);
      expect(row.row, `tree row "${row.text}"`).toBeLessThan(row.lineHeight * 3);
    }

    // A search: every result is a camera with its district, ID and address.
    await pane.getByRole('searchbox').fill('五一大道');
    await expect(pane.locator('.search-results .tree-leaf').nth(5)).toBeVisible();
    const rows = await measureRows(page);
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      // The name on one line; the whole row (name, then details) on at most two.
      expect(row.name, `result "${row.text}"`).toBeLessThan(row.lineHeight * 1.5);
      expect(row.row, `result "${row.text}"`).toBeLessThan(row.lineHeight * 3);
    }
    // Nothing spills sideways out of the pane either.
    const overflow = await pane.evaluate((el) => {
      const view = el.querySelector('.org-view') as HTMLElement;
      return view.scrollWidth - view.clientWidth;
    });
    expect(overflow).toBeLessThanOrEqual(0);

    // Looked at; a copy is docs/screenshots/wall-side-pane-search.png.
    await page.screenshot({ path: test.info().outputPath(`wall-side-pane-search-${viewport.width}.png`) });
  });
}
