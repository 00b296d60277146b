// The npm package (`scripts/package` → target/convo-widget-<version>.tgz) in a fresh Vite 7 app:
// installed from the tarball, built with `vite build`, served, and a visitor and an agent
// exchange messages through it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { launch, serveDirectory } from './harness.mjs';
import { chatWithAgent, launcherOf, panelOf, recordMessages, sendText, TWILSOCK_URL, visit } from './support.mjs';

const run = promisify(execFile);
const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const BACKEND_URL = (process.env.CONVO_BACKEND_URL ?? 'http://127.0.0.1:8787').replace(/\/$/, '');
// The newest Vite 7 when this was written; pinned so the test means the same thing every run.
const VITE_VERSION = '7.3.8';

let browser;
let app;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await app?.server.close();
  if (app) rmSync(app.dir, { recursive: true, force: true });
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
    scripts: { build: 'vite build' },
    dependencies: { 'convo-widget': `file:${tarball()}` },
    devDependencies: { vite: VITE_VERSION },
  }, null, 2));
  writeFileSync(path.join(dir, 'index.html'), `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>A Vite shop</title></head>
<body><h1>A Vite shop</h1><script type="module" src="/src/main.js"></script></body></html>`);
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src', 'main.js'), `import ConvoWidget, { ConvoWidget as named } from 'convo-widget';

window.sameObject = ConvoWidget === named && ConvoWidget === window.ConvoWidget;
ConvoWidget.on('ready', () => { window.widgetReady = true; });
ConvoWidget.init({
  sessionUrl: ${JSON.stringify(`${BACKEND_URL}/api/session`)},
  tokenUrl: ${JSON.stringify(`${BACKEND_URL}/api/token`)},
  twilsockUrl: ${JSON.stringify(TWILSOCK_URL)},
});
`);
  const options = { cwd: dir, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 };
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], options);
  await run('npm', ['run', 'build', '--silent'], options);
  return { dir, dist: path.join(dir, 'dist') };
}

test('the npm tarball installs into a fresh Vite 7 app, builds, and chats', { timeout: 400_000 }, async () => {
  const built = await viteApp();
  const server = await serveDirectory(built.dist);
  app = { ...built, server };
  const assets = readdirSync(path.join(built.dist, 'assets'));
  assert.ok(assets.some((n) => n.endsWith('.wasm')), `Vite emitted the wasm: ${assets}`);

  const t = await visit(browser);
  const { page } = t;
  try {
    await page.goto(server.url);
    await launcherOf(page).waitFor({ timeout: 30_000 });
    assert.deepEqual(await page.evaluate(() => [window.sameObject, window.widgetReady]), [true, true]);
    const { agent } = await chatWithAgent(t, 'Ana', { goto: false, storageKey: `convo:v1:${BACKEND_URL}/api/session` });
    const received = recordMessages(agent);
    await sendText(page, 'Hello from a Vite app');
    await received.waitFor('Hello from a Vite app');
    await agent.conversation.sendMessage('Hello, Vite visitor');
    await panelOf(page).locator('.convo-bubble__text', { hasText: 'Hello, Vite visitor' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
