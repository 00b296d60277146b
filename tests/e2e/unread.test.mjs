// Unread news: while the panel is closed (or the tab hidden) the launcher's badge counts the new
// messages, its label says so, and the document title becomes "(N) New message <title>";
// opening the panel clears both and a "New messages" divider marks where the news starts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from './harness.mjs';
import { launcherOf, panelOf, poll, postMessage, recordStaff, rest, restOk, startChat, unique, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const TITLE = 'Northwind Outfitters — Convo demo';

async function addAgent(conversationSid, friendlyName = 'Ana') {
  const identity = unique('agent-ana');
  await restOk('POST', `/v1/Conversations/${conversationSid}/Participants`, {
    Identity: identity,
    Attributes: JSON.stringify({ friendlyName, role: 'agent' }),
  });
  await recordStaff(conversationSid, identity);
  return identity;
}

/** The visitor's read horizon as the emulator knows it. */
async function visitorHorizon(session) {
  const { body } = await rest('GET', `/v1/Conversations/${session.conversation_sid}/Participants?PageSize=50`);
  const me = body.participants.find((p) => p.identity === session.identity);
  return me?.last_read_message_index ?? null;
}

/** Waits until the visitor has read everything so far (the widget advances it while shown). */
async function allRead(session) {
  const { body } = await rest('GET', `/v1/Conversations/${session.conversation_sid}/Messages?Order=desc&PageSize=1`);
  const newest = body.messages[0].index;
  await poll(async () => (await visitorHorizon(session)) >= newest, { what: `the visitor's read horizon at ${newest}` });
  return newest;
}

test('with the panel closed, the badge and the title count new messages; opening clears them and shows the divider', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    const agent = await addAgent(session.conversation_sid);
    assert.equal(await page.title(), TITLE);
    await allRead(session);

    const panel = panelOf(page);
    await panel.getByRole('button', { name: 'Close support chat' }).click();
    await panel.waitFor({ state: 'hidden' });
    const launcher = launcherOf(page);
    await postMessage(session.conversation_sid, agent, 'unread one');
    await postMessage(session.conversation_sid, agent, 'unread two');

    const badge = launcher.locator('.convo-launcher__badge');
    await badge.filter({ hasText: /^2$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await launcher.getAttribute('aria-label'), 'Open support chat, 2 unread messages');
    await poll(async () => (await page.title()) === `(2) New message ${TITLE}`, { what: `title "(2) New message ${TITLE}"` });

    await launcher.click();
    await panel.waitFor({ state: 'visible' });
    await badge.waitFor({ state: 'detached', timeout: 5_000 });
    assert.equal(await launcher.getAttribute('aria-label'), 'Close support chat');
    await poll(async () => (await page.title()) === TITLE, { what: 'the title restored' });

    const divider = panel.locator('.convo-divider');
    await divider.waitFor({ timeout: 5_000 });
    assert.equal(await divider.innerText(), 'New messages');
    assert.equal(await divider.count(), 1);
    const dividedRow = panel.locator('.convo-row', { has: page.locator('.convo-divider') });
    assert.match(await dividedRow.locator('.convo-bubble__text').innerText(), /^unread one$/, 'the divider sits above the first unread message');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('with the tab hidden, new messages count in the title and are not marked read', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    const agent = await addAgent(session.conversation_sid);
    const horizon = await allRead(session);

    // Hide the tab (as switching to another tab would).
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await postMessage(session.conversation_sid, agent, 'while you were away');
    await panelOf(page).locator('.convo-bubble__text', { hasText: 'while you were away' }).waitFor({ state: 'attached', timeout: 10_000 });
    await poll(async () => (await page.title()) === `(1) New message ${TITLE}`, { what: `title "(1) New message ${TITLE}"` });
    await launcherOf(page).locator('.convo-launcher__badge').filter({ hasText: /^1$/ }).waitFor({ timeout: 5_000 });
    assert.equal(await launcherOf(page).getAttribute('aria-label'), 'Close support chat, 1 unread message');
    assert.equal(await visitorHorizon(session), horizon, 'a hidden tab does not mark the message read');

    // Back to the tab, with the panel open: the news is seen.
    await page.evaluate(() => {
      delete document.hidden;
      delete document.visibilityState;
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await poll(async () => (await page.title()) === TITLE, { ms: 5_000, what: 'the title restored once the tab is visible with the panel open' });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('after a reload, with the panel still closed, new messages are counted', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    const agent = await addAgent(session.conversation_sid);
    await allRead(session);
    await page.reload();
    const launcher = launcherOf(page);
    await launcher.waitFor({ timeout: 20_000 });
    // Let the resumed session connect with the panel closed, then the agent writes.
    await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
    await postMessage(session.conversation_sid, agent, 'while the panel was closed');
    await launcher.locator('.convo-launcher__badge').filter({ hasText: /^1$/ }).waitFor({ timeout: 15_000 });
    await poll(async () => (await page.title()) === `(1) New message ${TITLE}`, { what: `title "(1) New message ${TITLE}"` });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('scrolled up, a message is read once it scrolls half into view, not when it arrives below the fold', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    const agent = await addAgent(session.conversation_sid);
    for (let i = 1; i <= 20; i++) await postMessage(session.conversation_sid, agent, `earlier ${i}`);
    const panel = panelOf(page);
    await panel.locator('.convo-bubble__text', { hasText: /^earlier 20$/ }).waitFor({ timeout: 10_000 });
    const horizon = await allRead(session);

    // The visitor scrolls up, away from the bottom.
    const log = panel.getByRole('log');
    await log.evaluate((el) => {
      el.scrollTop = Math.max(0, el.scrollHeight - el.clientHeight - 300);
      el.dispatchEvent(new Event('scroll'));
    });
    // A tall message arrives below the fold: the list does not follow, and it is not read.
    const tall = Array.from({ length: 24 }, (_, i) => `tall line ${i + 1}`).join('\n');
    const { index } = await postMessage(session.conversation_sid, agent, tall);
    const row = panel.locator(`.convo-row[data-index="${index}"]`);
    await row.waitFor({ state: 'attached', timeout: 10_000 });
    await page.waitForTimeout(1_500); // past the read horizon's debounce (500 ms)
    assert.equal(await visitorHorizon(session), horizon, 'a message below the fold is not read');

    // Scrolled so that three quarters of it show and the rest is still below the fold (so the
    // list is not at its bottom): it is seen, and read.
    const placed = await row.evaluate((el) => {
      const list = el.closest('.convo-messages');
      const shown = 0.75 * el.offsetHeight;
      if (shown > list.clientHeight || el.offsetHeight - shown < 100) return `row ${el.offsetHeight} px in a list of ${list.clientHeight} px`;
      list.scrollTop += el.getBoundingClientRect().top - list.getBoundingClientRect().top - (list.clientHeight - shown);
      list.dispatchEvent(new Event('scroll'));
      return 'ok';
    });
    assert.equal(placed, 'ok', 'the message is taller than a quarter past the fold and fits three quarters in the list');
    assert.ok(
      await log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight > 48),
      'not at the bottom: the row is seen through the observer, not as the newest at the bottom',
    );
    await poll(async () => (await visitorHorizon(session)) >= index, { what: `the visitor's read horizon at ${index} once the message shows` });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
