/**
 * Debian's headless Chromium for the dashboard tests and bench, driven by playwright-core (which downloads no
 * browser of its own). One set of flags: no sandbox (tests run as root in CI), no GPU, and none of the
 * background traffic a browser would send to the internet on its first start.
 */
import { chromium, type Browser } from 'playwright-core';

/** Where `.ci/run` installs Debian's `chromium`. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches headless Chromium with the project's flags. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}
