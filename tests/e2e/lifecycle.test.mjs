// A conversation's life as the visitor sees it: "End chat" (asked first) closes it through the
// backend and the ended view offers a rating stored in the conversation's attributes; an ended
// chat's stored session is dropped, so the next page view connects nothing; a stored session
// reconnects at page load only while its chat was recently active; a session the backend
// refuses (an expired handle) starts over with a clear notice; a known (host-signed) user finds
// their open conversation on a second device, and their ended ones as read-only threads above
// the next. Connections and token calls are counted through CDP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch, screenshot } from './harness.mjs';
import {
  assertAxeClean,
  chatWithAgent,
  closeConversation,
  EMULATOR_URL,
  expiredHandle,
  launcherOf,
  panelOf,
  poll,
  restOk,
  sendText,
  SESSION_KEY,
  signIdentity,
  sleep,
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

/** The conversation's attributes, parsed. */
async function attributesOf(conversationSid) {
  const conversation = await restOk('GET', `/v1/Conversations/${conversationSid}`);
  return { state: conversation.state, attributes: JSON.parse(conversation.attributes || '{}') };
}

/**
 * Counts, through the Chrome DevTools Protocol, the websockets the page opens and its calls to
 * the backend's session and token endpoints, from now on (reloads included).
 */
async function countTraffic(page) {
  const cdp = await page.context().newCDPSession(page);
  const seen = { sockets: 0, token: 0, session: 0 };
  // Twilsock only: `trunk serve` adds its own live-reload socket.
  cdp.on('Network.webSocketCreated', ({ url }) => {
    if (new URL(url).pathname.endsWith('/wsconnect')) seen.sockets += 1;
  });
  cdp.on('Network.requestWillBeSent', ({ request }) => {
    const path = new URL(request.url).pathname;
    if (path === '/api/token') seen.token += 1;
    if (path === '/api/session') seen.session += 1;
  });
  await cdp.send('Network.enable');
  return seen;
}

/** Loads the page and waits until the widget says `ready` (its start-up decisions are made). */
async function loadReady(page) {
  await page.addInitScript(() => {
    window.ConvoWidget = { q: [['on', 'ready', () => (window.__convoReady = true)]] };
  });
  await page.goto(BASE_URL);
  await poll(() => page.evaluate(() => window.__convoReady === true), { ms: 30_000, what: 'the widget ready' });
  // A resumed session would start connecting at once: give it time to show.
  await sleep(1_500);
}

test('End chat asks first, closes the conversation, and the rating is stored in its attributes', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { session, agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    const end = panel.locator('.convo-header').getByRole('button', { name: 'End chat' });

    // Asked first; Escape (or "Keep chatting") keeps chatting, with the panel still open.
    await end.click();
    const confirm = panel.getByRole('group', { name: /End this chat\?/ });
    await confirm.waitFor();
    assert.equal(await end.getAttribute('aria-expanded'), 'true');
    await poll(() => confirm.getByRole('button', { name: 'Keep chatting' }).evaluate((b) => b.matches(':focus')), {
      what: 'focus on "Keep chatting"',
    });
    await assertAxeClean(page, 'asking to end');
    await screenshot(page, 'end-confirm');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    assert.ok(await panel.isVisible(), 'Escape closed the question, not the panel');
    assert.equal((await attributesOf(session.conversation_sid)).state, 'active');
    await end.click();
    await confirm.getByRole('button', { name: 'Keep chatting' }).click();
    await confirm.waitFor({ state: 'detached' });
    await sendText(page, 'still here');
    await waitDelivered(page, 'still here');

    await end.click();
    await confirm.getByRole('button', { name: 'End chat' }).click();
    await panel.getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    assert.equal(await panel.getByLabel('Write a message…').count(), 0, 'the composer is gone');
    assert.equal(await end.count(), 0, 'nothing left to end');
    const ended = await attributesOf(session.conversation_sid);
    assert.equal(ended.state, 'closed');
    assert.equal(ended.attributes.ended_by, 'visitor');
    // The agent (the official SDK) sees it end.
    await poll(() => agent.conversation.state?.current === 'closed', { ms: 15_000, what: 'the agent sees the conversation closed' });
    // The ended chat is not resumed by the next page.
    assert.equal(await storedSession(page), null, 'the stored session is dropped');

    // The rating: nothing to send until a score is chosen.
    const rating = panel.getByRole('group', { name: 'How was this chat?' });
    const send = panel.getByRole('button', { name: 'Send rating' });
    assert.ok(await send.isDisabled(), 'no score yet');
    await assertAxeClean(page, 'ended, with the rating form');
    await rating.getByLabel('4 stars out of 5').check();
    assert.equal(await rating.locator('.convo-rating__star--on').count(), 4, 'four stars lit');
    await panel.getByLabel("Anything you'd like to add? (optional)").fill('  Quick and kind — merci ');
    await screenshot(page, 'rating');
    await send.click();
    await panel.locator('[role=status]', { hasText: /^Thank you for your feedback!$/ }).waitFor({ timeout: 10_000 });
    const rated = await attributesOf(session.conversation_sid);
    assert.deepEqual(rated.attributes.rating, { score: 4, comment: 'Quick and kind — merci' });
    assert.equal(rated.attributes.ended_by, 'visitor', 'the rating keeps the other attributes');
    await assertAxeClean(page, 'rated');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test("the client dials the twilsock URL the backend's grant names", async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    // The same emulator under another name: only the grant can have told the widget this one.
    const grants = [];
    await page.route('**/api/session', async (route) => {
      const response = await route.fetch();
      const grant = await response.json();
      grant.twilsock_url = grant.twilsock_url.replace('127.0.0.1', 'localhost');
      grants.push(grant);
      await route.fulfill({ response, json: grant });
    });
    const dialled = [];
    const cdp = await page.context().newCDPSession(page);
    cdp.on('Network.webSocketCreated', ({ url }) => {
      if (new URL(url).pathname.endsWith('/wsconnect')) dialled.push(url);
    });
    await cdp.send('Network.enable');
    await startChat(page, { waitForBot: false });
    assert.equal(grants.length, 1);
    assert.match(grants[0].twilsock_url, /^ws:\/\/localhost:\d+\/v3\/wsconnect$/);
    assert.deepEqual(dialled, [grants[0].twilsock_url], 'the widget dialled the grant\'s URL, nothing else');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

/** Makes the emulator's clock move `seconds` on for one conversation (its timers fire). */
async function idle(conversationSid, seconds) {
  const response = await fetch(`${EMULATOR_URL}/_testing/idle?conversation=${conversationSid}&seconds=${seconds}`, {
    method: 'POST',
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(response.status, 204, `idle ${conversationSid} by ${seconds} s`);
}

test("the backend's timers make an idle chat inactive, then close it; the widget shows both live", async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    const panel = panelOf(page);
    const quiet = panel.getByRole('status').filter({ hasText: 'This chat has been quiet for a while.' });
    // The backend's defaults: inactive after 30 minutes, closed after a day.
    const timers = (await restOk('GET', `/v1/Conversations/${session.conversation_sid}`)).timers;
    assert.ok(timers.date_inactive && timers.date_closed, `timers set: ${JSON.stringify(timers)}`);
    await idle(session.conversation_sid, 29 * 60);
    assert.equal((await attributesOf(session.conversation_sid)).state, 'active', 'not yet');

    await idle(session.conversation_sid, 2 * 60);
    assert.equal((await attributesOf(session.conversation_sid)).state, 'inactive');
    await quiet.waitFor({ timeout: 15_000 });
    await screenshot(page, 'inactive');
    // Writing picks it up again.
    await sendText(page, 'back again');
    await waitDelivered(page, 'back again');
    await poll(async () => (await attributesOf(session.conversation_sid)).state === 'active', { what: 'active again' });
    await quiet.waitFor({ state: 'detached', timeout: 15_000 });

    await idle(session.conversation_sid, 24 * 3600 + 60);
    assert.equal((await attributesOf(session.conversation_sid)).state, 'closed');
    await panel.getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    assert.equal(await panel.getByLabel('Write a message…').count(), 0, 'the composer is gone');
    await poll(async () => (await storedSession(page)) === null, { what: 'the closed session dropped' });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a refused rating says so and can be sent again', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    await closeConversation(session.conversation_sid);
    const panel = panelOf(page);
    await panel.getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    let refuse = true;
    await page.route('**/api/rating', (route) =>
      refuse
        ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ message: 'try later' }) })
        : route.continue(),
    );
    await panel.getByLabel('1 star out of 5').check();
    await panel.getByRole('button', { name: 'Send rating' }).click();
    await panel.getByText('Your rating could not be sent. Please try again.').waitFor({ timeout: 10_000 });
    refuse = false;
    await panel.getByRole('button', { name: 'Send rating' }).click();
    await panel.getByText('Thank you for your feedback!').waitFor({ timeout: 10_000 });
    assert.deepEqual((await attributesOf(session.conversation_sid)).attributes.rating, { score: 1 });
    const problems = page.problems.filter((p) => !/status of 503/.test(p));
    assert.deepEqual(problems, []);
  } finally {
    await t.close();
  }
});

test('a page view with a stored closed session opens no websocket and calls no token endpoint', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    // Resolved elsewhere (the desk, a timer): the open widget sees it end and drops the session.
    await closeConversation(session.conversation_sid);
    await panelOf(page).getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    await poll(async () => (await storedSession(page)) === null, { what: 'the ended session dropped' });

    const seen = await countTraffic(page);
    await loadReady(page);
    assert.deepEqual(seen, { sockets: 0, token: 0, session: 0 }, 'nothing connected at load');
    // Opening starts afresh (the pre-chat form), never inside the ended chat.
    await launcherOf(page).click();
    await panelOf(page).getByLabel('Name *').waitFor({ timeout: 10_000 });
    assert.equal(seen.sockets + seen.token, 0, 'still nothing');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a stored session reconnects at load only while its chat was recently active; otherwise on open', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    await sendText(page, 'before the break');
    await waitDelivered(page, 'before the break');
    const seen = await countTraffic(page);

    // Recently active: the page reconnects by itself (the badge can count news).
    await loadReady(page);
    assert.equal(seen.sockets, 1, 'a recent chat reconnects at load');
    assert.equal(seen.token, 1);

    // Idle for longer than resume-within (30 minutes by default): nothing at load. Leaving the
    // chat's page records its newest message as the last activity, so the clock is set back
    // from another page of the site.
    await page.goto(new URL('shop.css', BASE_URL).href);
    await page.evaluate((key) => localStorage.setItem(`${key}:active`, String(Date.now() - 31 * 60_000)), SESSION_KEY);
    seen.sockets = 0;
    seen.token = 0;
    await loadReady(page);
    assert.deepEqual([seen.sockets, seen.token, seen.session], [0, 0, 0], 'an idle chat waits to be opened');

    // Opening resumes the same conversation, with its history.
    await launcherOf(page).click();
    const panel = panelOf(page);
    await panel.locator('.convo-bubble__text', { hasText: 'before the break' }).waitFor({ timeout: 20_000 });
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    assert.equal(seen.sockets, 1);
    assert.equal((await storedSession(page)).conversation_sid, session.conversation_sid, 'the same conversation');
    const active = Number(await page.evaluate((key) => localStorage.getItem(`${key}:active`), SESSION_KEY));
    assert.ok(Date.now() - active < 60_000, 'opening counts as activity');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('an expired session handle starts over with a notice, never silently into a new chat', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    // The backend's own seal, with an expiry in the past: refused with 401 / 20104.
    const expired = expiredHandle(session.session);
    await page.evaluate(
      ([key, stored]) => localStorage.setItem(key, JSON.stringify(stored)),
      [SESSION_KEY, { ...session, session: expired }],
    );
    const refusals = [];
    page.on('response', async (response) => {
      if (new URL(response.url()).pathname === '/api/token' && response.status() !== 200) {
        refusals.push({ status: response.status(), code: (await response.json().catch(() => ({}))).code });
      }
    });
    await page.reload();
    await launcherOf(page).click();
    const panel = panelOf(page);
    await panel.getByText('Your previous chat has expired. You can start a new one.').waitFor({ timeout: 20_000 });
    await panel.getByLabel('Name *').waitFor();
    assert.deepEqual(refusals, [{ status: 401, code: 20104 }], 'refused as expired, once');
    assert.equal(await panel.getByText('Chat is unavailable right now.').count(), 0);
    assert.equal(await storedSession(page), null, 'the expired session is forgotten');
    // The visitor starts the next chat themselves.
    const next = await startChat(page, { goto: false, question: 'Starting over' });
    assert.notEqual(next.conversation_sid, session.conversation_sid);
    const problems = page.problems.filter((p) => !/status of 401/.test(p));
    assert.deepEqual(problems, []);
  } finally {
    await t.close();
  }
});

/** Opens the widget as the host's signed-in user `id` (the pre-chat form is skipped). */
async function openAsUser(page, id) {
  await page.addInitScript(
    ([id, signature]) => {
      window.ConvoWidget = { q: [['setUser', { id, signature, name: 'Vera' }]] };
    },
    [id, signIdentity(id)],
  );
  await page.goto(BASE_URL);
  await launcherOf(page).click();
  const panel = panelOf(page);
  await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
  return { panel, session: await poll(() => storedSession(page), { what: 'the stored session' }) };
}

test('a known user lands in the same conversation on a second device, and sees it as an earlier thread once it ended', async () => {
  const laptop = await visit(browser);
  const phone = await visit(browser);
  try {
    const id = unique('host-user');
    const first = await openAsUser(laptop.page, id);
    await sendText(laptop.page, 'from the laptop');
    await waitDelivered(laptop.page, 'from the laptop');

    // A second browser (no shared storage): the backend finds the open conversation.
    const second = await openAsUser(phone.page, id);
    assert.equal(second.session.conversation_sid, first.session.conversation_sid, 'one conversation');
    assert.equal(second.session.identity, id);
    await second.panel.locator('.convo-bubble__text', { hasText: 'from the laptop' }).waitFor({ timeout: 15_000 });
    await sendText(phone.page, 'from the phone');
    await waitDelivered(phone.page, 'from the phone');
    await first.panel.locator('.convo-bubble__text', { hasText: 'from the phone' }).waitFor({ timeout: 15_000 });

    // Ended on the phone, then a new conversation: the old one is there to read, above.
    await second.panel.locator('.convo-header').getByRole('button', { name: 'End chat' }).click();
    await second.panel.getByRole('group', { name: /End this chat\?/ }).getByRole('button', { name: 'End chat' }).click();
    await second.panel.getByRole('button', { name: 'Start a new conversation' }).click();
    await second.panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    const renewed = await poll(
      async () => {
        const s = await storedSession(phone.page);
        return s && s.conversation_sid !== first.session.conversation_sid ? s : null;
      },
      { ms: 15_000, what: 'the new conversation stored' },
    );
    assert.equal(renewed.identity, id, 'still the same user');
    assert.equal(await second.panel.getByRole('group', { name: /End this chat/ }).count(), 0, 'the new chat is not asked to end');
    await second.panel.getByRole('button', { name: 'Show earlier conversations' }).click();
    const thread = second.panel.getByRole('region', { name: /^Earlier conversation · Today$/ });
    await thread.waitFor({ timeout: 10_000 });
    const lines = await thread.locator('.convo-thread__message').evaluateAll((items) =>
      items.map((li) => `${li.querySelector('.convo-thread__who').textContent}: ${li.querySelector('.convo-thread__text').textContent}`),
    );
    assert.deepEqual(lines.filter((l) => l.startsWith('You: ')), ['You: from the laptop', 'You: from the phone']);
    assert.ok(lines.includes('Assistant: Thanks — an agent will be with you shortly.'), `the bot named (${lines})`);
    assert.equal(await thread.locator('textarea, input, button').count(), 0, 'read-only');
    await assertAxeClean(phone.page, 'an earlier thread above the chat');
    await screenshot(phone.page, 'earlier-thread');
    // The laptop's chat ended too.
    await first.panel.getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    assert.deepEqual(laptop.page.problems, []);
    assert.deepEqual(phone.page.problems, []);
  } finally {
    await laptop.close();
    await phone.close();
  }
});
