// The demo's agent desk (www/agent.html) and a visitor on the shop converse: the desk lists the
// visitor's new conversation, opens it with the widget's own components, and messages go both
// ways. The desk shows who the visitor is, counts their unread messages, shows them typing, and
// resolves a conversation, which the visitor sees end. Two tabs, no Twilio account, nothing but
// the demo stack.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch, screenshot } from './harness.mjs';
import {
  axeViolations,
  describeViolations,
  gotoWidget,
  panelOf,
  poll,
  restOk,
  sendText,
  startChat,
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

test('the agent desk lists visitors\' chats, opens one, and the two converse; it switches between them', async () => {
  const visitor = await visit(browser);
  const second = await visit(browser);
  const agent = await visit(browser);
  try {
    const name = unique('Zoë');
    await startChat(visitor.page, { name, question: 'Is the Ridgeline tent waterproof?' });

    await agent.page.goto(new URL('agent.html', BASE_URL).href);
    const desk = agent.page.getByRole('navigation', { name: 'Conversations' });
    const entry = desk.getByRole('button', { name: new RegExp(name) });
    await entry.waitFor({ timeout: 20_000 });
    await entry.click();
    assert.equal(await entry.getAttribute('aria-current'), 'true');

    // The widget's panel, in place: the visitor's question, and a composer for the answer.
    const chat = agent.page.getByRole('region', { name });
    await chat.locator('.convo-bubble__text', { hasText: 'Is the Ridgeline tent waterproof?' }).waitFor({ timeout: 20_000 });
    assert.equal(await chat.locator('.convo-panel__close').count(), 0, 'nothing to close in place');
    await sendText(agent.page, 'Yes: 3000 mm, taped seams.');

    const visitorPanel = panelOf(visitor.page);
    await visitorPanel.locator('.convo-row:not(.convo-row--own) .convo-bubble__text', { hasText: 'Yes: 3000 mm, taped seams.' })
      .waitFor({ timeout: 15_000 });
    // The agent is named by the desk's display name, never an identity.
    await poll(async () => /Sam \(demo agent\)/.test(await visitorPanel.locator('.convo-header').innerText()), {
      what: 'the visitor sees the agent by name',
    });

    await sendText(visitor.page, 'Great, thanks!');
    await chat.locator('.convo-row:not(.convo-row--own) .convo-bubble__text', { hasText: 'Great, thanks!' })
      .waitFor({ timeout: 15_000 });
    await screenshot(agent.page, 'agent-desk');
    await screenshot(visitor.page, 'agent-desk-visitor');

    // A second visitor: the desk lists them too, and switching back and forth shows each
    // conversation (the one left is disconnected, not leaked).
    const other = unique('Ines');
    await startChat(second.page, { name: other, question: 'Do you ship to Lisbon?' });
    const otherEntry = desk.getByRole('button', { name: new RegExp(other) });
    await otherEntry.waitFor({ timeout: 20_000 });
    await otherEntry.click();
    await agent.page.getByRole('region', { name: other }).locator('.convo-bubble__text', { hasText: 'Do you ship to Lisbon?' })
      .waitFor({ timeout: 20_000 });
    await entry.click();
    await agent.page.getByRole('region', { name }).locator('.convo-bubble__text', { hasText: 'Great, thanks!' })
      .waitFor({ timeout: 20_000 });
    assert.equal(await agent.page.getByRole('region').count(), 1, 'one conversation on screen');
    assert.deepEqual([...visitor.page.problems, ...second.page.problems, ...agent.page.problems], []);
  } finally {
    await agent.close();
    await second.close();
    await visitor.close();
  }
});

test('switching between visitors 20 times in the desk leaves no listener or timer behind', async () => {
  const first = await visit(browser);
  const second = await visit(browser);
  const agent = await visit(browser);
  try {
    const names = [unique('Noor'), unique('Omar')];
    await startChat(first.page, { name: names[0], question: 'First question' });
    await startChat(second.page, { name: names[1], question: 'Second question' });
    // Active intervals, counted as the page starts and clears them.
    await agent.page.addInitScript(() => {
      const active = new Set();
      const { setInterval: set, clearInterval: clear } = window;
      window.setInterval = (...args) => {
        const id = set(...args);
        active.add(id);
        return id;
      };
      window.clearInterval = (id) => {
        active.delete(id);
        clear(id);
      };
      window.__activeIntervals = () => active.size;
    });
    await agent.page.goto(new URL('agent.html', BASE_URL).href);
    const desk = agent.page.getByRole('navigation', { name: 'Conversations' });
    const entries = names.map((name) => desk.getByRole('button', { name: new RegExp(name) }));
    const show = async (i) => {
      await entries[i].click();
      const region = agent.page.getByRole('region', { name: names[i] });
      await region.locator('.convo-bubble__text', { hasText: i === 0 ? 'First question' : 'Second question' })
        .waitFor({ timeout: 20_000 });
    };
    for (const entry of entries) await entry.waitFor({ timeout: 20_000 });

    const cdp = await agent.page.context().newCDPSession(agent.page);
    const listeners = async () => {
      let total = 0;
      for (const expression of ['window', 'document', 'window.visualViewport']) {
        const { result } = await cdp.send('Runtime.evaluate', { expression });
        const { listeners: found } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
        total += found.length;
      }
      return total;
    };
    await show(0);
    await show(1);
    const before = { listeners: await listeners(), intervals: await agent.page.evaluate(() => window.__activeIntervals()) };
    for (let i = 0; i < 20; i += 1) await show(i % 2);
    await show(1);
    const after = { listeners: await listeners(), intervals: await agent.page.evaluate(() => window.__activeIntervals()) };
    assert.deepEqual(after, before, 'the same listeners on window, document and the visual viewport, and the same timers');
    assert.equal(await agent.page.getByRole('region').count(), 1, 'one conversation on screen');
    assert.deepEqual([...first.page.problems, ...second.page.problems, ...agent.page.problems], []);
  } finally {
    await agent.close();
    await second.close();
    await first.close();
  }
});

/** Opens the desk in `page`; resolves with its list of conversations (a navigation landmark). */
async function openDesk(page) {
  await page.goto(new URL('agent.html', BASE_URL).href);
  return page.getByRole('navigation', { name: 'Conversations' });
}

/** The element focused in the desk's shadow root: `{tag, text}`. */
function deskFocus(page) {
  return page.evaluate(() => {
    const active = document.getElementById('desk').shadowRoot.activeElement;
    return active ? { tag: active.tagName.toLowerCase(), text: active.textContent.trim() } : null;
  });
}

/** A list entry's unread count as shown (0 when there is no badge). */
async function unreadOf(entry) {
  // Read at once, never waiting: the badge may go between a check and a read.
  const [count] = await entry.locator('.convo-desk__unread [aria-hidden="true"]').allInnerTexts();
  return count === undefined ? 0 : Number(count);
}

test('the desk shows who the visitor is — name, email, question, page, the host\'s attributes — as text; axe finds nothing', async () => {
  const visitor = await visit(browser);
  const agent = await visit(browser);
  try {
    const name = unique('Zoë');
    // The fragment is the page's own business: the desk gets the address without it.
    await gotoWidget(visitor.page, new URL('?campaign=spring#reviews', BASE_URL).href);
    const title = await visitor.page.title();
    const markup = '<img src=x onerror="window.__convoXss=1">';
    await visitor.page.evaluate((markup) => window.ConvoWidget.setAttributes({ plan: 'gold', cart: 3, note: markup }), markup);
    await startChat(visitor.page, { name, email: 'zoe@example.org', question: 'Is the <b>Ridgeline</b> tent waterproof?', goto: false });

    const desk = await openDesk(agent.page);
    const entry = desk.getByRole('button', { name: new RegExp(name) });
    await entry.waitFor({ timeout: 20_000 });
    await entry.click();
    const details = agent.page.locator('.convo-desk__details');
    await details.getByRole('heading', { name: 'Visitor details' }).waitFor({ timeout: 10_000 });
    const facts = async () => Object.fromEntries(await details.locator('dl').first().evaluate((dl) => {
      const pairs = [];
      for (const dt of dl.querySelectorAll('dt')) pairs.push([dt.textContent, dt.nextElementSibling.textContent]);
      return pairs;
    }));
    const shown = await facts();
    assert.equal(shown.Name, name);
    assert.equal(shown.Email, 'zoe@example.org');
    assert.equal(shown.Question, 'Is the <b>Ridgeline</b> tent waterproof?', 'the question as typed, not as markup');
    assert.equal(await details.locator('.convo-desk__page-title').innerText(), title);
    assert.equal(await details.locator('.convo-desk__url').innerText(), new URL('?campaign=spring', BASE_URL).href);
    const host = await details.locator('dl').nth(1).evaluate((dl) =>
      [...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]));
    assert.deepEqual(host, [['plan', 'gold'], ['cart', '3'], ['note', markup]]);
    assert.equal(await details.locator('img, b').count(), 0, 'nothing the visitor or the host sent became markup');
    assert.equal(await agent.page.evaluate(() => window.__convoXss), undefined);

    // The widget beside the details is the conversation itself.
    const chat = agent.page.getByRole('region', { name });
    await chat.locator('.convo-bubble__text', { hasText: 'Ridgeline' }).waitFor({ timeout: 20_000 });
    await screenshot(agent.page, 'agent-desk-details');
    const violations = await axeViolations(agent.page);
    assert.equal(violations.length, 0, `axe violations on the desk with details shown:\n${describeViolations(violations)}`);
    assert.deepEqual([...visitor.page.problems, ...agent.page.problems], []);
  } finally {
    await agent.close();
    await visitor.close();
  }
});

test('resolving from the desk (keyboard, after a confirmation) ends the visitor\'s chat live; the desk marks it resolved and its composer is read-only', async () => {
  const visitor = await visit(browser);
  const other = await visit(browser);
  const agent = await visit(browser);
  try {
    const name = unique('Noor');
    const otherName = unique('Omar');
    const session = await startChat(visitor.page, { name, question: 'Can I return boots?' });
    await startChat(other.page, { name: otherName, question: 'Another question' });
    const desk = await openDesk(agent.page);
    const entry = desk.getByRole('button', { name: new RegExp(name) });
    await entry.waitFor({ timeout: 20_000 });
    await entry.click();
    const chat = agent.page.getByRole('region', { name });
    await chat.locator('.convo-bubble__text', { hasText: 'Can I return boots?' }).waitFor({ timeout: 20_000 });
    await sendText(agent.page, 'Yes, within 30 days.');
    await waitDelivered(agent.page, 'Yes, within 30 days.');

    // Keyboard only: the button, its question (focus moves to it), Escape, and again.
    const resolve = agent.page.getByRole('button', { name: 'Resolve', exact: true });
    await resolve.focus();
    await agent.page.keyboard.press('Enter');
    const question = agent.page.getByRole('group', { name: /Resolve this conversation\?/ });
    await question.waitFor();
    await poll(async () => (await deskFocus(agent.page))?.text === 'Yes, resolve', { what: 'focus on "Yes, resolve"' });
    await agent.page.keyboard.press('Escape');
    await question.waitFor({ state: 'detached' });
    await poll(async () => (await deskFocus(agent.page))?.text === 'Resolve', { what: 'focus back on "Resolve"' });
    assert.equal((await restOk('GET', `/v1/Conversations/${session.conversation_sid}`)).state, 'active', 'Escape resolved nothing');
    await agent.page.keyboard.press('Enter');
    await poll(async () => (await deskFocus(agent.page))?.text === 'Yes, resolve', { what: 'focus on "Yes, resolve" again' });
    await agent.page.keyboard.press('Enter');

    // The visitor sees the end at once.
    const visitorPanel = panelOf(visitor.page);
    await visitorPanel.getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    await visitorPanel.getByRole('button', { name: 'Start a new conversation' }).waitFor();
    assert.equal(await visitorPanel.getByLabel('Write a message…').count(), 0);
    assert.equal((await restOk('GET', `/v1/Conversations/${session.conversation_sid}`)).state, 'closed');

    // The desk: resolved in the list and the details, and nothing more can be written.
    await entry.locator('.convo-desk__badge', { hasText: 'Resolved' }).waitFor({ timeout: 10_000 });
    await agent.page.getByRole('status').filter({ hasText: 'This conversation is resolved.' }).waitFor();
    const composer = chat.getByLabel('Write a message…');
    await poll(async () => (await composer.getAttribute('readonly')) !== null, { what: 'the composer is read-only' });
    await chat.getByText('This conversation has ended.').waitFor();
    await composer.press('x');
    assert.equal(await composer.inputValue(), '', 'nothing can be typed');
    assert.ok(await chat.getByRole('button', { name: 'Send' }).isDisabled());
    assert.ok(await chat.getByRole('button', { name: 'Attach files' }).isDisabled());
    assert.equal(await chat.getByRole('button', { name: 'Start a new conversation' }).count(), 0, 'the desk never starts a chat');
    assert.equal(await agent.page.getByRole('button', { name: 'Resolve', exact: true }).count(), 0);
    await screenshot(agent.page, 'agent-desk-resolved');
    const violations = await axeViolations(agent.page);
    assert.equal(violations.length, 0, `axe violations on the resolved desk:\n${describeViolations(violations)}`);

    // Back to it from another conversation: still there to read, still read-only.
    await desk.getByRole('button', { name: new RegExp(otherName) }).click();
    await agent.page.getByRole('region', { name: otherName }).locator('.convo-bubble__text', { hasText: 'Another question' })
      .waitFor({ timeout: 20_000 });
    await entry.click();
    await chat.locator('.convo-bubble__text', { hasText: 'Yes, within 30 days.' }).waitFor({ timeout: 20_000 });
    await poll(async () => (await chat.getByLabel('Write a message…').getAttribute('readonly')) !== null, { what: 'read-only again' });
    assert.equal(await chat.getByText('Chat is unavailable right now.').count(), 0);
    assert.deepEqual([...visitor.page.problems, ...other.page.problems, ...agent.page.problems], []);
  } finally {
    await agent.close();
    await other.close();
    await visitor.close();
  }
});

test('the desk counts a visitor\'s unread messages while another conversation is open, clears them when opened, and shows the visitor typing', async () => {
  const first = await visit(browser);
  const second = await visit(browser);
  const agent = await visit(browser);
  try {
    const names = [unique('Ana'), unique('Ines')];
    const sessions = [
      await startChat(first.page, { name: names[0], question: 'First question' }),
      await startChat(second.page, { name: names[1], question: 'Second question' }),
    ];
    const desk = await openDesk(agent.page);
    const entries = names.map((name) => desk.getByRole('button', { name: new RegExp(name) }));
    for (const entry of entries) await entry.waitFor({ timeout: 20_000 });
    // The agent reads the first conversation (its read horizon follows), then turns to the second.
    await entries[0].click();
    await agent.page.getByRole('region', { name: names[0] }).locator('.convo-bubble__text', { hasText: 'First question' })
      .waitFor({ timeout: 20_000 });
    const agentHorizon = async () => {
      const { participants } = await restOk('GET', `/v1/Conversations/${sessions[0].conversation_sid}/Participants`);
      return participants.find((p) => p.identity === 'demo-agent')?.last_read_message_index ?? null;
    };
    await poll(async () => (await agentHorizon()) !== null, { ms: 15_000, what: 'the agent\'s read horizon' });
    await poll(async () => (await unreadOf(entries[0])) === 0, { ms: 15_000, what: 'nothing unread in the conversation read' });
    await entries[1].click();
    await agent.page.getByRole('region', { name: names[1] }).locator('.convo-bubble__text', { hasText: 'Second question' })
      .waitFor({ timeout: 20_000 });

    // The first visitor writes twice: the count rises in the list (the bot and the agent never count).
    await sendText(first.page, 'Are you there?');
    await waitDelivered(first.page, 'Are you there?');
    await poll(async () => (await unreadOf(entries[0])) === 1, { ms: 15_000, what: 'one unread' });
    await sendText(first.page, 'Hello?');
    await waitDelivered(first.page, 'Hello?');
    await poll(async () => (await unreadOf(entries[0])) === 2, { ms: 15_000, what: 'two unread' });
    // Screen readers hear the count in the entry's name.
    await desk.getByRole('button', { name: new RegExp(`${names[0]}.*2 unread messages`) }).waitFor({ timeout: 1_000 });
    await poll(async () => (await unreadOf(entries[1])) === 0, { ms: 10_000, what: 'nothing unread in the open conversation' });

    // They type: "typing…" in the list, for their conversation only, and it goes when they stop.
    const typingIn = (entry) => entry.locator('.convo-desk__typing', { hasText: 'typing…' });
    const composer = first.page.locator('#convo-composer-input');
    // The widget tells of typing at most once per the service's typing timeout (5 s): it types
    // on until the desk shows it.
    await poll(async () => {
      await composer.press('a');
      return (await typingIn(entries[0]).count()) > 0;
    }, { ms: 15_000, every: 300, what: 'typing shown in the list' });
    assert.equal(await typingIn(entries[1]).count(), 0);
    await screenshot(agent.page, 'agent-desk-unread-typing');
    await typingIn(entries[0]).waitFor({ state: 'detached', timeout: 15_000 });

    // Opened, the conversation is read: the count clears.
    await entries[0].click();
    const chat = agent.page.getByRole('region', { name: names[0] });
    await chat.locator('.convo-bubble__text', { hasText: 'Hello?' }).waitFor({ timeout: 20_000 });
    await poll(async () => (await unreadOf(entries[0])) === 0, { ms: 15_000, what: 'the count cleared' });

    // Typing shows in the open conversation too (and in the list), while the visitor types.
    await poll(async () => {
      await composer.press('i');
      return (await chat.locator('.convo-typing', { hasText: `${names[0]} is typing…` }).count()) > 0
        && (await typingIn(entries[0]).count()) > 0;
    }, { ms: 20_000, every: 500, what: 'typing shown in the open conversation and the list' });
    assert.deepEqual([...first.page.problems, ...second.page.problems, ...agent.page.problems], []);
  } finally {
    await agent.close();
    await second.close();
    await first.close();
  }
});
