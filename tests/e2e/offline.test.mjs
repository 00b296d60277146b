// Support closed (`ConvoWidget.setAvailability`, `data-availability`, `init({ availability })`,
// business hours in a time zone): a visitor with no chat going on gets a "leave a message" form
// (email and message, both required) instead of the pre-chat form. Sending it starts a
// conversation marked `offline` in its attributes, the message its first message; the visitor
// sees where the answer will go and may keep writing; the agent desk lists it as an offline
// message, in words. A chat going on is not interrupted, and switching while a form is on
// screen swaps the form, keeping what was typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch, screenshot } from './harness.mjs';
import {
  allMessages,
  assertAxeClean,
  closeConversation,
  gotoWidget,
  launcherOf,
  panelOf,
  poll,
  refuseSessions,
  restOk,
  sendText,
  startChat,
  storedSession,
  unique,
  visit,
  waitDelivered,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const INTRO = "We're away right now — leave a message and we'll reply by email.";

/** The POSTs to the session endpoint the page makes, with their bodies. */
function recordSessions(page) {
  const bodies = [];
  const url = new URL('api/session', BASE_URL).href;
  page.on('request', (request) => {
    if (request.url() === url && request.method() === 'POST') bodies.push(JSON.parse(request.postData() || '{}'));
  });
  return bodies;
}

/** Every `error` event the widget raises, from now on. */
async function recordErrors(page) {
  await page.evaluate(() => {
    window.__errors = [];
    window.ConvoWidget.on('error', (detail) => window.__errors.push(detail.message));
  });
  return () => page.evaluate(() => window.__errors);
}

function setAvailability(page, availability) {
  return page.evaluate((a) => window.ConvoWidget.setAvailability(a), availability);
}

/** Opens the panel (once the loader has the wasm's methods) and waits for it. */
async function openPanel(page) {
  await launcherOf(page).click();
  const panel = panelOf(page);
  await panel.waitFor({ state: 'visible' });
  return panel;
}

/** The weekday key (`mon`…) it is now in `timeZone`. */
function weekdayIn(timeZone) {
  const name = new Intl.DateTimeFormat('en-US', { weekday: 'short', timeZone }).format(new Date());
  return name.slice(0, 3).toLowerCase();
}

test('closed: the form refuses a bad email with no request, then starts an offline conversation the desk lists as such', async () => {
  const visitor = await visit(browser);
  const agent = await visit(browser);
  const { page } = visitor;
  try {
    const sessions = recordSessions(page);
    await gotoWidget(page);
    const errors = await recordErrors(page);
    assert.equal(await setAvailability(page, 'closed'), undefined);
    const panel = await openPanel(page);
    await panel.getByText(INTRO).waitFor();
    assert.equal(await panel.getByLabel('Name *').count(), 0, 'no pre-chat form');

    const name = unique('Ana');
    const email = `${name.toLowerCase().replace(/[^a-z0-9]/g, '')}@example.org`;
    const message = 'Do you ship the Ridgeline tent to Oslo?';
    // Nothing filled in: both required fields say so, tied to their fields.
    await panel.getByRole('button', { name: 'Send message' }).click();
    const emailField = panel.getByLabel('Email *');
    const messageField = panel.getByLabel('Your message *');
    await poll(async () => (await emailField.getAttribute('aria-invalid')) === 'true', { what: 'the email marked invalid' });
    assert.equal(await messageField.getAttribute('aria-invalid'), 'true');
    const describedBy = await emailField.getAttribute('aria-describedby');
    assert.equal(await panel.locator(`#${describedBy}`).textContent(), 'Please fill this in.');

    // A bad email is refused with a field message, and nothing reaches the backend.
    await emailField.fill('ana@');
    await messageField.fill(message);
    await panel.getByLabel('Name (optional)').fill(name);
    await panel.getByRole('button', { name: 'Send message' }).click();
    await poll(async () => (await panel.locator(`#${describedBy}`).textContent()) === 'Please enter an email address like name@example.com.', {
      what: 'the email field message',
    });
    assert.equal(await messageField.getAttribute('aria-invalid'), 'false', 'the message is fine now');
    await screenshot(page, 'offline-form-errors');
    await assertAxeClean(page, 'the offline form with its errors');
    assert.deepEqual(sessions, [], 'no request while the form is invalid');

    // Sent: a conversation marked offline, the message as its first message.
    await emailField.fill(email);
    await panel.getByRole('button', { name: 'Send message' }).click();
    const thanks = panel.locator('.convo-message-left');
    await thanks.waitFor({ timeout: 20_000 });
    assert.equal(await thanks.innerText(), `Thanks — we'll get back to you at ${email}.`);
    assert.equal(await thanks.getAttribute('role'), 'status');
    await panel.locator('.convo-row--own .convo-bubble__text', { hasText: message }).waitFor({ timeout: 15_000 });
    assert.equal(sessions.length, 1, JSON.stringify(sessions));
    assert.equal(sessions[0].offline, true);
    assert.equal(sessions[0].email, email);
    assert.equal(sessions[0].question, message);

    const session = await poll(() => storedSession(page), { what: 'the stored session' });
    const conversation = await restOk('GET', `/v1/Conversations/${session.conversation_sid}`);
    const attributes = JSON.parse(conversation.attributes);
    assert.equal(attributes.offline, true, conversation.attributes);
    assert.equal(attributes.visitor.email, email);
    const messages = await allMessages(session.conversation_sid);
    assert.equal(messages[0].body, message);
    assert.equal(messages[0].author, session.identity);

    // The visitor may keep writing in it.
    await sendText(page, 'I can be reached after 6 pm.');
    await waitDelivered(page, 'I can be reached after 6 pm.');
    await screenshot(page, 'offline-confirmation');
    await assertAxeClean(page, 'the confirmation');

    // The desk lists it as an offline message, in words, and says so in its details.
    await agent.page.goto(new URL('agent.html', BASE_URL).href);
    const desk = agent.page.getByRole('navigation', { name: 'Conversations' });
    const entry = desk.getByRole('button', { name: new RegExp(name) });
    await entry.waitFor({ timeout: 20_000 });
    assert.match(await entry.innerText(), /Offline message/);
    await entry.click();
    await agent.page.locator('.convo-desk__offline', { hasText: 'the visitor expects a reply by email' }).waitFor({ timeout: 20_000 });
    await screenshot(agent.page, 'offline-desk');
    await assertAxeClean(agent.page, 'the desk');
    assert.deepEqual(await errors(), []);
    assert.deepEqual([...page.problems, ...agent.page.problems], []);
  } finally {
    await agent.close();
    await visitor.close();
  }
});

test('a message the backend refuses stays in the form, with the reason; sent again, it goes', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const sessions = recordSessions(page);
    await gotoWidget(page);
    await setAvailability(page, 'closed');
    // Refused for a rule of the backend's own (here, as an older backend refused a message
    // left while a custom field was required), then accepted.
    const accept = await refuseSessions(page, 'fields.terms is required');
    const panel = await openPanel(page);
    const message = 'Is the Ridgeline tent back in stock?';
    await panel.getByLabel('Email *').fill('ines@example.org');
    await panel.getByLabel('Your message *').fill(message);
    await panel.getByLabel('Name (optional)').fill('Ines');
    await panel.getByRole('button', { name: 'Send message' }).click();

    await panel.getByRole('alert').filter({ hasText: 'The chat could not start: fields.terms is required' }).waitFor({ timeout: 20_000 });
    assert.equal(sessions.length, 1);
    assert.equal(await panel.getByLabel('Your message *').inputValue(), message, 'the message is kept');
    assert.equal(await panel.getByLabel('Email *').inputValue(), 'ines@example.org');
    assert.equal(await panel.getByLabel('Name (optional)').inputValue(), 'Ines');
    await assertAxeClean(page, 'the refusal shown on the offline form');

    accept();
    await panel.getByRole('button', { name: 'Send message' }).click();
    await panel.locator('.convo-message-left').waitFor({ timeout: 20_000 });
    await panel.locator('.convo-row--own .convo-bubble__text', { hasText: message }).waitFor({ timeout: 15_000 });
    assert.equal(sessions.length, 2);
    assert.equal(sessions[1].question, message);
    assert.equal(await panel.getByRole('alert').filter({ hasText: 'fields.terms' }).count(), 0);
    // Accepted, the form is emptied: once this chat has ended, the next message starts blank.
    const session = await poll(() => storedSession(page), { what: 'the stored session' });
    await closeConversation(session.conversation_sid);
    await panel.getByRole('button', { name: 'Start a new conversation' }).click({ timeout: 15_000 });
    await panel.getByLabel('Your message *').waitFor();
    assert.equal(await panel.getByLabel('Your message *').inputValue(), '');
    assert.equal(await panel.getByLabel('Email *').inputValue(), '');
    assert.deepEqual(page.problems.filter((p) => !/status of 400/.test(p)), []);
  } finally {
    await t.close();
  }
});

test('switching availability swaps the forms keeping what was typed; a chat going on goes on; bad calls raise error', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await gotoWidget(page);
    const errors = await recordErrors(page);
    const panel = await openPanel(page);
    await panel.getByLabel('Name *').fill('Zoë');
    await panel.getByLabel('Email (optional)').fill('zoe@example.org');
    await panel.getByLabel('How can we help? (optional)').fill('Is it waterproof?');

    await setAvailability(page, 'closed');
    await panel.getByText(INTRO).waitFor();
    assert.equal(await panel.getByLabel('Email *').inputValue(), 'zoe@example.org');
    assert.equal(await panel.getByLabel('Your message *').inputValue(), 'Is it waterproof?');
    assert.equal(await panel.getByLabel('Name (optional)').inputValue(), 'Zoë');
    await panel.getByLabel('Your message *').fill('Is it waterproof? And the price?');

    await setAvailability(page, 'open');
    await panel.getByLabel('Name *').waitFor();
    assert.equal(await panel.getByText(INTRO).count(), 0);
    assert.equal(await panel.getByLabel('How can we help? (optional)').inputValue(), 'Is it waterproof? And the price?');

    // Wrong calls change nothing and say what is wrong.
    for (const wrong of ['shut', { hours: { monday: ['09:00', '18:00'] } }, { hours: { mon: ['9:00', '18:00'] } }, { hours: {}, timeZone: 'Mars/Olympus_Mons' }, 42]) {
      assert.equal(await setAvailability(page, wrong), undefined, 'no exception into the page');
    }
    const said = await errors();
    assert.equal(said.length, 5, said.join('\n'));
    assert.match(said[0], /^setAvailability: "shut" is not an availability/);
    assert.match(said[1], /unknown day "monday"/);
    assert.match(said[2], /hours\.mon: "9:00" is not a time/);
    assert.match(said[3], /"Mars\/Olympus_Mons" is not a time zone/);
    await panel.getByLabel('Name *').waitFor();

    // A chat going on is not interrupted when support closes.
    await panel.getByRole('button', { name: 'Start chat' }).click();
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    await setAvailability(page, 'closed');
    await sendText(page, 'Still here?');
    await waitDelivered(page, 'Still here?');
    assert.equal(await panel.getByText(INTRO).count(), 0);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('data-availability="closed" on the script tag shows the form; init({ availability }) too', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const url = new URL('offline-closed.html', BASE_URL).href;
    await page.route(url, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="en"><head><title>Closed shop</title></head><body><main><h1>Closed shop</h1></main>
          <script src="/convo-widget.js" data-availability="closed" async></script></body></html>`,
      }),
    );
    await gotoWidget(page, url);
    const panel = await openPanel(page);
    await panel.getByText(INTRO).waitFor();
    await panel.getByLabel('Email *').waitFor();

    const other = await visit(browser);
    t.defer(other.close);
    const initUrl = new URL('offline-init.html', BASE_URL).href;
    await other.page.route(initUrl, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="fr"><head><title>Fermé</title></head><body><main><h1>Fermé</h1></main>
          <script>window.ConvoWidget = window.ConvoWidget || { q: [] };
            window.ConvoWidget.q.push(['init', { availability: 'closed', locale: 'fr' }]);</script>
          <script src="/convo-widget.js" async></script></body></html>`,
      }),
    );
    await gotoWidget(other.page, initUrl);
    await launcherOf(other.page).click();
    const fr = other.page.getByRole('dialog');
    await fr.getByText('Nous sommes absents pour le moment', { exact: false }).waitFor();
    await fr.getByLabel('Votre message *').waitFor();
    assert.deepEqual([...page.problems, ...other.page.problems], []);
  } finally {
    await t.close();
  }
});

test('business hours: hours that exclude now show the form, hours that include it the pre-chat form, in their time zone', async () => {
  // UTC+14 and UTC−11 are 25 hours apart: it is never the same weekday in both, so hours open
  // all of today in Kiritimati are closed now in Pago Pago — whatever the time of the run.
  const today = weekdayIn('Pacific/Kiritimati');
  const hours = { [today]: ['00:00', '24:00'] };
  const t = await visit(browser);
  const { page } = t;
  try {
    await gotoWidget(page);
    const errors = await recordErrors(page);
    await setAvailability(page, { hours, timeZone: 'Pacific/Pago_Pago' });
    const panel = await openPanel(page);
    await panel.getByText(INTRO).waitFor();
    await setAvailability(page, { hours, timeZone: 'Pacific/Kiritimati' });
    await panel.getByLabel('Name *').waitFor();
    assert.equal(await panel.getByText(INTRO).count(), 0);
    assert.deepEqual(await errors(), []);
  } finally {
    await t.close();
  }
});

test('business hours are looked at again when they open, while the page is open', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    // Monday 08:59:30 UTC, support opening at 09:00.
    await page.clock.install({ time: new Date('2026-12-07T08:59:30Z') });
    await gotoWidget(page);
    await setAvailability(page, { hours: { mon: ['09:00', '18:00'] }, timeZone: 'UTC' });
    const panel = await openPanel(page);
    await panel.getByText(INTRO).waitFor();
    await panel.getByLabel('Email *').fill('early@example.org');
    await page.clock.runFor(31_000);
    await panel.getByLabel('Name *').waitFor({ timeout: 10_000 });
    assert.equal(await panel.getByLabel('Email (optional)').inputValue(), 'early@example.org', 'what was typed stays');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

/** What the backend says about agents now. */
async function agentsOnline() {
  const response = await fetch(new URL('api/availability', BASE_URL), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(10_000),
  });
  assert.equal(response.status, 200);
  return (await response.json()).agents_online;
}

test("'agents': with no agent online the form shows; with the desk open (its agent online) the pre-chat form", async () => {
  const visitor = await visit(browser);
  const later = await visit(browser);
  const agent = await visit(browser);
  try {
    // Earlier tests' desks have closed: nobody is online.
    await poll(async () => (await agentsOnline()) === false, { ms: 15_000, what: 'no agent online' });
    const sessions = recordSessions(visitor.page);
    await gotoWidget(visitor.page);
    await setAvailability(visitor.page, 'agents');
    const panel = await openPanel(visitor.page);
    await panel.getByText(INTRO).waitFor({ timeout: 10_000 });
    assert.deepEqual(sessions, [], 'asking about agents starts no session');

    // The desk signs its agent in: now someone can answer.
    await agent.page.goto(new URL('agent.html', BASE_URL).href);
    await agent.page.getByRole('navigation', { name: 'Conversations' }).waitFor({ timeout: 20_000 });
    await poll(async () => (await agentsOnline()) === true, { ms: 20_000, what: 'the desk agent online' });
    const url = new URL('offline-agents.html', BASE_URL).href;
    await later.page.route(url, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html lang="en"><head><title>Shop</title></head><body><main><h1>Shop</h1></main>
          <script src="/convo-widget.js" data-availability="agents" async></script></body></html>`,
      }),
    );
    await gotoWidget(later.page, url);
    const open = await openPanel(later.page);
    await open.getByLabel('Name *').waitFor({ timeout: 10_000 });
    assert.equal(await open.getByText(INTRO).count(), 0);
    assert.deepEqual([...visitor.page.problems, ...later.page.problems, ...agent.page.problems], []);
  } finally {
    await agent.close();
    await later.close();
    await visitor.close();
  }
});

test('after a chat ended while support is closed, "Start a new conversation" is the form, for the same visitor', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const first = await startChat(page, { name: 'Ines', question: 'Do you ship to Lisbon?' });
    await closeConversation(first.conversation_sid);
    const panel = panelOf(page);
    const startNew = panel.getByRole('button', { name: 'Start a new conversation' });
    await startNew.waitFor({ timeout: 15_000 });
    await setAvailability(page, 'closed');
    await startNew.click();
    await panel.getByText(INTRO).waitFor();
    await panel.getByLabel('Email *').fill('ines@example.org');
    await panel.getByLabel('Your message *').fill('One more question about Lisbon.');
    await panel.getByRole('button', { name: 'Send message' }).click();
    await panel.locator('.convo-message-left').waitFor({ timeout: 20_000 });
    const next = await poll(async () => {
      const stored = await storedSession(page);
      return stored && stored.conversation_sid !== first.conversation_sid ? stored : null;
    }, { what: 'the new conversation stored' });
    assert.equal(next.identity, first.identity, 'the same visitor');
    const conversation = await restOk('GET', `/v1/Conversations/${next.conversation_sid}`);
    assert.equal(JSON.parse(conversation.attributes).offline, true, conversation.attributes);
    assert.equal((await allMessages(next.conversation_sid))[0].body, 'One more question about Lisbon.');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
