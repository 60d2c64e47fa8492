import { type Browser, chromium } from 'playwright-core';

/**
 * The one Chromium launcher of the repository's browser tests and benches (media server WHEP, platform and ops
 * console tests, web e2e and benches): Debian's Chromium; a browser download is not possible on these machines.
 * Imported as `@tessera/testkit/chromium` by the web package, which needs none of the rest of the test kit.
 */
export const CHROMIUM_PATH = process.env.TESSERA_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless and quiet: no sandbox as root, no GPU, and no background networking — the network is closed, and
 * Chromium's own connections would otherwise be refused many at a time.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

export interface LaunchChromiumOptions {
  /** Flags a caller needs on top of CHROMIUM_ARGS (fake media devices, a GPU backend …). */
  readonly extraArgs?: readonly string[];
}

export function launchChromium(options: LaunchChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: chromiumArgs(options) });
}

/** CHROMIUM_ARGS plus the caller's; for launchers that take the arguments themselves (Playwright's config). */
export function chromiumArgs(options: LaunchChromiumOptions = {}): string[] {
  return [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])];
}
