import { defineConfig } from '@playwright/test';
import { CHROMIUM_PATH, chromiumArgs } from '@tessera/testkit/chromium';

/**
 * Browser tests of the console. Today: a smoke test against the built console served by the bench's static
 * server (synthetic data). The end-to-end tests against the real platform come with issue 4.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: '../test-results/e2e',
  globalSetup: './global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: { executablePath: CHROMIUM_PATH, args: chromiumArgs() },
    locale: 'zh-CN',
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
  },
});
