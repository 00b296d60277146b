// Helpers shared by the end-to-end tests (on top of harness.mjs): the emulator's REST API, an
// AGENT on the other side of the chat driven by Twilio's official SDK, starting a chat in the
// widget as a visitor would, and reading what the widget stored.
//
// Everything here is bounded in time, and everything a test opens is closed by `cleanup()`.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import zlib from 'node:zlib';

import { Client, accessToken, closeClient, initialized, once, DEV, sleep, uniqueName, withTimeout } from '../conformance/harness.mjs';
import { newPage } from './harness.mjs';

export { once, DEV, sleep, withTimeout };

export const EMULATOR_URL = (process.env.CONVO_EMULATOR_URL ?? 'http://127.0.0.1:8788').replace(/\/$/, '');
export const TWILSOCK_URL = `${EMULATOR_URL.replace(/^http/, 'ws')}/v3/wsconnect`;
const AUTH_TOKEN = process.env.TWILIO_AUTH_TOKEN ?? 'convo-dev-auth-token';
const AUTHORIZATION = `Basic ${Buffer.from(`${DEV.accountSid}:${AUTH_TOKEN}`).toString('base64')}`;

/** Where the widget stores the visitor's session (`convo:v1:` + the session URL). */
export const SESSION_KEY = 'convo:v1:/api/session';

/**
 * The demo backend's secrets in the e2e run (scripts/test sets them): a host signs its user ids
 * with the identity secret; session handles are sealed with the session secret.
 */
export const IDENTITY_SECRET = process.env.CONVO_IDENTITY_SECRET ?? 'convo-e2e-identity-secret';
export const SESSION_SECRET = process.env.CONVO_SESSION_SECRET ?? 'convo-e2e-session-secret';

/** What a host's backend computes for its user `id`: hex HMAC-SHA256 under the identity secret. */
export function signIdentity(id) {
  return createHmac('sha256', IDENTITY_SECRET).update(id).digest('hex');
}

/**
 * `handle` (`payload.signature`, base64url) resealed with an expiry in the past, as the backend
 * would have sealed it had it expired.
 */
export function expiredHandle(handle) {
  const payload = JSON.parse(Buffer.from(handle.split('.')[0], 'base64url').toString('utf8'));
  payload.x = Math.floor(Date.now() / 1000) - 60;
  const sealed = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${sealed}.${createHmac('sha256', SESSION_SECRET).update(sealed).digest('base64url')}`;
}

/** A name no other test (or earlier run against the same demo) uses. */
export const unique = uniqueName;

/** Polls `check()` (async allowed) until it returns a truthy value; rejects after `ms`. */
export async function poll(check, { ms = 10_000, every = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${ms} ms (last: ${last})`);
    await sleep(every);
  }
}

// ---------------------------------------------------------------------------------------------
// The emulator's REST API v1 (HTTP Basic auth, form-encoded bodies, as Twilio's)

/** A REST call; resolves to {status, body}. `form` is an object of form fields. */
export async function rest(method, path, form) {
  const url = path.startsWith('http') ? path : `${EMULATOR_URL}${path}`;
  const init = {
    method,
    headers: { Authorization: AUTHORIZATION },
    signal: AbortSignal.timeout(15_000),
  };
  if (form) {
    init.headers['Content-Type'] = 'application/x-www-form-urlencoded';
    init.body = new URLSearchParams(form).toString();
  }
  const response = await fetch(url, init);
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

/** A REST call that must succeed (2xx); resolves with the body. */
export async function restOk(method, path, form) {
  const { status, body } = await rest(method, path, form);
  assert.ok(status >= 200 && status < 300, `${method} ${path} → ${status} ${JSON.stringify(body)}`);
  return body;
}

/** Posts a message as `author` through REST; resolves with the message resource. */
export function postMessage(conversationSid, author, body, attributes) {
  const form = { Author: author, Body: body };
  if (attributes !== undefined) form.Attributes = typeof attributes === 'string' ? attributes : JSON.stringify(attributes);
  return restOk('POST', `/v1/Conversations/${conversationSid}/Messages`, form);
}

/** Every message of a conversation through REST, following the pages. */
export async function allMessages(conversationSid) {
  let page = await restOk('GET', `/v1/Conversations/${conversationSid}/Messages?PageSize=50`);
  const messages = [...page.messages];
  while (page.meta?.next_page_url) {
    page = await restOk('GET', page.meta.next_page_url);
    messages.push(...page.messages);
  }
  return messages;
}

/** Closes a conversation as an agent's back office would. */
export function closeConversation(conversationSid) {
  return restOk('POST', `/v1/Conversations/${conversationSid}`, { State: 'closed' });
}

/** Whether the emulator runs with CONVO_EMULATOR_TESTING=1 (the fault hooks exist). */
export async function faultHooksAvailable() {
  const response = await fetch(`${EMULATOR_URL}/_testing/drop?identity=${unique('nobody')}`, {
    method: 'POST',
    signal: AbortSignal.timeout(5_000),
  }).catch(() => null);
  return Boolean(response && response.status !== 404 && response.status < 500);
}

/** Fails the test, saying why, when the emulator runs without its fault hooks. */
export async function requireFaultHooks() {
  assert.ok(
    await faultHooksAvailable(),
    'POST /_testing/drop answered 404: the emulator must run with CONVO_EMULATOR_TESTING=1 for this test',
  );
}

/** Console noise a network cut legitimately produces (failed websocket handshakes). */
export const networkNoise = (problem) => /WebSocket|ERR_CONNECTION|net::/i.test(problem);

/**
 * Routes the page's twilsock websocket; `net.down = true` refuses new connections. With
 * `fromPage` / `fromServer` (each called with the frame parsed by `twilsockFrame`), frames pass
 * through them; a `fromServer` that returns false drops that frame (a lost reply).
 */
export async function routeTwilsock(page, { fromPage, fromServer } = {}) {
  const net = { down: false, refused: 0, opened: 0 };
  await page.routeWebSocket(/\/v3\/wsconnect/, (ws) => {
    if (net.down) {
      net.refused += 1;
      ws.close({ code: 1011, reason: 'network down' });
      return;
    }
    net.opened += 1;
    const server = ws.connectToServer();
    if (!fromPage && !fromServer) return;
    ws.onMessage((message) => {
      fromPage?.(twilsockFrame(message));
      server.send(message);
    });
    server.onMessage((message) => {
      if (fromServer?.(twilsockFrame(message)) === false) return;
      ws.send(message);
    });
  });
  return net;
}

/**
 * A twilsock frame (`TWILSOCK V3.0 <n>\r\n<header JSON>\r\n<payload>`) as {header, payload}
 * (header `{}` when the frame is not one).
 */
export function twilsockFrame(message) {
  const text = typeof message === 'string' ? message : Buffer.from(message).toString('utf8');
  const first = text.indexOf('\r\n');
  const second = first < 0 ? -1 : text.indexOf('\r\n', first + 2);
  if (second < 0) return { header: {}, payload: '' };
  try {
    return { header: JSON.parse(text.slice(first + 2, second)), payload: text.slice(second + 2) };
  } catch {
    return { header: {}, payload: '' };
  }
}

/** Drops every websocket of `identity`, as a network cut would. */
export async function dropConnections(identity) {
  const response = await fetch(`${EMULATOR_URL}/_testing/drop?identity=${encodeURIComponent(identity)}`, {
    method: 'POST',
    signal: AbortSignal.timeout(5_000),
  });
  assert.ok(response.ok, `POST /_testing/drop?identity=${identity} → ${response.status}`);
}

// ---------------------------------------------------------------------------------------------
// The agent: Twilio's official SDK, on the other side of the visitor's conversation

/**
 * Records `identity` as staff (`agent` or `bot`) in the conversation's attributes through REST,
 * as the backend does when it adds the agent or the bot: the widget takes roles from there only.
 */
export async function recordStaff(conversationSid, identity, role = 'agent') {
  const conversation = await restOk('GET', `/v1/Conversations/${conversationSid}`);
  const attributes = JSON.parse(conversation.attributes || '{}');
  attributes.staff = { ...(attributes.staff ?? {}), [identity]: role };
  await restOk('POST', `/v1/Conversations/${conversationSid}`, { Attributes: JSON.stringify(attributes) });
}

/**
 * Adds an agent to `conversationSid` through REST (recorded as staff, `friendlyName` in its
 * attributes) and connects an official SDK client as that agent. Resolves with
 * {identity, client, conversation, close()}; the conversation is loaded and subscribed.
 */
export async function joinAgent(conversationSid, { friendlyName = 'Ana', identity = unique('agent-ana'), attributes } = {}) {
  await restOk('POST', `/v1/Conversations/${conversationSid}/Participants`, {
    Identity: identity,
    Attributes: JSON.stringify(attributes ?? { friendlyName, role: 'agent' }),
  });
  await recordStaff(conversationSid, identity);
  const client = new Client(accessToken(identity), { twilsock: { uri: TWILSOCK_URL }, logLevel: 'silent' });
  const agent = { identity, client, conversation: null, close: () => closeClient(client) };
  try {
    await initialized(client);
    const conversation = await withTimeout(client.getConversationBySid(conversationSid), 15_000, 'getConversationBySid');
    await withTimeout(
      Promise.all([conversation.getParticipants(), conversation.getMessages(1)]),
      10_000,
      'agent: participants and messages',
    );
    agent.conversation = conversation;
    return agent;
  } catch (error) {
    await agent.close();
    throw error;
  }
}

/**
 * Records the bodies of every message the agent's SDK client receives in its conversation
 * (messageAdded). `count(body)` says how many times a body arrived.
 */
export function recordMessages(agent) {
  const bodies = [];
  const waiters = new Set();
  const listener = (message) => {
    if (message.conversation.sid !== agent.conversation.sid) return;
    bodies.push(message.body);
    for (const wake of waiters) wake();
  };
  agent.client.on('messageAdded', listener);
  return {
    bodies,
    count: (body) => bodies.filter((b) => b === body).length,
    waitFor(body, ms = 15_000) {
      if (bodies.includes(body)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const wake = () => {
          if (!bodies.includes(body)) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`agent: message ${JSON.stringify(body)} not received within ${ms} ms (got ${JSON.stringify(bodies)})`));
        }, ms);
        waiters.add(wake);
      });
    },
    stop: () => agent.client.removeListener('messageAdded', listener),
  };
}

// ---------------------------------------------------------------------------------------------
// The widget, as a visitor uses it

/**
 * A fresh browser context and page (fresh localStorage), plus a `cleanup` list run in reverse by
 * `close()`. Use as: const t = await visit(browser); try { … } finally { await t.close(); }
 */
export async function visit(browser, options = {}) {
  const page = await newPage(browser, options);
  const closers = [() => page.context().close()];
  return {
    page,
    defer(fn) {
      closers.push(fn);
    },
    async close() {
      for (const fn of closers.reverse()) {
        await withTimeout(Promise.resolve().then(fn), 15_000, 'cleanup').catch(() => {});
      }
    },
  };
}

/** Loads the page, retrying while Trunk rebuilds (it answers with errors meanwhile). */
export async function gotoWidget(page, url) {
  const { BASE_URL } = await import('./harness.mjs');
  const target = url ?? BASE_URL;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await page.goto(target, { timeout: 20_000 });
      if (response && response.ok()) {
        await page.locator('button.convo-launcher').waitFor({ timeout: 20_000 });
        return;
      }
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`${target} did not load within 60 s`);
    await sleep(1_000);
  }
}

/** The panel (the dialog named by its header title). */
export const panelOf = (page, name = 'Support') => page.getByRole('dialog', { name });

/** The launcher button. */
export const launcherOf = (page) => page.locator('button.convo-launcher');

/** The visitor's stored session {identity, conversation_sid, session}, or null. */
export function storedSession(page, key = SESSION_KEY) {
  return page.evaluate((key) => {
    const text = localStorage.getItem(key);
    return text ? JSON.parse(text) : null;
  }, key);
}

/**
 * Opens the widget, fills the pre-chat form and starts a chat; waits until it is connected, the
 * question is shown and (when there is a question) the bot's greeting arrived. Resolves with the
 * stored session {identity, conversation_sid, session} (under `storageKey`: the session URL's).
 */
export async function startChat(
  page,
  { name = 'Ana Lúcia', email, question = 'Where is my parcel?', waitForBot = true, goto = true, storageKey = SESSION_KEY } = {},
) {
  if (goto) await gotoWidget(page);
  const panel = panelOf(page);
  if (!(await panel.isVisible())) await launcherOf(page).click();
  await panel.waitFor({ state: 'visible' });
  await panel.getByLabel('Name *').fill(name);
  if (email) await panel.getByLabel('Email (optional)').fill(email);
  if (question) await panel.getByLabel('How can we help? (optional)').fill(question);
  await panel.getByRole('button', { name: 'Start chat' }).click();
  await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
  if (question) {
    await panel.locator('.convo-row--own .convo-bubble__text', { hasText: question }).first().waitFor({ timeout: 10_000 });
    if (waitForBot) {
      await panel.locator('.convo-row--bot', { hasText: 'an agent will be with you shortly' }).waitFor({ timeout: 15_000 });
    }
  }
  const session = await poll(() => storedSession(page, storageKey), { ms: 10_000, what: 'the stored session' });
  assert.match(session.conversation_sid, /^CH[0-9a-f]{32}$/, 'a conversation SID is stored');
  assert.ok(session.identity, 'the visitor identity is stored');
  return session;
}

/**
 * A visitor's chat with an agent: starts it in `t.page` (`startChat` with `chat`), then joins
 * an agent named `friendlyName` on the official SDK (`joinAgent`), closed with `t`. Resolves
 * with {session, agent}.
 */
export async function chatWithAgent(t, friendlyName = 'Ana', chat = {}) {
  const session = await startChat(t.page, chat);
  const agent = await joinAgent(session.conversation_sid, { friendlyName });
  t.defer(agent.close);
  return { session, agent };
}

/**
 * A conversation that grew by `count` messages from the agent (`${word} 1` … `${word} ${count}`)
 * while the visitor was on another page: they come back and open the panel, its newest message
 * shown. `agentArgs` go to `chatWithAgent`. Resolves with {session, agent, panel, log}.
 */
export async function backToLongHistory(t, count, word, ...agentArgs) {
  const { session, agent } = await chatWithAgent(t, ...agentArgs);
  await t.page.goto('about:blank');
  for (let i = 1; i <= count; i++) await postMessage(session.conversation_sid, agent.identity, `${word} ${i}`);
  await gotoWidget(t.page);
  await launcherOf(t.page).click();
  const panel = panelOf(t.page);
  await panel.locator('.convo-bubble__text', { hasText: new RegExp(`^${word} ${count}$`) }).waitFor({ timeout: 20_000 });
  return { session, agent, panel, log: panel.getByRole('log') };
}

/** Sends `text` from the composer (typed, then Enter). */
export async function sendText(page, text) {
  const input = page.locator('#convo-composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/** Waits until an own message with exactly `text` is delivered (no pending status). */
export async function waitDelivered(page, text, ms = 15_000) {
  const row = page.locator('.convo-row--own', { has: page.locator('.convo-bubble__text', { hasText: text }) }).last();
  await row.waitFor({ timeout: ms });
  await poll(async () => (await row.locator('.convo-row__status').count()) === 0 && (await row.getAttribute('data-index')) !== null, {
    ms,
    what: `"${text}" delivered`,
  });
  return row;
}

// ---------------------------------------------------------------------------------------------
// axe-core

const require = createRequire(import.meta.url);
let axeSource;

/** Runs axe-core on the whole document; resolves with its violations. */
export async function axeViolations(page) {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof window.axe === 'object');
  if (!loaded) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
    }));
  });
}

/** A readable summary of axe violations for an assertion message. */
export function describeViolations(violations) {
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target}: ${n.summary?.replace(/\n/g, ' ')}`).join('\n')}`)
    .join('\n');
}

/**
 * Makes the backend refuse `POST /api/session` as it refuses a bad form (a Twilio-shaped 400
 * whose message is `message`) until the returned function is called; then sessions go through.
 */
export async function refuseSessions(page, message) {
  let refusing = true;
  await page.route('**/api/session', async (route) => {
    if (!refusing) return route.fallback();
    await route.fulfill({
      status: 400,
      contentType: 'application/json',
      body: JSON.stringify({ status: 400, code: 20001, message, more_info: 'https://www.twilio.com/docs/errors/20001' }),
    });
  });
  return () => {
    refusing = false;
  };
}

/** Asserts axe finds no violation on the page; the message names `state` and each violation. */
export async function assertAxeClean(page, state) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe (${state}):\n${describeViolations(violations)}`);
}

// ---------------------------------------------------------------------------------------------
// Files

/** A valid PNG of exactly `size` bytes (a 1×1 image padded with a private ancillary chunk). */
export function pngOfSize(size) {
  const base = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    'base64',
  );
  const pad = Math.max(0, size - base.length - 12);
  const typeAndData = Buffer.alloc(4 + pad);
  typeAndData.write('prVt', 0, 'latin1');
  randomBytes(pad).copy(typeAndData, 4);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(pad, 0);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(typeAndData) >>> 0, 0);
  const iend = base.length - 12;
  return Buffer.concat([base.subarray(0, iend), length, typeAndData, crc, base.subarray(iend)]);
}

/** A PNG of `width`×`height` pixels, all one colour (a photo's size without its bytes). */
export function pngOfDimensions(width, height) {
  const chunk = (type, data) => {
    const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length, 0);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(zlib.crc32(typeAndData) >>> 0, 0);
    return Buffer.concat([length, typeAndData, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  // Each scanline: filter byte 0, then the pixels.
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x5a)]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}

/** Whether an element of the message log lies wholly inside its visible area (and is more than `minHeight` px tall). */
export function wholeInView(locator, minHeight = 0) {
  return locator.evaluate((el, min) => {
    const list = el.closest('.convo-messages').getBoundingClientRect();
    const r = el.getBoundingClientRect();
    return r.height > min && r.top >= list.top - 1 && r.bottom <= list.bottom + 1;
  }, minHeight);
}

/** Whether a message element is inside the message log's visible area (not scrolled away). */
export function inView(locator) {
  return locator.evaluate((el) => {
    const log = el.closest('.convo-messages') ?? document.documentElement;
    const r = el.getBoundingClientRect();
    const l = log.getBoundingClientRect();
    return r.height > 0 && r.bottom > l.top + 1 && r.top < l.bottom - 1;
  });
}
