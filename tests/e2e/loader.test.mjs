// The script-tag loader (js/convo-widget.js): the wasm loads lazily (idle or first interaction),
// `init` takes options or the script tag's data-* attributes and runs once, and a snippet pasted
// twice still makes one widget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';

import { BASE_URL, launch } from './harness.mjs';
import { launcherOf, panelOf, poll, sleep, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const CLEAN_URL = new URL('clean.html', BASE_URL).href;

/** Serves clean.html with its <script> tag replaced by `markup`. */
async function cleanPageWith(page, markup) {
  await page.route(CLEAN_URL, async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace(/<script[^]*?<\/script>/, markup);
    await route.fulfill({ response, body: html });
  });
}

/** Counts the page's requests for the wasm module. */
function countWasmRequests(page) {
  const seen = { count: 0 };
  page.on('request', (request) => {
    if (request.url().endsWith('_bg.wasm')) seen.count += 1;
  });
  return seen;
}

test('the loader is small: at most 3 KB gzipped', () => {
  const loader = readFileSync(new URL('../../js/convo-widget.js', import.meta.url));
  const gzipped = gzipSync(loader, { level: 9 }).length;
  assert.ok(gzipped <= 3 * 1024, `the loader is ${gzipped} bytes gzipped`);
});

test('the wasm waits for the first interaction when the page is never idle', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    // A busy page: idle callbacks never come.
    await page.addInitScript(() => {
      window.requestIdleCallback = () => 0;
    });
    const wasm = countWasmRequests(page);
    await page.goto(CLEAN_URL);
    await sleep(1_500);
    assert.equal(wasm.count, 0, 'no wasm before any interaction');
    assert.equal(await page.evaluate(() => typeof window.ConvoWidget.open), 'function', 'the API is there already');
    await page.mouse.click(5, 5);
    await launcherOf(page).waitFor({ timeout: 20_000 });
    assert.equal(wasm.count, 1);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('without interaction the wasm loads once the page is idle', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const wasm = countWasmRequests(page);
    await page.goto(CLEAN_URL);
    await launcherOf(page).waitFor({ timeout: 20_000 });
    assert.equal(wasm.count, 1);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('init({…}) configures a page whose script tag has no data-*, runs once, and checks its options', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await cleanPageWith(page, '<main id="shop"></main><script src="/convo-widget.js" async></script>');
    const messages = [];
    page.on('console', (m) => m.type() === 'warning' && messages.push(m.text()));
    await page.goto(CLEAN_URL);
    await page.evaluate(() => {
      window.errors = [];
      window.ConvoWidget.on('error', (detail) => window.errors.push(detail.message));
    });
    // Nothing is configured yet: no widget, however long the page waits.
    await sleep(1_500);
    assert.equal(await page.locator('convo-widget-host').count(), 0, 'no widget before init');

    await page.evaluate(() => {
      window.ConvoWidget.init({ sessionUrl: '/api/session', locale: 'fr', team: 'Équipe', target: '#shop', colour: 'red' });
      window.ConvoWidget.init({ locale: 'ar' });
      window.ConvoWidget.open();
    });
    await panelOf(page, 'Équipe').waitFor({ state: 'visible', timeout: 20_000 });
    const shape = await page.evaluate(() => ({
      hosts: document.querySelectorAll('convo-widget-host').length,
      parent: document.getElementById('convo-widget').parentElement.id,
      lang: document.getElementById('convo-widget').shadowRoot.querySelector('.convo-root').getAttribute('lang'),
      errors: window.errors,
    }));
    assert.deepEqual({ ...shape, errors: shape.errors.length }, { hosts: 1, parent: 'shop', lang: 'fr', errors: 1 });
    assert.match(shape.errors[0], /^init: unknown option "colour"; known: sessionUrl, tokenUrl/);
    assert.ok(messages.some((m) => m.includes('already on the page')), `a warning for the second init: ${messages}`);
  } finally {
    await t.close();
  }
});

test('bad init options are refused with an error event, and a later good init works', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await cleanPageWith(page, '<script src="/convo-widget.js" async></script>');
    await page.goto(CLEAN_URL);
    const errors = await page.evaluate(async () => {
      const seen = [];
      window.ConvoWidget.on('error', (detail) => seen.push(detail.message));
      const ready = new Promise((resolve) => window.ConvoWidget.on('ready', resolve));
      window.ConvoWidget.init('token please');
      window.ConvoWidget.init({ target: '#nowhere' });
      window.ConvoWidget.init({ user: { name: 'no id' } });
      window.ConvoWidget.init({ locale: 'fr' });
      await ready;
      return seen;
    });
    assert.deepEqual(errors, [
      "init: expected an options object, like { tokenUrl: '/api/token' }",
      'init: target "#nowhere" matches no element',
      'init: user expects { id, signature?, name?, email? } with a string id',
    ]);
    await launcherOf(page).waitFor();
    assert.equal(await page.locator('convo-widget-host').count(), 1);
  } finally {
    await t.close();
  }
});

test('a snippet pasted twice makes one widget and loads the wasm once', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const tag = '<script src="/convo-widget.js" data-session-url="/api/session" data-locale="fr" async></script>';
    await cleanPageWith(page, tag + tag);
    const wasm = countWasmRequests(page);
    await page.goto(CLEAN_URL);
    await launcherOf(page).waitFor({ timeout: 20_000 });
    await sleep(500);
    assert.equal(await page.locator('convo-widget-host').count(), 1);
    assert.equal(wasm.count, 1);
    await launcherOf(page).click();
    await poll(() => panelOf(page, 'Assistance').isVisible(), { what: 'the French panel' });
  } finally {
    await t.close();
  }
});
