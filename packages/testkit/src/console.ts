import type { Browser, Page } from 'playwright-core';

export interface ConsoleSignIn {
  /** Where the platform serves the console. */
  url: string;
  username: string;
  password: string;
  /** A route to open, e.g. `#/wall?focus=…`. */
  hash?: string;
  viewport?: { width: number; height: number };
}

/**
 * Opens the console in a new page of `browser` and signs in through its login form, as an operator would;
 * resolves once the console's live event stream is open. A script error in the page fails the test.
 */
export async function signInToConsole(browser: Browser, options: ConsoleSignIn): Promise<Page> {
  const page = await browser.newPage({
    viewport: options.viewport ?? { width: 1440, height: 900 },
    locale: 'zh-CN',
  });
  page.on('pageerror', (error) => {
    throw error;
  });
  await page.goto(`${options.url}/${options.hash ?? ''}`);
  await page.locator('input[name=username]').fill(options.username);
  await page.locator('input[type=password]').fill(options.password);
  await page.keyboard.press('Enter');
  await page.locator('.live-indicator.live-open').waitFor();
  return page;
}
