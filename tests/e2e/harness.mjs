// Shared helpers for the browser tests: Debian's Chromium through playwright-core.
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

import { launchChromium } from '../chromium.mjs';

export const BASE_URL = process.env.CONVO_BASE_URL ?? 'http://127.0.0.1:8080/';
export const OUTPUT_DIR = process.env.CONVO_TEST_OUTPUT ?? 'test-output/e2e';

export async function launch() {
  // Chromium refuses some ports outright (10080, 6000, …: ERR_UNSAFE_PORT); the demo's may be
  // any that CONVO_BASE_URL names.
  const port = new URL(BASE_URL).port;
  return launchChromium(port ? [`--explicitly-allowed-ports=${port}`] : []);
}

/** A page that records console errors and uncaught exceptions into `page.problems`. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !message.text().includes('favicon')) {
      // A failed load names its URL only in the location: keep it, to tell which request failed.
      const failed = message.text().startsWith('Failed to load resource');
      page.problems.push(`console: ${message.text()}${failed ? ` (${message.location().url})` : ''}`);
    }
  });
  return page;
}

export async function screenshot(page, name) {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = path.join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** The Content-Type of a served file, by extension. */
export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/**
 * Serves the files of `dir` on 127.0.0.1 (a free port; `/` is index.html). Resolves with
 * {url, close()}.
 */
export async function serveDirectory(dir) {
  const root = path.resolve(dir);
  const server = http.createServer(async (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    const file = path.join(root, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
    if (!file.startsWith(root + path.sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
      response.end(body);
    } catch {
      response.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
