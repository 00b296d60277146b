// What the browser benchmarks (ready, latency, history) share: their command line, a loopback
// server for the release widget and for a minimal page on the official SDK's browser build, an
// in-page probe that stamps when things appear, seeding through the emulator's REST API,
// statistics, CPU profiles, and printing (a table, then one JSON object per figure).
//
// Started by `scripts/bench ready|latency|history`, which builds the release widget, starts a
// release backend with its embedded emulator and sets BENCH_BACKEND_URL and BENCH_EMULATOR_URL.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { accessToken, sleep, withTimeout } from '../conformance/harness.mjs';
import { CONTENT_TYPES, launch } from '../e2e/harness.mjs';

export { accessToken, sleep, withTimeout };

const here = path.dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Command line and environment

/** {dist, sdk, backendUrl, emulatorUrl}; exits with usage when something is missing. */
export function options(name) {
  const { values } = parseArgs({ options: { dist: { type: 'string' }, sdk: { type: 'string' } } });
  const backendUrl = process.env.BENCH_BACKEND_URL?.replace(/\/$/, '');
  const emulatorUrl = process.env.BENCH_EMULATOR_URL?.replace(/\/$/, '');
  if (!values.dist || !values.sdk || !backendUrl || !emulatorUrl) {
    console.error(
      `usage: BENCH_BACKEND_URL=… BENCH_EMULATOR_URL=… node tests/bench/${name}.mjs --dist DIST_DIR --sdk SDK_MIN_JS\n` +
        '(scripts/bench builds the release widget and starts a release backend, then runs this)',
    );
    process.exit(2);
  }
  return { dist: values.dist, sdk: values.sdk, backendUrl, emulatorUrl };
}

// The e2e helpers read the emulator's address when they are loaded, so they are loaded after
// it is known (benchmarks take them from here, never import them directly).
process.env.CONVO_EMULATOR_URL ??= process.env.BENCH_EMULATOR_URL;
const support = await import('../e2e/support.mjs');
export const { restOk, sendText, SESSION_KEY } = support;

/**
 * Runs a benchmark: `body(scope)` gets a scope whose `defer(fn)` registers cleanup (run in
 * reverse, bounded, whatever happens). A failure or the overall time limit exits 1 with a
 * message; figures never do.
 */
export async function runBench(name, limitMs, body) {
  const closers = [];
  const scope = { defer: (fn) => closers.push(fn) };
  let code = 0;
  try {
    await withTimeout(body(scope), limitMs, `bench ${name} (time limit)`);
  } catch (error) {
    console.error(`bench ${name} FAILED: ${error?.stack ?? error}`);
    code = 1;
  }
  for (const fn of closers.reverse()) {
    await withTimeout(Promise.resolve().then(fn), 15_000, 'cleanup').catch(() => {});
  }
  process.exit(code);
}

// ---------------------------------------------------------------------------------------------
// The loopback server: the dist directory, the SDK page, /api/* and /v3/wsconnect proxied

const SDK_PAGE = '/__bench/sdk.html';
const SDK_HTML =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>SDK reference</title>' +
  '<body><main id="messages"></main>' +
  '<script src="/__bench/twilio-conversations.min.js"></script><script src="/__bench/sdk-page.js"></script>';

/**
 * Serves `dist` at / (whatever index.html and files it holds), the SDK page under /__bench/, and
 * forwards /api/* to the backend and the /v3/wsconnect upgrade to the emulator, so both pages
 * reach the same servers through the same hop. Resolves with {origin, sdkPageUrl(hash), close()}.
 */
export async function startServer({ dist, sdk, backendUrl, emulatorUrl }) {
  const fixed = new Map([
    [SDK_PAGE, { type: 'text/html; charset=utf-8', bytes: Buffer.from(SDK_HTML) }],
    ['/__bench/twilio-conversations.min.js', fileEntry(sdk)],
    ['/__bench/sdk-page.js', fileEntry(path.join(here, 'sdk-page.js'))],
  ]);
  const backend = new URL(backendUrl);
  const twilsockUrl = `${emulatorUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/v3/wsconnect`;
  const emulator = new URL(emulatorUrl);
  const sockets = new Set();
  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://bench');
    if (url.pathname.startsWith('/api/')) return proxyApi(backend, request, response);
    const entry = fixed.get(url.pathname) ?? distEntry(dist, url.pathname);
    if (!entry) {
      response.writeHead(404).end();
      return;
    }
    serveEntry(request, response, entry);
  });
  server.on('upgrade', (request, socket, head) => proxyUpgrade(emulator, request, socket, head, sockets));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    // The SDK dials what the backend's grants tell Convo's widget to dial: the emulator itself.
    sdkPageUrl: (params) => `${origin}${SDK_PAGE}#${new URLSearchParams({ ts: twilsockUrl, ...params })}`,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((done) => server.close(() => done()));
    },
  };
}

/** A file read once, with its type and an ETag (benchmarks never change files mid-run). */
function fileEntry(file) {
  const bytes = readFileSync(file);
  return {
    type: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    bytes,
    etag: `"${createHash('sha1').update(bytes).digest('hex')}"`,
  };
}

const distCache = new Map();
/** The dist file for a URL path (`/` is index.html); null outside dist or when absent. */
function distEntry(dist, pathname) {
  const relative = decodeURIComponent(pathname === '/' ? '/index.html' : pathname);
  const file = path.resolve(dist, `.${relative}`);
  if (!file.startsWith(path.resolve(dist) + path.sep)) return null;
  if (!distCache.has(file)) {
    let entry = null;
    try {
      if (statSync(file).isFile()) entry = fileEntry(file);
    } catch {
      // Absent: a 404.
    }
    distCache.set(file, entry);
  }
  return distCache.get(file);
}

// As a CDN would serve a build: pages revalidate, other files are fresh for an hour, so a
// reload (the warm case) takes them from the browser's cache. Both pages get the same policy.
function serveEntry(request, response, entry) {
  const headers = {
    'Content-Type': entry.type,
    'Cache-Control': entry.type.startsWith('text/html') ? 'no-cache' : 'public, max-age=3600',
  };
  if (entry.etag) headers.ETag = entry.etag;
  if (entry.etag && request.headers['if-none-match'] === entry.etag) {
    response.writeHead(304, headers).end();
    return;
  }
  response.writeHead(200, { ...headers, 'Content-Length': entry.bytes.length }).end(entry.bytes);
}

// The backend limits session and token requests per client address (abuse control, 30 a
// minute). A benchmark plays many visitors from one machine, so each request leaves from its own
// loopback address (127.0.0.0/8 is all loopback): the figures measure the widget, not the limiter.
let nextAddress = 0;
function loopbackSource() {
  nextAddress = (nextAddress % 250) + 1;
  return `127.0.1.${nextAddress}`;
}

function proxyApi(backend, request, response) {
  const upstream = http.request(
    {
      host: backend.hostname,
      port: backend.port,
      localAddress: loopbackSource(),
      method: request.method,
      path: request.url,
      headers: { ...request.headers, host: backend.host },
    },
    (answer) => {
      response.writeHead(answer.statusCode, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', (error) => {
    if (!response.headersSent) response.writeHead(502);
    response.end(String(error));
  });
  request.pipe(upstream);
}

/** Replays the upgrade request to the emulator, then splices the two sockets. */
function proxyUpgrade(emulator, request, socket, head, sockets) {
  const upstream = net.connect(Number(emulator.port), emulator.hostname);
  sockets.add(upstream);
  const end = () => {
    socket.destroy();
    upstream.destroy();
    sockets.delete(upstream);
  };
  socket.on('error', end);
  upstream.on('error', end);
  socket.on('close', end);
  upstream.on('close', end);
  upstream.on('connect', () => {
    socket.setNoDelay(true);
    upstream.setNoDelay(true);
    const lines = [`${request.method} ${request.url} HTTP/1.1`];
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      const name = request.rawHeaders[i];
      lines.push(`${name}: ${/^host$/i.test(name) ? emulator.host : request.rawHeaders[i + 1]}`);
    }
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
}

// ---------------------------------------------------------------------------------------------
// The browser and the in-page probe

export async function launchBrowser(scope) {
  const browser = await launch();
  scope.defer(() => browser.close());
  return browser;
}

/**
 * Runs in every benchmarked page before its own scripts (an init script), the same in Convo's
 * page and the SDK's, so both are measured the same way. Times are epoch milliseconds from the
 * page's own clock (performance.timeOrigin + performance.now()), comparable across pages.
 *
 * - `watch`: selectors stamped the first time a matching element is in the DOM and rendered
 *   (checkVisibility) — in the document or any open shadow root, which is why attachShadow is
 *   wrapped: a MutationObserver on the document does not see into shadow roots. `dom` is when
 *   the observer hears of it (as soon as the script that inserted it yields: the earliest the
 *   browser could paint it), `frame` the first animation frame after (the frame that paints it).
 * - `record`: a selector and a regular expression with one group; each element whose text
 *   matches is stamped once per group value (arrivals of numbered messages), and again once it
 *   is in a row with a `data-index` (`indexed`: the service has confirmed it).
 * - pointerdown and Enter keydowns are stamped (the visitor's click, and sends with the text).
 * - wasm linear memories are kept so their size can be read (wasm-bindgen does not expose them).
 */
function probe({ watch = [], record = null }) {
  const now = () => performance.timeOrigin + performance.now();
  const state = {
    timeOrigin: performance.timeOrigin,
    seen: {},
    arrivals: new Map(),
    indexed: new Map(),
    clicks: [],
    sends: new Map(),
    memories: [],
    roots: [document],
    waiters: new Set(),
  };
  window.__probe = state;
  const pattern = record && new RegExp(record.pattern);

  const checkWatches = (at) => {
    for (const selector of watch) {
      if (state.seen[selector]) continue;
      for (const root of state.roots) {
        const element = root.querySelector(selector);
        if (element && element.checkVisibility()) {
          const mark = { dom: at, frame: null };
          state.seen[selector] = mark;
          requestAnimationFrame(() => (mark.frame = now()));
          break;
        }
      }
    }
  };
  const recordArrivals = (records, at) => {
    for (const { type, addedNodes, target } of records) {
      if (type === 'attributes') continue; // text arrives as nodes or as character data
      const candidates = addedNodes.length ? [...addedNodes] : [target];
      for (const node of candidates) {
        const element = node.nodeType === 1 ? node : node.parentElement;
        if (!element) continue;
        const found = element.closest(record.selector) ? [element.closest(record.selector)] : element.querySelectorAll(record.selector);
        for (const match of found) {
          const key = pattern.exec(match.textContent)?.[1];
          if (key === undefined || state.arrivals.has(key)) continue;
          const mark = { dom: at, frame: null };
          state.arrivals.set(key, mark);
          requestAnimationFrame(() => (mark.frame = now()));
        }
      }
    }
  };
  const recordIndexed = (records, at) => {
    for (const { type, attributeName, addedNodes, target } of records) {
      const rows =
        type === 'attributes'
          ? attributeName === 'data-index' ? [target] : []
          : [...addedNodes].filter((n) => n.nodeType === 1).flatMap((n) => (n.matches('[data-index]') ? [n] : [...n.querySelectorAll('[data-index]')]));
      for (const row of rows) {
        if (!row.hasAttribute('data-index')) continue;
        const key = pattern.exec(row.querySelector(record.selector)?.textContent ?? '')?.[1];
        if (key !== undefined && !state.indexed.has(key)) state.indexed.set(key, at);
      }
    }
  };
  const observer = new MutationObserver((records) => {
    const at = now();
    if (watch.length) checkWatches(at);
    if (record) {
      recordArrivals(records, at);
      recordIndexed(records, at);
    }
    for (const wake of state.waiters) wake();
  });
  const observe = (root) =>
    observer.observe(root, { childList: true, subtree: true, attributes: true, characterData: true });
  // For a measurement that reads none of the above: the observer records every change in the
  // page's DOM (each attribute, text and node), work the page's own code would not otherwise
  // cause.
  state.stopObserving = () => observer.disconnect();

  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attachShadow.call(this, init);
    if (init?.mode === 'open') {
      state.roots.push(root);
      observe(root);
    }
    return root;
  };
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = async function (...args) {
      const result = await original.apply(this, args);
      const exports = (result.instance ?? result).exports ?? {};
      for (const value of Object.values(exports)) {
        if (value instanceof WebAssembly.Memory) state.memories.push(value);
      }
      return result;
    };
  }
  if (record?.wire) {
    // Stages of a numbered message on the wire (BENCH_STAGES=1): when the first frame carrying
    // it left this tab, and when the first frame carrying it arrived here (before the page's
    // own handler runs: this listener is added as the socket is made, before any `onmessage`).
    state.wire = { sent: new Map(), received: new Map() };
    const decoder = new TextDecoder();
    const key = (data) => {
      const text = typeof data === 'string' ? data : decoder.decode(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
      return pattern.exec(text.match(/lat \d+/)?.[0] ?? '')?.[1];
    };
    // Every frame, briefly (direction, time, the header's start), for reading around slow sends.
    state.wire.log = [];
    const stamp = (map, data) => {
      const k = key(data);
      const text = typeof data === 'string' ? data : decoder.decode(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
      const header = text.split('\r\n')[2] ?? '';
      state.wire.log.push([map === state.wire.sent ? 'out' : 'in', now(), header.slice(0, 140), k ?? '']);
      if (k !== undefined && !map.has(k)) map.set(k, now());
    };
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (data) {
      stamp(state.wire.sent, data);
      return send.call(this, data);
    };
    const Native = WebSocket;
    state.wire.sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        state.wire.sockets.push(now());
        this.addEventListener('close', (event) => state.wire.sockets.push(`closed ${event.code} at ${now()}`));
        this.addEventListener('message', (event) => stamp(state.wire.received, event.data));
      }
    };
  }
  addEventListener('pointerdown', () => state.clicks.push(now()), true);
  addEventListener(
    'keydown',
    (event) => {
      const input = event.composedPath()[0];
      if (event.key === 'Enter' && !event.shiftKey && typeof input?.value === 'string') {
        state.sends.set(input.value.trim(), now());
      }
    },
    true,
  );
  /** Resolves with the stamp in `map` for `key` (bounded by `ms`). */
  const stamped = (map, what) => (key, ms) =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (!map.has(key)) return false;
        state.waiters.delete(check);
        clearTimeout(timer);
        resolve(map.get(key));
        return true;
      };
      const timer = setTimeout(() => {
        state.waiters.delete(check);
        reject(new Error(`message ${key} not ${what} within ${ms} ms`));
      }, ms);
      if (!check()) state.waiters.add(check);
    });
  state.arrival = stamped(state.arrivals, 'rendered');
  state.confirmed = stamped(state.indexed, 'rendered with its index');
  observe(document);
}

/**
 * A fresh browser context (own cache and storage) whose pages run the probe; `storage` seeds
 * localStorage for `origin` (a returning visitor). Page errors are collected into `problems`.
 */
export async function newContext(browser, { origin, storage = {}, probe: probeOptions = {} } = {}) {
  const context = await browser.newContext({
    storageState: {
      cookies: [],
      origins: origin ? [{ origin, localStorage: Object.entries(storage).map(([name, value]) => ({ name, value })) }] : [],
    },
  });
  await context.addInitScript(probe, probeOptions);
  context.problems = [];
  context.on('page', (page) => {
    page.on('pageerror', (error) => context.problems.push(`pageerror: ${error.message}`));
  });
  return context;
}

/** Waits until the probe stamped `selector` (dom and frame); resolves with the probe's marks. */
export async function seen(page, selector, ms = 30_000) {
  const handle = await page.waitForFunction(
    (s) => {
      const mark = window.__probe?.seen[s];
      return mark?.frame ? { ...mark, timeOrigin: window.__probe.timeOrigin, clicks: window.__probe.clicks } : null;
    },
    selector,
    { timeout: ms, polling: 20 },
  );
  return handle.jsonValue();
}

/** The widget's launcher, wherever the page put its (open) shadow root. */
export const launcher = (page) => page.locator('button.convo-launcher');

/** Opens the page and waits for the launcher; rejects naming page errors if it never shows. */
export async function openWidgetPage(page, origin, ms = 30_000) {
  const response = await page.goto(`${origin}/`, { timeout: ms });
  if (!response?.ok()) throw new Error(`GET ${origin}/ → ${response?.status()}`);
  try {
    await launcher(page).waitFor({ state: 'visible', timeout: ms });
  } catch (error) {
    const problems = page.context().problems ?? [];
    throw new Error(`the launcher (button.convo-launcher) did not show: ${error.message} ${problems.join('; ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Time to the first page: Convo from the launcher click, the SDK page from its token

/**
 * Navigates (`navigate()`), clicks the launcher once it shows, and resolves with the times from
 * the click (its pointerdown) until `selector` (the newest message's row) was rendered:
 * {fromStart, domFromStart, fromNavigation, domFromNavigation} in ms.
 */
export async function convoFirstPage(page, navigate, selector) {
  await navigate();
  await launcher(page).waitFor({ state: 'visible', timeout: 30_000 });
  const mark = await stamped(page, selector, () => launcher(page).click());
  const click = mark.clicks.at(-1);
  if (click === undefined || mark.dom < click) {
    throw new Error('Convo: the first page was visible before the launcher was clicked (is the panel open at load?)');
  }
  return times(mark, click);
}

/** The SDK page starts by itself with the token in its URL; timed from the token in hand. */
export async function sdkFirstPage(page, navigate, selector) {
  await navigate();
  const mark = await stamped(page, selector);
  const started = await page.evaluate(() => window.sdkBench.started);
  return times(mark, started);
}

/** Convo's page size for the first page; the SDK page asks for as many. */
export const PAGE_SIZE = 50;

/**
 * The two pages timed to their first page of a visitor's conversation: for each, the context
 * setup (Convo's holds the stored session), the URL (the SDK page's carries a token for the same
 * visitor) and how a load is timed (see `load` and `reload`).
 */
export function firstPageSides(server, visitor, newest) {
  return {
    convo: {
      setup: { origin: server.origin, storage: visitor.storage, probe: { watch: [newest] } },
      url: `${server.origin}/`,
      measure: (page, navigate) => convoFirstPage(page, navigate, newest),
    },
    sdk: {
      setup: { probe: { watch: [newest] } },
      url: server.sdkPageUrl({ token: accessToken(visitor.identity), sid: visitor.conversation_sid, size: PAGE_SIZE }),
      measure: (page, navigate) => sdkFirstPage(page, navigate, newest),
    },
  };
}

/**
 * What `ready` and `history` start from: the server and browser (stopped with `scope`), a
 * returning visitor whose conversation has `messages` more messages (seeded `concurrency` at a
 * time), and both sides of the first-page measurement. Resolves with {server, browser, visitor,
 * sides, seedMs, newest} (`newest`: the newest message's index).
 */
export async function firstPageStage(scope, opts, { messages, concurrency = 8 }) {
  const server = await startServer(opts);
  scope.defer(() => server.close());
  const browser = await launchBrowser(scope);
  const visitor = await returningVisitor(opts.backendUrl);
  const seedMs = await seedMessages(visitor.conversation_sid, messages, [visitor.identity, visitor.agent], concurrency);
  const newest = await newestIndex(visitor.conversation_sid);
  const sides = firstPageSides(server, visitor, `[data-index="${newest}"]`);
  return { server, browser, visitor, sides, seedMs, newest };
}

/** A fresh context's page on Convo's side, loaded until its launcher shows: ready to profile a click. */
export async function convoAtLauncher(browser, side, scope) {
  const context = await newContext(browser, side.setup);
  scope.defer(() => context.close());
  const page = await context.newPage();
  await page.goto(side.url, { waitUntil: 'commit' });
  await launcher(page).waitFor({ state: 'visible' });
  return page;
}

/** Times one load of a side's page in `page`. */
export const load = (side, page) => side.measure(page, () => page.goto(side.url, { waitUntil: 'commit' }));
/** Times one reload of a side's page (the warm cache). */
export const reload = (side, page) => side.measure(page, () => page.reload({ waitUntil: 'commit' }));

/** A fresh context (cold cache: its own HTTP and code caches), one measured load, closed. */
export async function coldRun(browser, setup, measureLoad) {
  const context = await newContext(browser, setup);
  try {
    return await measureLoad(await context.newPage());
  } finally {
    await context.close();
  }
}

function times(mark, start) {
  return {
    fromStart: mark.frame - start,
    domFromStart: mark.dom - start,
    fromNavigation: mark.frame - mark.timeOrigin,
    domFromNavigation: mark.dom - mark.timeOrigin,
  };
}

/** Runs `action`, then waits for the probe's stamp; a timeout names what the page reported. */
async function stamped(page, selector, action = async () => {}) {
  await action();
  try {
    return await seen(page, selector);
  } catch (error) {
    const said = await page.evaluate(() => window.sdkBench?.error).catch(() => null);
    const problems = page.context().problems.join('; ');
    throw new Error(`${selector} never rendered on ${page.url().split('#')[0]}: ${error.message} ${said ?? ''} ${problems}`);
  }
}

/** Heap in use (CDP Runtime.getHeapUsage, after a GC) and wasm linear memory, in bytes. */
export async function memory(page) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    const wasm = await page.evaluate(() => window.__probe.memories.reduce((sum, m) => sum + m.buffer.byteLength, 0));
    return { jsHeap: usedSize, wasm };
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/**
 * Scrolls Convo's message list to its top every animation frame until message 0 is in the DOM,
 * sampling the DOM's size each frame. At the top, where the browser's scroll anchoring has not
 * moved the list away, a scroll event is dispatched: what a visitor's further wheel turn does.
 */
export function scrollToStart(page, limit = 180_000) {
  return page.evaluate(async (limit) => {
    const root = window.__probe.roots.find((r) => r !== document && r.querySelector('.convo-messages'));
    if (!root) throw new Error('no open shadow root holds .convo-messages');
    const list = root.querySelector('.convo-messages');
    // The probe's record of every DOM change is not wanted here: it would be paid for ten
    // thousand rows coming and going, by Convo's side only (the SDK's page renders nothing).
    window.__probe.stopObserving();
    const out = { maxRows: 0, maxMessageElements: 0, maxShadowElements: 0, frames: 0 };
    const sample = () => {
      out.maxRows = Math.max(out.maxRows, root.querySelectorAll('[data-index]').length);
      out.maxMessageElements = Math.max(out.maxMessageElements, root.querySelectorAll('[data-index], [data-index] *').length);
      out.maxShadowElements = Math.max(out.maxShadowElements, root.querySelectorAll('*').length);
    };
    const started = performance.now();
    sample();
    while (!root.querySelector('[data-index="0"]')) {
      if (performance.now() - started > limit) {
        const oldest = root.querySelector('[data-index]')?.dataset.index;
        throw new Error(`message 0 not reached within ${limit} ms (oldest row shown: ${oldest})`);
      }
      if (list.scrollTop > 0) list.scrollTop = 0;
      else list.dispatchEvent(new Event('scroll'));
      await new Promise((resolve) => requestAnimationFrame(resolve));
      out.frames += 1;
      sample();
    }
    out.ms = performance.now() - started;
    return out;
  }, limit);
}

// ---------------------------------------------------------------------------------------------
// Profiles (BENCH_PROFILE=1): where a slow figure's time goes

export const profiling = process.env.BENCH_PROFILE === '1';

/** Runs `work()` under the V8 CPU profiler of `page`; resolves with the top self-time functions. */
export async function cpuProfile(page, work, top = 15) {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    await work();
    const { profile } = await cdp.send('Profiler.stop');
    if (process.env.BENCH_TRACE_DUMP) {
      const fs = await import('node:fs');
      fs.writeFileSync(`${process.env.BENCH_TRACE_DUMP}-profile-${Date.now()}.json`, JSON.stringify(profile));
    }
    return profileTimes(profile, top);
  } finally {
    await cdp.detach().catch(() => {});
  }
}

/** Self and inclusive time per function (summed over call sites) from a V8 CPU profile, largest first. */
function profileTimes(profile, top) {
  const byNode = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const { functionName, url, lineNumber, columnNumber } = byNode.get(id).callFrame;
    const where = url ? `${path.basename(url)}:${lineNumber + 1}:${columnNumber + 1}` : '';
    const name = `${functionName || '(anonymous)'} ${where}`.trim();
    self.set(name, (self.get(name) ?? 0) + ms);
    total += ms;
  });
  // Inclusive time: each sample counts once for every function on its stack. In a release
  // build only the JS has names; a wasm built with names (wasm-opt -g) shows where a row's
  // setup goes.
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const inclusive = new Map();
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const stack = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) stack.add(byNode.get(n).callFrame.functionName || '(anonymous)');
    for (const name of stack) inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
  });
  const largest = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms }));
  return {
    totalMs: total,
    top: largest(self),
    inclusive: largest(inclusive),
  };
}

/**
 * Runs `work()` under a Chromium trace and resolves with, for each of `pages` (by label), the
 * self time per trace event on its renderer's main thread (what the V8 profile shows as
 * "(program)": style, layout, paint, tasks) and its longest tasks with their heaviest parts.
 */
export async function traceSummary(browser, pages, work, top = 12) {
  await browser.startTracing(undefined, {
    categories: [...(process.env.BENCH_TRACE_DUMP ? ['disabled-by-default-devtools.timeline.invalidationTracking'] : []), 'toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'blink.user_timing'],
  });
  // A user-timing mark names each page's renderer process in the trace.
  for (const [label, page] of Object.entries(pages)) await page.evaluate((name) => performance.mark(name), `bench:${label}`);
  await work();
  const { traceEvents } = JSON.parse((await browser.stopTracing()).toString());
  if (process.env.BENCH_TRACE_DUMP) {
    const fs = await import('node:fs');
    fs.writeFileSync(`${process.env.BENCH_TRACE_DUMP}-${Date.now()}.json`, JSON.stringify(traceEvents));
  }
  const mainThreads = new Set(
    traceEvents.filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`),
  );
  const out = {};
  for (const label of Object.keys(pages)) {
    const pid = traceEvents.find((e) => e.name === `bench:${label}`)?.pid;
    const onMain = (e) => e.pid === pid && mainThreads.has(`${e.pid}:${e.tid}`);
    const events = traceEvents.filter((e) => e.ph === 'X' && onMain(e) && e.dur).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
    const received = traceEvents.filter((e) => e.name === 'WebSocketReceive' && onMain(e)).map((e) => e.ts);
    out[label] = { ...selfTimeByName(events, top), longTasks: longestTasks(events, 5), byTask: timeByTask(events, received) };
  }
  return out;
}

/** Self time (duration minus nested events) summed per event name, largest first. */
function selfTimeByName(events, top) {
  const self = new Map();
  const stack = [];
  for (const event of events) {
    while (stack.length && stack.at(-1).ts + stack.at(-1).dur <= event.ts) stack.pop();
    const parent = stack.at(-1);
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - event.dur / 1000);
    self.set(event.name, (self.get(event.name) ?? 0) + event.dur / 1000);
    stack.push(event);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  return { totalMs: total, top: [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, ms]) => ({ name, ms })) };
}

/** The kinds of task `timeByTask` tells apart, in the order it tries them. */
export const TASK_KINDS = ['frames', 'WebSocket messages', 'timers', 'DOM events', 'other script', "the browser's own"];

/**
 * The main thread's time by the kind of top-level task it went to, each as {ms, count}: frames
 * (style, layout or paint in them), WebSocket messages (`received`: the timestamps of their
 * arrival), timers, DOM events (a scroll), other script (the benchmark's own calls into the page
 * among it), and the rest (the browser's own tasks).
 */
function timeByTask(events, received) {
  const out = Object.fromEntries(TASK_KINDS.map((kind) => [kind, { ms: 0, count: 0 }]));
  const add = (task, names) => {
    const kind = kindOfTask(task, names, received);
    out[kind].ms += task.dur / 1000;
    out[kind].count += 1;
  };
  let task = null;
  let names = new Set();
  for (const event of events) {
    if (task && event.ts < task.ts + task.dur) {
      names.add(event.name);
      continue;
    }
    if (task) add(task, names);
    task = event;
    names = new Set();
  }
  if (task) add(task, names);
  return out;
}

/** One of `TASK_KINDS` for a top-level task with the events `names` nested in it. */
function kindOfTask(task, names, received) {
  if (['Paint', 'Layout', 'UpdateLayoutTree'].some((n) => names.has(n))) return 'frames';
  if (received.some((ts) => ts >= task.ts && ts <= task.ts + task.dur)) return 'WebSocket messages';
  if (names.has('TimerFire')) return 'timers';
  if (names.has('EventDispatch')) return 'DOM events';
  if (names.has('FunctionCall') || names.has('RunMicrotasks')) return 'other script';
  return "the browser's own";
}

/** The longest top-level tasks, each with the names of its three longest nested events. */
function longestTasks(events, count) {
  const tasks = events.filter((e) => e.name === 'RunTask').sort((a, b) => b.dur - a.dur).slice(0, count);
  return tasks.map((task) => {
    const inside = events
      .filter((e) => e !== task && e.ts >= task.ts && e.ts + e.dur <= task.ts + task.dur)
      .sort((a, b) => b.dur - a.dur)
      .slice(0, 3)
      .map((e) => `${e.name}${e.args?.data?.functionName ? `(${e.args.data.functionName})` : ''} ${(e.dur / 1000).toFixed(1)} ms`);
    return { ms: task.dur / 1000, inside };
  });
}

export function printTrace(title, summary) {
  for (const [label, { totalMs, top, longTasks, byTask }] of Object.entries(summary)) {
    console.log(`\nChromium trace — ${title}, ${label} main thread (${totalMs.toFixed(0)} ms busy; top self time by event):`);
    for (const { name, ms } of top) {
      console.log(`${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${name}`);
    }
    console.log('  by kind of task:');
    for (const [kind, { ms, count }] of Object.entries(byTask)) {
      if (count) console.log(`${ms.toFixed(1).padStart(9)} ms ${String(count).padStart(5)}×  ${kind}`);
    }
    console.log('  longest tasks:');
    for (const task of longTasks) console.log(`${task.ms.toFixed(1).padStart(9)} ms  ${task.inside.join(', ')}`);
  }
}

export function printProfile(title, { totalMs, top, inclusive }) {
  const print = (rows) => {
    for (const { name, ms } of rows) {
      console.log(`${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${name.slice(0, 160)}`);
    }
  };
  console.log(`\nCPU profile — ${title} (${totalMs.toFixed(0)} ms sampled; top self time):`);
  print(top);
  console.log(`CPU profile — ${title}: top inclusive time:`);
  print(inclusive);
}

// ---------------------------------------------------------------------------------------------
// Seeding through the backend and the emulator's REST API

/**
 * A returning visitor: a session from the backend (as the widget's first visit would get), its
 * question answered by the demo bot, and an agent in the conversation. Resolves with
 * {identity, conversation_sid, session, agent, storage} (`storage` is the widget's localStorage).
 */
export async function returningVisitor(backendUrl) {
  const response = await fetch(`${backendUrl}/api/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Bench Visitor', question: 'bench: first question' }),
    signal: AbortSignal.timeout(15_000),
  });
  if (!response.ok) throw new Error(`POST /api/session → ${response.status} ${await response.text()}`);
  const { identity, conversation_sid, session } = await response.json();
  // The bot answers the first message asynchronously; seed after it so indexes are settled.
  await support.poll(async () => (await messagePage(conversation_sid, 'asc', 5)).length >= 2, { ms: 15_000, what: 'the bot greeting' });
  const agent = `bench-agent-${Date.now().toString(36)}`;
  await restOk('POST', `/v1/Conversations/${conversation_sid}/Participants`, {
    Identity: agent,
    Attributes: JSON.stringify({ friendlyName: 'Ana', role: 'agent' }),
  });
  const stored = { identity, conversation_sid, session };
  // Its chat was active just now, as the widget records: the page reconnects it at load.
  const storage = { [SESSION_KEY]: JSON.stringify(stored), [`${SESSION_KEY}:active`]: String(Date.now()) };
  return { ...stored, agent, storage };
}

async function messagePage(sid, order, size) {
  const page = await restOk('GET', `/v1/Conversations/${sid}/Messages?Order=${order}&PageSize=${size}`);
  return page.messages;
}

/** The newest message's index. */
export async function newestIndex(sid) {
  const [newest] = await messagePage(sid, 'desc', 1);
  return newest.index;
}

/**
 * Posts `count` messages alternating between `authors`, `concurrency` at a time (bounded, so
 * the emulator is loaded but not flooded). Resolves with the elapsed milliseconds.
 */
export async function seedMessages(sid, count, authors, concurrency = 8) {
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await restOk('POST', `/v1/Conversations/${sid}/Messages`, {
        Author: authors[i % authors.length],
        Body: `seeded message ${i + 1} of ${count}: the quick brown fox jumps over the lazy dog`,
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}

// ---------------------------------------------------------------------------------------------
// Statistics and output

/** The q-quantile (0..1) by linear interpolation between closest ranks. */
export function quantile(values, q) {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
}
export const median = (values) => quantile(values, 0.5);
export const p50 = median;
export const p99 = (values) => quantile(values, 0.99);

const round = (n, digits = 1) => (Number.isFinite(n) ? Number(n.toFixed(digits)) : null);
export const ratio = (convo, reference) => (reference > 0 ? round(convo / reference, 2) : null);

/**
 * Prints the table (figure, Convo, reference, ratio, target), then one JSON object per row:
 * {bench, case, convo_<unit>, sdk_<unit>, ratio, target, …extra}.
 */
export function report(bench, rows, notes = []) {
  const cells = rows.map((row) => [
    row.case,
    formatValue(row.convo, row.unit),
    formatValue(row.sdk, row.unit),
    row.sdk == null ? '—' : `${ratio(row.convo, row.sdk) ?? '—'}×`,
    row.target ?? '',
    row.met == null ? '' : row.met ? 'met' : 'MISSED',
  ]);
  const header = ['figure', 'Convo', 'SDK reference', 'ratio', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c) => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd();
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const c of cells) console.log(line(c));
  for (const note of notes) console.log(note);
  for (const row of rows) {
    const unit = row.unit === 'ms' ? 'ms' : row.unit;
    console.log(
      JSON.stringify({
        bench,
        case: row.case,
        [`convo_${unit}`]: round(row.convo, 2),
        ...(row.sdk == null ? {} : { [`sdk_${unit}`]: round(row.sdk, 2), ratio: ratio(row.convo, row.sdk) }),
        ...(row.target ? { target: row.target, met: row.met } : {}),
        ...row.extra,
      }),
    );
  }
}

function formatValue(value, unit) {
  if (value == null) return '—';
  if (unit === 'ms') return `${value.toFixed(1)} ms`;
  if (unit === 'bytes') return `${(value / 1024 / 1024).toFixed(2)} MB`;
  return `${Math.round(value)} ${unit}`;
}

/** A progress line on stderr (stdout carries only the results). */
export const progress = (message) => console.error(`[bench] ${message}`);
