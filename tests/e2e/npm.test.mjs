// The npm package (`scripts/package` → target/convo-widget-<version>.tgz) in a fresh Vite 7 app:
// installed from the tarball, built with `vite build`, served, and a visitor and an agent
// exchange messages through it, under a strict Content-Security-Policy. The package is the split
// build (src/components/deferred.rs): the parts few chats show come from a module of their own,
// fetched when the panel opens, and a part whose module cannot be fetched says so and loads on
// retry. Last, the package's files hosted as they are for a script tag.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { launch, serveDirectory } from './harness.mjs';
import {
  chatWithAgent,
  closeConversation,
  EMULATOR_URL,
  launcherOf,
  panelOf,
  pngOfSize,
  poll,
  recordMessages,
  sendText,
  TWILSOCK_URL,
  visit,
  waitDelivered,
} from './support.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const BACKEND_URL = (process.env.CONVO_BACKEND_URL ?? 'http://127.0.0.1:8787').replace(/\/$/, '');
// Vite, pinned in the root package.json (scripts/setup installs it): the app is built with it
// and installs nothing from the registry, so the test makes no network request (and no DNS
// query) of its own.
const VITE = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');

let browser;
let app;
let hosted;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  for (const site of [app, hosted]) {
    await site?.server.close();
    if (site) rmSync(site.dir, { recursive: true, force: true });
  }
});

/** The tarball `scripts/package` made. */
function tarball() {
  const names = readdirSync(path.join(ROOT, 'target')).filter((n) => /^convo-widget-.*\.tgz$/.test(n));
  assert.equal(names.length, 1, `one target/convo-widget-*.tgz (run scripts/package): ${names}`);
  return path.join(ROOT, 'target', names[0]);
}

/** A new Vite app using the package, installed and built; resolves with {dir, dist}. */
async function viteApp() {
  const dir = mkdtempSync(path.join(tmpdir(), 'convo-vite-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: 'shop',
    private: true,
    type: 'module',
    dependencies: { 'convo-widget': `file:${tarball()}` },
  }, null, 2));
  // The README's strict Content-Security-Policy, with the backend and the emulator (twilsock, MCS)
  // on other origins: the package's wasm and its parts load without inline script or eval.
  const csp = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    `img-src 'self' blob: data: ${EMULATOR_URL}`,
    `connect-src 'self' ${BACKEND_URL} ${EMULATOR_URL} ${TWILSOCK_URL}`,
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
  writeFileSync(path.join(dir, 'index.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="icon" href="data:,"><title>A Vite shop</title></head>
<body><h1>A Vite shop</h1><script type="module" src="/src/main.js"></script></body></html>`);
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src', 'main.js'), `import ConvoWidget, { ConvoWidget as named } from 'convo-widget';

window.sameObject = ConvoWidget === named && ConvoWidget === window.ConvoWidget;
ConvoWidget.on('ready', () => { window.widgetReady = true; });
ConvoWidget.init({
  sessionUrl: ${JSON.stringify(`${BACKEND_URL}/api/session`)},
  tokenUrl: ${JSON.stringify(`${BACKEND_URL}/api/token`)},
  endUrl: ${JSON.stringify(`${BACKEND_URL}/api/end`)},
  ratingUrl: ${JSON.stringify(`${BACKEND_URL}/api/rating`)},
  twilsockUrl: ${JSON.stringify(TWILSOCK_URL)},
});
`);
  const options = { cwd: dir, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 };
  // The package from its tarball, as a site owner installs it; `--offline`: it has no
  // dependencies to fetch.
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], options);
  await run(process.execPath, [VITE, 'build', '--logLevel', 'warn'], options);
  return { dir, dist: path.join(dir, 'dist') };
}

/** The Vite app, built once for the file's tests. */
async function served() {
  if (!app) {
    const built = await viteApp();
    app = { ...built, server: await serveDirectory(built.dist) };
  }
  return app;
}

/** The split-off parts' module (split_parts.wasm; the splitter would name a shared one chunk_<n>). */
const PART_MODULE = /\/(split|chunk)_[^/]*\.wasm$/;

/** The URLs of the parts' modules the page fetches (Vite adds a hash to each name). */
function partRequests(page) {
  const urls = [];
  page.on('request', (request) => {
    if (PART_MODULE.test(request.url())) urls.push(request.url());
  });
  return urls;
}

test('the npm tarball installs into a fresh Vite 7 app, builds, and chats', { timeout: 400_000 }, async () => {
  const { dist, server } = await served();
  const assets = readdirSync(path.join(dist, 'assets'));
  assert.ok(assets.some((n) => n.endsWith('.wasm')), `Vite emitted the wasm: ${assets}`);
  const parts = assets.filter((n) => PART_MODULE.test(`/${n}`)).sort();
  assert.equal(parts.length, 1, `Vite emitted the parts' one module: ${assets}`);

  const t = await visit(browser);
  const { page } = t;
  try {
    await page.goto(server.url);
    await launcherOf(page).waitFor({ timeout: 30_000 });
    assert.deepEqual(await page.evaluate(() => [window.sameObject, window.widgetReady]), [true, true]);
    const fetched = partRequests(page);
    const { agent } = await chatWithAgent(t, 'Ana', { goto: false, storageKey: `convo:v1:${BACKEND_URL}/api/session` });
    const received = recordMessages(agent);
    await sendText(page, 'Hello from a Vite app');
    await received.waitFor('Hello from a Vite app');
    await agent.conversation.sendMessage('Hello, Vite visitor');
    await panelOf(page).locator('.convo-bubble__text', { hasText: 'Hello, Vite visitor' }).waitFor({ timeout: 15_000 });
    // Opening the panel fetched the parts' module, once.
    const names = () => fetched.map((url) => url.split('/').pop()).sort();
    await poll(() => names().length === parts.length, { what: 'the parts fetched' });
    assert.deepEqual(names(), parts, 'fetched once');

    // Each part the visitor can reach works from its own module: the lightbox,
    const panel = panelOf(page);
    await page.locator('.convo-composer input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: pngOfSize(2048) });
    await page.locator('#convo-composer-input').press('Enter');
    const image = panel.getByRole('button', { name: 'Image: photo.png' });
    await image.waitFor({ timeout: 15_000 });
    await image.click();
    const lightbox = page.getByRole('dialog', { name: 'Image: photo.png' });
    await lightbox.getByRole('button', { name: 'Close image' }).click();
    await lightbox.waitFor({ state: 'detached' });
    // the question before a delete,
    const own = await waitDelivered(page, 'Hello from a Vite app');
    await own.getByRole('button', { name: 'More actions' }).click();
    await own.getByRole('menuitem', { name: 'Delete' }).click();
    const deleting = panel.getByRole('group', { name: /Delete this message\?/ });
    await deleting.getByRole('button', { name: 'Keep it' }).click();
    await deleting.waitFor({ state: 'detached' });
    // the question before ending the chat, then the ended chat's view and its rating.
    await panel.locator('.convo-header').getByRole('button', { name: 'End chat' }).click();
    const ending = panel.getByRole('group', { name: /End this chat\?/ });
    await poll(() => ending.getByRole('button', { name: 'Keep chatting' }).evaluate((b) => b.matches(':focus')), {
      what: 'focus on "Keep chatting"',
    });
    await ending.getByRole('button', { name: 'End chat' }).click();
    await panel.getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    await panel.getByRole('group', { name: 'How was this chat?' }).getByLabel('4 stars out of 5').check();
    await panel.getByRole('button', { name: 'Send rating' }).click();
    await panel.getByText('Thank you for your feedback!').waitFor({ timeout: 15_000 });
    assert.deepEqual(names(), parts, 'not fetched again');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a part whose module cannot be fetched says so, and shows on retry', { timeout: 400_000 }, async () => {
  const { server } = await served();
  const t = await visit(browser);
  const { page } = t;
  try {
    // The network fails for the parts' modules (a flaky connection, a CDN that lost them).
    const blocked = (route) => route.abort('internetdisconnected');
    await page.route(PART_MODULE, blocked);
    await page.goto(server.url);
    await launcherOf(page).waitFor({ timeout: 30_000 });
    const { session } = await chatWithAgent(t, 'Ana', { goto: false, storageKey: `convo:v1:${BACKEND_URL}/api/session` });
    await sendText(page, 'Hello before the end');
    await closeConversation(session.conversation_sid);

    const panel = panelOf(page);
    const alert = panel.getByRole('alert').filter({ hasText: 'This part of the chat could not be loaded.' });
    await alert.waitFor({ timeout: 15_000 });
    assert.equal(await panel.getByText('This conversation has ended.').count(), 0);
    // The failures were the network's, and said in the console by the module loader.
    assert.ok(page.problems.length > 0 && page.problems.every((p) => /ERR_INTERNET_DISCONNECTED \(.*\/(split|chunk)_|TypeError: Failed to fetch/.test(p)),
      `only the blocked fetches failed: ${page.problems}`);

    await page.unroute(PART_MODULE, blocked);
    await alert.getByRole('button', { name: 'Retry' }).click();
    await panel.getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    await panel.getByRole('button', { name: 'Start a new conversation' }).waitFor();
    assert.equal(await alert.count(), 0, 'the alert gave way to the part');
  } finally {
    await t.close();
  }
});

test('hosted as they are for the script tag, the package\'s files load the parts from core/', { timeout: 200_000 }, async () => {
  // A site owner's page: the loader and core/ copied from the package, one script tag.
  const dir = mkdtempSync(path.join(tmpdir(), 'convo-hosted-'));
  cpSync(path.join(ROOT, 'target/package/convo-widget.js'), path.join(dir, 'convo-widget.js'));
  cpSync(path.join(ROOT, 'target/package/core'), path.join(dir, 'core'), { recursive: true });
  const data = { 'session-url': '/api/session', 'token-url': '/api/token', 'end-url': '/api/end', 'rating-url': '/api/rating' };
  const attributes = Object.entries(data).map(([name, url]) => `data-${name}="${BACKEND_URL}${url}"`).join(' ');
  writeFileSync(path.join(dir, 'index.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A hosted shop</title></head>
<body><h1>A hosted shop</h1>
<script src="/convo-widget.js" ${attributes} data-twilsock-url="${TWILSOCK_URL}" async></script></body></html>`);
  hosted = { dir, server: await serveDirectory(dir) };

  const t = await visit(browser);
  const { page } = t;
  try {
    const fetched = partRequests(page);
    await page.goto(hosted.server.url);
    await launcherOf(page).waitFor({ timeout: 30_000 });
    await chatWithAgent(t, 'Ana', { goto: false, storageKey: `convo:v1:${BACKEND_URL}/api/session` });
    await poll(() => fetched.length === 1, { what: 'the parts fetched' });
    assert.deepEqual(fetched, [`${hosted.server.url}core/split_parts.wasm`]);
    const panel = panelOf(page);
    await panel.locator('.convo-header').getByRole('button', { name: 'End chat' }).click();
    await panel.getByRole('group', { name: /End this chat\?/ }).getByRole('button', { name: 'End chat' }).click();
    await panel.getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    assert.equal(fetched.length, 1, 'not fetched again');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
