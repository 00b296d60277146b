// The flags every test and benchmark browser runs with (Playwright's in tests/e2e/harness.mjs,
// tests/conformance/browser.test.mjs and the benchmarks; chromedriver's for the wasm browser
// tests repeat them in webdriver.json, which tests/chromium.test.mjs keeps in step).
import { chromium } from 'playwright-core';

/**
 * Names resolve to nothing but loopback. Chromium asks Google for updates and accounts even
 * with background networking off: each such request made a DNS query to the machine's resolver
 * from a UDP socket bound to 0.0.0.0. Tests reach loopback only. (`*` matches an address too,
 * so 127.0.0.1 is excluded by name.)
 */
export const LOOPBACK_ONLY = '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1';

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic',
  '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
  LOOPBACK_ONLY,
];

/** Debian's Chromium (or $CHROMIUM), headless, with `CHROMIUM_ARGS` and `extra`. */
export function launchChromium(extra = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS, ...extra],
  });
}
