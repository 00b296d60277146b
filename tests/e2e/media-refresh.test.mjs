// Attachments keep working after their temporary URLs expire (Twilio's last five minutes; a chat
// lasts longer). This file runs its own backend whose emulator hands out 5-second URLs
// (CONVO_EMULATOR_MEDIA_URL_TTL=5), so the rest of the suite keeps Twilio's five minutes. Once the
// URLs the widget holds have expired (and are seen to be refused), the download chip still
// downloads the bytes sent, and an image that arrived while the chat was minimised still shows,
// in the lightbox and in its row; after a reload too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { BASE_URL, launch, screenshot } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BACKEND_BIN = process.env.CONVO_BACKEND_BIN ?? path.resolve(here, '../../target/debug/convo-backend');
const TTL_SECONDS = 5;

/** convo-backend on free ports with short media URLs; resolves to {url, emulatorUrl, stop()}. */
function startBackend() {
  return new Promise((resolve, reject) => {
    const child = spawn(BACKEND_BIN, [], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        CONVO_LISTEN: '127.0.0.1:0',
        CONVO_EMULATOR_LISTEN: '127.0.0.1:0',
        CONVO_EMULATOR_MEDIA_URL_TTL: String(TTL_SECONDS),
        RUST_LOG: 'warn',
      },
    });
    // Never outlive this file, even when the runner force-exits.
    const kill = () => child.kill('SIGINT');
    process.once('exit', kill);
    const timer = setTimeout(() => reject(new Error('backend did not start in 30 s')), 30_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = out.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)/m);
      const emulator = out.match(/embedded emulator on (http:\/\/127\.0\.0\.1:\d+)/);
      if (url && emulator) {
        clearTimeout(timer);
        resolve({
          url: url[1],
          emulatorUrl: emulator[1],
          stop: () =>
            new Promise((done) => {
              process.removeListener('exit', kill);
              child.once('exit', done);
              kill();
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`backend exited (${code}) before listening`)));
  });
}

// The shared helpers talk to the emulator named by CONVO_EMULATOR_URL when they load: this
// file's own.
const backend = await startBackend();
process.env.CONVO_EMULATOR_URL = backend.emulatorUrl;
const { axeViolations, chatWithAgent, describeViolations, launcherOf, panelOf, pngOfSize, poll, sleep, visit } = await import('./support.mjs');


let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await backend.stop();
});

/**
 * Sends the page's host API calls (`/api/…`, same origin) to this file's backend; its grants name
 * its emulator, which the widget then talks to directly (twilsock, media).
 */
async function routeApi(page) {
  await page.route(new URL('api/**', BASE_URL).href, async (route) => {
    const { pathname, search } = new URL(route.request().url());
    const response = await route.fetch({ url: `${backend.url}${pathname}${search}` });
    await route.fulfill({ response });
  });
}

/** When a temporary URL stops working, by its `Expires` (Unix seconds), in Unix ms. */
function endOf(url) {
  const expires = new URL(url).searchParams.get('Expires');
  assert.match(expires ?? '', /^\d+$/, `the URL states its end: ${url}`);
  return Number(expires) * 1000;
}

/** Waits until every URL in `urls` has expired, then checks the emulator refuses each (403). */
async function outlive(urls) {
  const end = Math.max(...urls.map(endOf));
  assert.ok(end - Date.now() <= (TTL_SECONDS + 1) * 1000, 'a 5-second URL');
  await sleep(Math.max(0, end - Date.now()) + 500);
  for (const url of urls) {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    assert.equal(response.status, 403, `the expired URL is refused: ${url}`);
  }
}

/** The image of `button` once it has loaded (its src), or throws. */
async function loadedImage(button, what) {
  const img = button.locator('img');
  await poll(() => img.evaluate((i) => i.complete && i.naturalWidth > 0), { ms: 15_000, what });
  return img.getAttribute('src');
}

/** Clicks `chip` and resolves with the bytes of the download it starts (in a new tab). */
async function download(page, chip) {
  const started = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no download within 15 s of clicking the chip')), 15_000);
    const done = (d) => {
      clearTimeout(timer);
      resolve(d);
    };
    page.once('download', done);
    page.context().once('page', (tab) => tab.once('download', done));
  });
  await chip.click();
  const file = await started;
  return readFile(await file.path());
}

test('after their URLs expire, attachments still download, open and show', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await routeApi(page);
    const { agent } = await chatWithAgent(t);
    const panel = panelOf(page);

    // The visitor sends a PDF.
    const pdf = Buffer.from(`%PDF-1.4\n% ${'invoice '.repeat(200)}\n%%EOF\n`);
    await page.locator('.convo-composer input[type=file]').setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: pdf });
    await panel.getByRole('button', { name: 'Remove invoice.pdf' }).waitFor();
    await panel.getByRole('button', { name: 'Send' }).click();
    const chip = panel.locator('.convo-row--own').getByRole('link', { name: /^Download invoice\.pdf\b/ });
    await chip.waitFor({ timeout: 15_000 });
    const firstHref = await poll(async () => {
      const href = await chip.getAttribute('href');
      return /^https?:\/\//.test(href ?? '') && href;
    }, { what: 'the chip links to the file' });

    // The visitor minimises the chat; the agent answers with a photo (the SDK's MCS upload). The
    // widget gets its URL at once, but the hidden image does not load it.
    await panel.getByRole('button', { name: 'Minimise chat' }).click();
    await panel.waitFor({ state: 'hidden' });
    await agent.conversation.sendMessage({ contentType: 'image/png', filename: 'photo.png', media: pngOfSize(6_000) });
    const hidden = page.locator('.convo-row--other .convo-media-image img');
    const firstImage = await poll(() => hidden.getAttribute('src', { timeout: 1_000 }), { ms: 15_000, what: 'the photo has a URL' });
    const image = panel.locator('.convo-row--other').getByRole('button', { name: 'Image: photo.png' });

    // Both URLs expire: the emulator refuses them now.
    await outlive([firstHref, firstImage]);

    // The visitor comes back and opens the photo: the lightbox shows it.
    await launcherOf(page).click();
    await image.click();
    const lightbox = page.getByRole('dialog', { name: 'Image: photo.png' });
    await lightbox.waitFor();
    const boxed = lightbox.locator('img');
    await poll(() => boxed.evaluate((i) => i.complete && i.naturalWidth > 0), { ms: 15_000, what: 'the lightbox shows the photo' });
    await lightbox.getByRole('button', { name: 'Close image' }).click();
    await lightbox.waitFor({ state: 'detached' });
    // So does its row.
    await loadedImage(image, 'the photo shows in its row');

    // The chip downloads the bytes sent.
    const bytes = await download(page, chip);
    assert.ok(bytes.equals(pdf), `the chip downloads the PDF sent (${bytes.length} bytes, sent ${pdf.length})`);
    assert.notEqual(await chip.getAttribute('href'), firstHref, 'the chip now holds a fresh URL');

    // Reloaded, the page (restored at once from its cache, before the connection is up) shows
    // the photo again.
    await page.reload();
    await launcherOf(page).click();
    await loadedImage(image, 'the photo shows after a reload');

    assert.equal(await panel.locator('.convo-media-failed').count(), 0, 'nothing shows as not loaded');
    await screenshot(page, 'media-refresh');
    // An image shown after its URL expired fails once (the browser logs the 403), then loads.
    assert.deepEqual(page.problems.filter((p) => !/status of 403/.test(p)), []);
  } catch (error) {
    await screenshot(page, 'media-refresh-failure').catch(() => {});
    throw error;
  } finally {
    await t.close();
  }
});

test('an image that cannot be loaded is retried once, then says so and offers a retry', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await routeApi(page);
    const { agent } = await chatWithAgent(t);
    const panel = panelOf(page);

    // The widget's requests for media records (each one a fresh URL), counted.
    let records = 0;
    await page.route('**/Media/ME*', (route) => {
      records += 1;
      return route.continue();
    });
    // Every download of the media fails (a CDN outage), once the gate opens.
    let open;
    const gate = new Promise((resolve) => (open = resolve));
    const content = '**/Media/*/Content?*';
    await page.route(content, async (route) => {
      await gate;
      await route.fulfill({ status: 403, contentType: 'application/json', body: '{"status":403,"code":20403}' });
    });

    // A photo arrives while the chat is minimised; the visitor comes back and opens it at once.
    await panel.getByRole('button', { name: 'Minimise chat' }).click();
    await panel.waitFor({ state: 'hidden' });
    await agent.conversation.sendMessage({ contentType: 'image/png', filename: 'photo.png', media: pngOfSize(3_000) });
    await poll(() => page.locator('.convo-row--other .convo-media-image img').getAttribute('src', { timeout: 1_000 }), { ms: 15_000, what: 'the photo has a URL' });
    assert.equal(records, 1);
    await launcherOf(page).click();
    await panel.getByRole('button', { name: 'Image: photo.png' }).click();
    const lightbox = page.getByRole('dialog', { name: 'Image: photo.png' });
    await lightbox.waitFor();
    open();

    // The lightbox and the row both fail, one fresh URL is tried for both, then they say so.
    const boxed = lightbox.locator('.convo-media-failed', { hasText: 'Could not load photo.png.' });
    await boxed.waitFor({ timeout: 15_000 });
    const failed = panel.getByRole('button', { name: 'Could not load photo.png. Retry' });
    await failed.waitFor();
    assert.equal(records, 2, 'the URL, then one fresh one');
    await sleep(1_000);
    assert.equal(records, 2, 'and no more: no loop');
    let violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));

    // Retry in the lightbox: one more fresh URL; the focus stays in the dialog.
    await boxed.getByRole('button', { name: 'Retry loading photo.png' }).click();
    await poll(() => records === 3, { what: 'a third URL' });
    await boxed.waitFor();
    assert.ok(
      await lightbox.getByRole('button', { name: 'Close image' }).evaluate((el) => el.getRootNode().activeElement === el),
      'the focus moved to the close button',
    );
    await page.keyboard.press('Escape');
    await lightbox.waitFor({ state: 'detached' });

    // The row's button retries from the keyboard; while downloads fail it says so again.
    await failed.focus();
    await page.keyboard.press('Enter');
    await poll(() => records === 4, { what: 'a fourth URL' });
    await failed.waitFor();
    await sleep(1_000);
    assert.equal(records, 4, 'one fresh URL per retry');
    violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    await screenshot(page, 'media-failed');

    // Once downloads work again, Retry shows the image; the focus stayed on its button, which
    // opens it full size again.
    await page.unroute(content);
    await page.keyboard.press('Enter');
    const image = panel.getByRole('button', { name: 'Image: photo.png' });
    await loadedImage(image, 'the image shows after Retry');
    assert.equal(await failed.count(), 0);
    assert.ok(await image.evaluate((el) => el.getRootNode().activeElement === el), 'the focus is still on the image');
    await page.keyboard.press('Enter');
    await poll(() => lightbox.locator('img').evaluate((i) => i.complete && i.naturalWidth > 0), { what: 'the lightbox shows it' });
    await lightbox.getByRole('button', { name: 'Close image' }).click();
    // The browser logs each refused download (403).
    assert.deepEqual(page.problems.filter((p) => !/status of 403/.test(p)), []);
  } finally {
    await t.close();
  }
});
