// The page-facing API: `window.ConvoWidget` (calls queued before the widget loads, every command)
// and its events, through `on(event, fn)` and as `convo:<event>` DOM CustomEvents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { BASE_URL, launch } from './harness.mjs';
import {
  SESSION_KEY,
  closeConversation,
  gotoWidget,
  launcherOf,
  panelOf,
  poll,
  postMessage,
  restOk,
  sendText,
  startChat,
  storedSession,
  unique,
  visit,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const EVENTS = ['ready', 'open', 'close', 'message', 'unread', 'conversation-started', 'conversation-ended', 'connection', 'error'];

/** Records every `convo:*` DOM event in `window.__events` from before the widget loads. */
function recordDomEvents(page) {
  return page.addInitScript((events) => {
    window.__events = [];
    for (const name of events) {
      window.addEventListener(`convo:${name}`, (e) => window.__events.push({ name, detail: e.detail }));
    }
  }, EVENTS);
}

/** The recorded DOM events named `name`. */
async function events(page, name) {
  return (await page.evaluate(() => window.__events)).filter((e) => e.name === name);
}

test('calls queued before the widget loads run in order once it is ready', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await page.addInitScript(() => {
      window.__readyCalls = 0;
      window.ConvoWidget = {
        q: [
          ['on', 'ready', () => window.__readyCalls++],
          ['setLocale', 'fr'],
          ['hideLauncher'],
          ['open'],
        ],
      };
    });
    await page.goto(BASE_URL);
    const panel = panelOf(page, 'Assistance');
    await panel.waitFor({ state: 'visible', timeout: 20_000 });
    assert.equal(await page.locator('.convo-root').getAttribute('lang'), 'fr');
    assert.equal(await launcherOf(page).isVisible(), false, 'hideLauncher ran');
    assert.equal(await page.evaluate(() => window.__readyCalls), 1, 'a listener queued first hears ready');
    // The shipped TypeScript declarations name exactly the methods the widget has.
    const declared = readFileSync(new URL('../../js/convo-widget.d.ts', import.meta.url), 'utf8');
    const api = declared.slice(declared.indexOf('interface ConvoWidgetApi'));
    const methods = [...api.slice(0, api.indexOf('\n}')).matchAll(/^ {2}(\w+)[<(]/gm)].map((m) => m[1]).sort();
    assert.deepEqual(await page.evaluate(() => Object.keys(window.ConvoWidget).sort()), methods);
    const events = declared.slice(declared.indexOf('interface ConvoEvents'));
    const declaredEvents = [...events.slice(0, events.indexOf('\n}')).matchAll(/^ {2}'?([\w-]+)'?:/gm)].map((m) => m[1]);
    assert.deepEqual(declaredEvents, EVENTS);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('open, close, toggle, the launcher, and on() with its unsubscribe', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await recordDomEvents(page);
    await gotoWidget(page);
    await poll(async () => (await events(page, 'ready')).length === 1, { what: 'ready' });
    await page.evaluate(() => {
      window.__heard = [];
      window.__stop = window.ConvoWidget.on('open', () => window.__heard.push('open'));
      window.ConvoWidget.on('close', () => window.__heard.push('close'));
    });
    const panel = panelOf(page);
    await page.evaluate(() => window.ConvoWidget.open());
    await panel.waitFor({ state: 'visible' });
    await page.evaluate(() => window.ConvoWidget.close());
    await panel.waitFor({ state: 'hidden' });
    await page.evaluate(() => window.ConvoWidget.toggle());
    await panel.waitFor({ state: 'visible' });
    await page.evaluate(() => window.__stop());
    await page.evaluate(() => window.ConvoWidget.toggle());
    await panel.waitFor({ state: 'hidden' });
    // The open listener was unsubscribed before the last toggle; the close listener was not.
    assert.deepEqual(await page.evaluate(() => window.__heard), ['open', 'close', 'open', 'close']);
    assert.equal((await events(page, 'open')).length, 2, 'the DOM events keep coming after the unsubscribe');
    assert.equal((await events(page, 'close')).length, 2);

    await page.evaluate(() => window.ConvoWidget.hideLauncher());
    await launcherOf(page).waitFor({ state: 'hidden' });
    await page.evaluate(() => window.ConvoWidget.showLauncher());
    await launcherOf(page).waitFor({ state: 'visible' });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a chat raises conversation-started, connection, message, unread and conversation-ended', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await recordDomEvents(page);
    await gotoWidget(page);
    await page.evaluate(() => window.ConvoWidget.setAttributes({ plan: 'pro', cart: 3 }));
    const session = await startChat(page, { goto: false });
    const started = await events(page, 'conversation-started');
    assert.deepEqual(started.map((e) => e.detail), [{ conversationSid: session.conversation_sid }]);
    const states = (await events(page, 'connection')).map((e) => e.detail.state);
    assert.ok(states.includes('connected'), `connection states ${states}`);

    // setAttributes reached the conversation through the backend.
    const conversation = await restOk('GET', `/v1/Conversations/${session.conversation_sid}`);
    assert.deepEqual(JSON.parse(conversation.attributes).host, { plan: 'pro', cart: 3 });

    // Own and others' messages are events, once each.
    await sendText(page, 'from the visitor');
    const agent = unique('agent');
    await restOk('POST', `/v1/Conversations/${session.conversation_sid}/Participants`, { Identity: agent });
    await page.evaluate(() => window.ConvoWidget.close());
    await postMessage(session.conversation_sid, agent, 'from the agent');
    await poll(async () => (await events(page, 'message')).some((e) => e.detail.body === 'from the agent'), { what: 'the agent message event' });
    const messages = (await events(page, 'message')).map((e) => e.detail);
    const mine = messages.filter((m) => m.body === 'from the visitor');
    const theirs = messages.filter((m) => m.body === 'from the agent');
    assert.equal(mine.length, 1);
    assert.equal(mine[0].author, session.identity);
    assert.equal(theirs.length, 1);
    assert.equal(theirs[0].author, agent);
    assert.equal(theirs[0].conversationSid, session.conversation_sid);
    assert.equal(typeof theirs[0].index, 'number');
    await poll(async () => (await events(page, 'unread')).some((e) => e.detail.count === 1), { what: 'unread 1' });

    await closeConversation(session.conversation_sid);
    await poll(async () => (await events(page, 'conversation-ended')).length === 1, { what: 'conversation-ended' });
    assert.deepEqual((await events(page, 'conversation-ended'))[0].detail, { conversationSid: session.conversation_sid });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('reset forgets the visitor: disconnected, session cleared, the next open starts afresh', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await recordDomEvents(page);
    await startChat(page);
    await page.evaluate(() => window.ConvoWidget.reset());
    await panelOf(page).waitFor({ state: 'hidden' });
    assert.equal(await storedSession(page), null);
    await poll(async () => (await events(page, 'connection')).at(-1)?.detail.state === 'disconnected', { what: 'disconnected' });
    await page.evaluate(() => window.ConvoWidget.open());
    await panelOf(page).getByLabel('Name *').waitFor();
    assert.equal(await panelOf(page).locator('.convo-row').count(), 0, 'no message of the old chat');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('setUser skips the pre-chat form and sends the host identity with the session request', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const bodies = [];
    await page.route('**/api/session', async (route) => {
      bodies.push(JSON.parse(route.request().postData() ?? '{}'));
      await route.continue();
    });
    await gotoWidget(page);
    await page.evaluate(() => window.ConvoWidget.open());
    await panelOf(page).getByLabel('Name *').waitFor();
    await page.evaluate(() => window.ConvoWidget.setUser({ id: 'host-user-7', signature: 'ab12', name: 'Ada', email: 'ada@example.com' }));
    await poll(() => bodies.length === 1, { what: 'a session request' });
    assert.equal(bodies[0].identity, 'host-user-7');
    assert.equal(bodies[0].identity_signature, 'ab12');
    assert.equal(bodies[0].name, 'Ada');
    assert.equal(bodies[0].email, 'ada@example.com');
    assert.equal(await panelOf(page).getByLabel('Name *').count(), 0, 'the form gave way');
  } finally {
    await t.close();
  }
});

test('wrong calls raise an error event and a warning, never an exception in the page', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await recordDomEvents(page);
    await gotoWidget(page);
    const results = await page.evaluate(() => [
      typeof window.ConvoWidget.on('no-such-event', () => {}),
      typeof window.ConvoWidget.on('open', 'not a function'),
      window.ConvoWidget.setUser(42),
      window.ConvoWidget.setAttributes('plan=pro'),
    ]);
    // A wrong `on` still returns a (do-nothing) unsubscribe function.
    assert.deepEqual(results, ['function', 'function', undefined, undefined]);
    const errors = (await events(page, 'error')).map((e) => e.detail.message);
    assert.equal(errors.length, 4, errors.join(' | '));
    assert.equal(errors[0], `unknown event "no-such-event"; known: ${EVENTS.join(', ')}`);
    assert.match(errors[2], /setUser expects/);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
