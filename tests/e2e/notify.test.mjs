// Desktop notifications (issue 16, item 5): a page that offers them (`data-notifications="on"`)
// shows a bell in the chat's header; the visitor's click asks the browser (never at load). With
// the permission granted (through CDP, as Playwright's `permissions` does), an agent's reply
// while the tab is hidden shows a notification titled with the agent's name, and clicking it
// opens the panel; the visitor's own messages, a visible tab, or a refused permission show none.
//
// Headless Chromium keeps every page visible, so "hidden" is the page's own visibility state set
// as a background tab's is (`visibilityState`, `hidden`, and the `visibilitychange` event). The
// Notification constructor is the browser's, wrapped to record what the widget showed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch } from './harness.mjs';
import {
  assertAxeClean,
  closeConversation,
  gotoWidget,
  joinAgent,
  panelOf,
  poll,
  postMessage,
  startChat,
  storedSession,
  visit,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Records each notification the page constructs, and each permission request. */
function recordNotifications() {
  window.__convoShown = [];
  window.__convoAsked = 0;
  const Real = window.Notification;
  class Recorded extends Real {
    constructor(title, options = {}) {
      super(title, options);
      window.__convoShown.push({ title, body: options.body, tag: options.tag });
      window.__convoLast = this;
    }
    static requestPermission(...args) {
      window.__convoAsked += 1;
      return Real.requestPermission(...args);
    }
  }
  window.Notification = Recorded;
}

/** Sets `data-notifications="on"` on the demo page's script tag before the loader runs. */
function offerNotifications() {
  new MutationObserver((_, observer) => {
    const tag = document.querySelector('script[src$="convo-widget.js"]');
    if (tag) {
      tag.dataset.notifications = 'on';
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
}

/**
 * Opens the demo page, its widget offering notifications when `offer`, with the page's
 * notifications recorded. (The demo page itself, not one served by `route`: Chromium gives a
 * routed page no address space, and then refuses its websocket to loopback.)
 */
async function openShop(page, { offer = true } = {}) {
  if (!page.shopReady) {
    await page.addInitScript(recordNotifications);
    if (offer) await page.addInitScript(offerNotifications);
    page.shopReady = true;
  }
  await gotoWidget(page);
}

/** Hides or shows the page as switching to another tab and back does. */
async function setHidden(page, hidden) {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

const shown = (page) => page.evaluate(() => window.__convoShown);
const asked = (page) => page.evaluate(() => window.__convoAsked);

/** Waits until the widget has the message `text` (in the DOM, whether or not it is shown). */
async function received(page, text) {
  await panelOf(page).locator('.convo-bubble__text', { hasText: text }).first().waitFor({ state: 'attached', timeout: 15_000 });
}

test('granted: an agent reply in a hidden tab shows one notification, clicking it opens the panel; own messages and a visible tab none', async () => {
  const t = await visit(browser, { permissions: ['notifications'] });
  const { page } = t;
  try {
    await openShop(page);
    const session = await startChat(page, { goto: false });
    assert.equal(await asked(page), 0, 'nothing asked at load, nor by starting a chat');
    const panel = panelOf(page);
    const bell = panel.getByRole('button', { name: 'Notify me of replies' });
    assert.equal(await bell.getAttribute('aria-pressed'), 'false');
    await bell.click();
    await poll(async () => (await bell.getAttribute('aria-pressed')) === 'true', { what: 'the bell pressed' });
    assert.equal(await asked(page), 1, 'asked on the click');
    await assertAxeClean(page, 'the bell on');

    const agent = await joinAgent(session.conversation_sid, { friendlyName: 'Ana' });
    t.defer(agent.close);
    // A visible tab: the panel shows it, no notification.
    await agent.conversation.sendMessage('while you look');
    await received(page, 'while you look');
    assert.deepEqual(await shown(page), [], 'none while the tab is visible');

    // Closed and hidden (the closed panel's list is not in the page: the notifications tell).
    await panel.getByRole('button', { name: 'Close support chat' }).click();
    await panel.waitFor({ state: 'hidden' });
    await setHidden(page, true);
    await agent.conversation.sendMessage('Your parcel left the depot.');
    const notifications = async (n) => poll(async () => {
      const all = await shown(page);
      return all.length >= n ? all : null;
    }, { what: `${n} notification(s)` });
    const [first] = await notifications(1);
    assert.equal(first.title, 'Ana', "the agent's name, not their identity");
    assert.equal(first.body, 'Your parcel left the depot.');

    // The visitor's own message (from another tab of theirs: the server's copy) shows none;
    // the agent's next one, after it in the same stream, does.
    await postMessage(session.conversation_sid, session.identity, 'from my other tab');
    await agent.conversation.sendMessage('and a second line');
    const all = await notifications(2);
    assert.deepEqual(all.map((n) => n.body), ['Your parcel left the depot.', 'and a second line'], 'none for own messages');
    assert.equal(new Set(all.map((n) => n.tag)).size, 1, 'one tag: the newer replaces the older');

    await page.evaluate(() => window.__convoLast.dispatchEvent(new Event('click')));
    await panel.waitFor({ state: 'visible' });
    await setHidden(page, false);
    await agent.conversation.sendMessage('back in view');
    await received(page, 'back in view');
    assert.equal((await shown(page)).length, 2, 'none once the tab is visible again');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('refused: the bell says notifications are blocked, and a hidden tab gets none', async () => {
  // No permission granted: headless Chromium answers the request with a refusal.
  const t = await visit(browser);
  const { page } = t;
  try {
    await openShop(page);
    const session = await startChat(page, { goto: false });
    const panel = panelOf(page);
    await panel.getByRole('button', { name: 'Notify me of replies' }).click();
    const blocked = panel.getByRole('button', { name: "Notifications are blocked in this browser's settings" });
    await blocked.waitFor();
    assert.equal(await blocked.getAttribute('aria-pressed'), 'false');
    await assertAxeClean(page, 'the bell blocked');

    const agent = await joinAgent(session.conversation_sid, { friendlyName: 'Ana' });
    t.defer(agent.close);
    await setHidden(page, true);
    await agent.conversation.sendMessage('can you see this?');
    await received(page, 'can you see this?');
    // The title counts it: the widget had it, and showed no notification.
    await poll(async () => (await page.title()).startsWith('(1)'), { what: 'the unread title' });
    assert.deepEqual(await shown(page), []);
  } finally {
    await t.close();
  }
});

test('not offered by the page: no bell', async () => {
  const t = await visit(browser, { permissions: ['notifications'] });
  const { page } = t;
  try {
    await openShop(page, { offer: false });
    await startChat(page, { goto: false });
    await panelOf(page).getByRole('button', { name: 'End chat' }).waitFor();
    assert.equal(await panelOf(page).locator('.convo-header__alerts').count(), 0);
  } finally {
    await t.close();
  }
});

test('the choice comes back after a reload without asking the browser again; turned off, it stays off', async () => {
  const t = await visit(browser, { permissions: ['notifications'] });
  const { page } = t;
  try {
    await openShop(page);
    await startChat(page, { goto: false });
    const panel = panelOf(page);
    const bell = panel.getByRole('button', { name: 'Notify me of replies' });
    const pressed = async (value, what) => poll(async () => (await bell.getAttribute('aria-pressed')) === value, { what });
    await bell.click();
    await pressed('true', 'the bell pressed');
    const reopen = async () => {
      await openShop(page);
      if (!(await panel.isVisible())) await page.locator('button.convo-launcher').click();
      await bell.waitFor({ timeout: 20_000 });
    };
    await reopen();
    await pressed('true', 'the bell still pressed after a reload');
    assert.equal(await asked(page), 0, 'the reload did not ask the browser');
    await bell.click();
    await pressed('false', 'the bell released');
    await reopen();
    assert.equal(await bell.getAttribute('aria-pressed'), 'false');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('the choice outlives a chat that ended, and goes with reset()', async () => {
  const t = await visit(browser, { permissions: ['notifications'] });
  const { page } = t;
  try {
    await openShop(page);
    const first = await startChat(page, { goto: false });
    const panel = panelOf(page);
    const bell = panel.getByRole('button', { name: 'Notify me of replies' });
    const pressed = async (value, what) => poll(async () => (await bell.getAttribute('aria-pressed')) === value, { what });
    await bell.click();
    await pressed('true', 'the bell pressed');
    // The chat ends; the next one, after a reload, still has the visitor's choice.
    await closeConversation(first.conversation_sid);
    await panel.getByRole('button', { name: 'Start a new conversation' }).click({ timeout: 15_000 });
    await poll(async () => {
      const stored = await storedSession(page);
      return stored && stored.conversation_sid !== first.conversation_sid;
    }, { what: 'the next conversation stored' });
    await openShop(page);
    if (!(await panel.isVisible())) await page.locator('button.convo-launcher').click();
    await pressed('true', 'the bell still pressed in the next chat, after a reload');
    // Forgetting the visitor forgets it: the next visitor's chat starts with it off.
    await page.evaluate(() => window.ConvoWidget.reset());
    await startChat(page, { goto: false });
    await pressed('false', 'the bell released after reset()');
    await openShop(page);
    if (!(await panel.isVisible())) await page.locator('button.convo-launcher').click();
    await pressed('false', 'still released after a reload');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test("the closed launcher previews the agent's newest message: never the visitor's own; dismissed until the next; follows its edit and deletion; a click opens the chat", async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    const agent = await joinAgent(session.conversation_sid, { friendlyName: 'Ana' });
    t.defer(agent.close);
    const panel = panelOf(page);
    const preview = page.getByRole('complementary', { name: 'Message from Ana' });
    await agent.conversation.sendMessage('seen in the panel');
    await received(page, 'seen in the panel');
    assert.equal(await preview.count(), 0, 'nothing to preview while the panel is open');

    await panel.getByRole('button', { name: 'Close support chat' }).click();
    await panel.waitFor({ state: 'hidden' });
    await agent.conversation.sendMessage('Your order shipped this morning.');
    await preview.waitFor({ timeout: 15_000 });
    assert.equal(await preview.locator('.convo-greeting__team').textContent(), 'Ana');
    assert.equal(await preview.locator('.convo-greeting__text').textContent(), 'Your order shipped this morning.');
    assert.equal(await page.locator('.convo-preview').getAttribute('aria-live'), null, 'the live region announces messages once already');
    await assertAxeClean(page, 'the preview shown');

    // The visitor's own message (another tab of theirs) leaves the agent's in the preview.
    await postMessage(session.conversation_sid, session.identity, 'from my other tab');
    await poll(async () => (await page.locator('.convo-launcher').getAttribute('aria-label'))?.includes('1'), { what: 'the badge' });
    await agent.conversation.sendMessage('Tracking: NW-12345');
    await preview.locator('.convo-greeting__text', { hasText: 'Tracking: NW-12345' }).waitFor();

    // Escape dismisses it, the focus going to the launcher; the next message shows again.
    await preview.getByRole('button', { name: /Tracking/ }).focus();
    await page.keyboard.press('Escape');
    await preview.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.className ?? document.activeElement?.className), 'convo-launcher');
    // The agent corrects the previewed message, then takes it back: the preview follows.
    await agent.conversation.sendMessage('Your parcel is in Lyon');
    await preview.locator('.convo-greeting__text', { hasText: 'Your parcel is in Lyon' }).waitFor();
    const newest = async () => (await agent.conversation.getMessages(1)).items[0];
    await (await newest()).updateBody('Your parcel is in Lille');
    await preview.locator('.convo-greeting__text', { hasText: 'Your parcel is in Lille' }).waitFor();
    await (await newest()).remove();
    await preview.waitFor({ state: 'detached' });
    await agent.conversation.sendMessage('Anything else?');
    await preview.locator('.convo-greeting__text', { hasText: 'Anything else?' }).waitFor();

    await preview.getByRole('button', { name: /Anything else/ }).click();
    await panel.waitFor({ state: 'visible' });
    await received(page, 'Anything else?');
    assert.equal(await preview.count(), 0, 'gone once the chat is open');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
