// The proactive greeting (`ConvoWidget.greet(text, { delay })`, or a script tag's `data-greeting`
// and `data-greeting-delay`): a bubble from the team beside the closed launcher, shown after its
// delay, that opens the chat when clicked and goes away for the browser session when dismissed.
// Greeting a visitor costs nothing: every request the page makes is recorded, and none goes to
// the backend (/api/*) or to twilsock until the visitor actually sends a message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch, screenshot } from './harness.mjs';
import {
  EMULATOR_URL,
  axeViolations,
  describeViolations,
  gotoWidget,
  launcherOf,
  panelOf,
  poll,
  sleep,
  visit,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const GREETING = 'Hi! Need a hand with your order?';

/**
 * Records every request and websocket the page opens; `backend()` lists those that reach the
 * backend's API or twilsock (through the demo's proxy, or at the emulator directly).
 */
function recordRequests(page) {
  const urls = [];
  page.on('request', (request) => urls.push(request.url()));
  page.on('websocket', (socket) => urls.push(socket.url()));
  const api = new URL('api/', BASE_URL).href;
  const emulator = EMULATOR_URL.replace(/^http/, '');
  return {
    backend: () => urls.filter((url) => url.startsWith(api) || url.includes('/v3/wsconnect') || url.replace(/^(http|ws)s?/, '').startsWith(emulator)),
    all: () => [...urls],
  };
}

/** axe's violations once the widget's animations have ended (colours measured as seen). */
async function settledViolations(page) {
  await page.evaluate(() => {
    const shadow = document.getElementById('convo-widget')?.shadowRoot;
    const animations = [...document.getAnimations(), ...(shadow?.getAnimations() ?? [])];
    return Promise.all(animations.filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished));
  });
  return axeViolations(page);
}

const bubbleOf = (page, team = 'Support') => page.getByRole('group', { name: `Message from ${team}` }).and(page.locator('.convo-greeting__bubble'));

function greet(page, ...args) {
  return page.evaluate((args) => window.ConvoWidget.greet(...args), args);
}

test('greet with a delay shows after it, with no request to the backend until the visitor replies', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const requests = recordRequests(page);
    await gotoWidget(page);
    const started = Date.now();
    assert.equal(await greet(page, GREETING, { delay: 1500 }), undefined);
    const bubble = bubbleOf(page);
    await sleep(700);
    assert.equal(await bubble.count(), 0, 'not before its delay');
    await bubble.waitFor({ timeout: 10_000 });
    assert.ok(Date.now() - started >= 1400, `shown after ${Date.now() - started} ms`);
    // Plain text from the team, in a polite live region, with a named ×.
    assert.equal(await bubble.locator('.convo-greeting__text').textContent(), GREETING);
    assert.equal(await page.locator('.convo-greeting').getAttribute('aria-live'), 'polite');
    await bubble.getByRole('button', { name: 'Dismiss the message' }).waitFor();
    assert.equal(await launcherOf(page).getAttribute('aria-expanded'), 'false', 'the panel stays closed');

    const violations = await settledViolations(page);
    await screenshot(page, 'greet-bubble');
    assert.deepEqual(violations, [], describeViolations(violations));

    // Opening from the bubble: the greeting heads the panel above the pre-chat form.
    await bubble.getByRole('button', { name: GREETING }).click();
    const panel = panelOf(page);
    await panel.waitFor({ state: 'visible' });
    assert.equal(await bubble.count(), 0, 'no bubble beside an open panel');
    const note = panel.locator('.convo-greeting-note');
    assert.equal(await note.textContent(), GREETING);
    assert.equal(await note.getAttribute('aria-label'), 'Message from Support');
    await panel.getByLabel('Name *').waitFor();
    const panelViolations = await settledViolations(page);
    assert.deepEqual(panelViolations, [], describeViolations(panelViolations));
    assert.deepEqual(requests.backend(), [], 'greeting and opening asked nothing of the backend');

    // The visitor answers: now a session starts as usual, and the chat works.
    await panel.getByLabel('Name *').fill('Ana');
    await panel.getByLabel('How can we help? (optional)').fill('Where is my parcel?');
    await panel.getByRole('button', { name: 'Start chat' }).click();
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    await panel.locator('.convo-row--bot', { hasText: 'an agent will be with you shortly' }).waitFor({ timeout: 15_000 });
    assert.ok(requests.backend().some((url) => url.endsWith('/api/session')), requests.backend().join('\n'));
    assert.ok(requests.backend().some((url) => url.includes('/v3/wsconnect')), 'the recorder sees twilsock too');
    assert.equal(await note.textContent(), GREETING, "the greeting stays the team's first words");
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('no greeting for a visitor with a chat going on', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await gotoWidget(page);
    await greet(page, GREETING);
    await bubbleOf(page).getByRole('button', { name: GREETING }).click();
    const panel = panelOf(page);
    await panel.getByLabel('Name *').fill('Ana');
    await panel.getByRole('button', { name: 'Start chat' }).click();
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    await poll(() => page.evaluate(() => Object.keys(localStorage).length > 0), { what: 'the stored session' });
    await page.reload();
    await launcherOf(page).waitFor();
    await greet(page, 'Hello again');
    await sleep(500);
    assert.equal(await bubbleOf(page).count(), 0, 'a stored session is a chat going on');
    await launcherOf(page).click();
    await panel.waitFor({ state: 'visible' });
    assert.equal(await panel.locator('.convo-greeting-note').count(), 0);
  } finally {
    await t.close();
  }
});

test('× dismisses for the session: not after a reload, again in a new session', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const requests = recordRequests(page);
    await gotoWidget(page);
    await greet(page, GREETING);
    const bubble = bubbleOf(page);
    await bubble.waitFor();
    // Keyboard: Tab reaches the bubble and its ×.
    await bubble.getByRole('button', { name: GREETING }).focus();
    await page.keyboard.press('Tab');
    const close = bubble.getByRole('button', { name: 'Dismiss the message' });
    assert.equal(await close.evaluate((b) => b.getRootNode().activeElement === b), true, 'Tab reached the ×');
    await page.keyboard.press('Enter');
    await poll(async () => (await bubble.count()) === 0, { what: 'the bubble dismissed' });
    assert.equal(await launcherOf(page).evaluate((l) => l.getRootNode().activeElement === l), true, 'focus went to the launcher');

    await page.reload();
    await launcherOf(page).waitFor();
    await greet(page, 'A new greeting');
    await sleep(700);
    assert.equal(await bubble.count(), 0, 'dismissed for the rest of the session');
    await launcherOf(page).click();
    await panelOf(page).getByLabel('Name *').waitFor();
    assert.equal(await panelOf(page).locator('.convo-greeting-note').count(), 0, 'not in the panel either');
    assert.deepEqual(requests.backend(), [], 'no request while greeting, dismissing and reloading');

    // Another browser session is greeted again.
    const other = await visit(browser);
    t.defer(other.close);
    await gotoWidget(other.page);
    await greet(other.page, GREETING);
    await bubbleOf(other.page).waitFor();
  } finally {
    await t.close();
  }
});

test('Escape dismisses from the keyboard; Enter opens; a second greet replaces the first', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await gotoWidget(page);
    await greet(page, 'First words', { delay: 60_000 });
    await greet(page, 'Second words', { delay: 300 });
    const bubble = bubbleOf(page);
    await bubble.waitFor();
    assert.equal(await bubble.locator('.convo-greeting__text').textContent(), 'Second words');
    // Enter on the bubble opens the chat.
    await bubble.getByRole('button', { name: 'Second words' }).focus();
    await page.keyboard.press('Enter');
    await panelOf(page).waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await panelOf(page).waitFor({ state: 'hidden' });
    assert.equal(await bubble.count(), 0, 'seen in the panel: not back at the launcher');

    // A fresh page: Escape in the bubble dismisses it.
    const other = await visit(browser);
    t.defer(other.close);
    await gotoWidget(other.page);
    await greet(other.page, '<img src=x onerror="window.__xss=1">Hello & welcome');
    const theirs = bubbleOf(other.page);
    await theirs.waitFor();
    assert.equal(await theirs.locator('.convo-greeting__text').textContent(), '<img src=x onerror="window.__xss=1">Hello & welcome', 'plain text, never HTML');
    assert.equal(await theirs.locator('img').count(), 0);
    // Its labels follow the locale.
    await other.page.evaluate(() => window.ConvoWidget.setLocale('fr'));
    const french = other.page.getByRole('group', { name: "Message de l'équipe Assistance" });
    await french.getByRole('button', { name: 'Ignorer le message' }).waitFor();
    await french.getByRole('button', { name: /Hello/ }).focus();
    await other.page.keyboard.press('Escape');
    await poll(async () => (await other.page.locator('.convo-greeting__bubble').count()) === 0, { what: 'dismissed by Escape' });
    assert.equal(await other.page.evaluate(() => window.__xss), undefined);
    assert.equal(await panelOf(other.page, 'Assistance').isVisible(), false, 'Escape did not open the chat');
  } finally {
    await t.close();
  }
});

test('wrong greet calls raise an error event and a warning, never an exception', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await gotoWidget(page);
    const errors = await page.evaluate(() => {
      const messages = [];
      window.addEventListener('convo:error', (e) => messages.push(e.detail.message));
      const calls = [[], [42], ['   '], ['x'.repeat(501)], ['Hi', 'soon'], ['Hi', { delay: -1 }], ['Hi', { delay: Infinity }], ['Hi', { delay: '5' }], ['Hi', { delay: NaN }]];
      const results = calls.map((args) => window.ConvoWidget.greet(...args));
      return { results, messages };
    });
    assert.deepEqual(errors.results, Array(9).fill(undefined));
    assert.deepEqual(errors.messages, [
      'greet: text must be a string',
      'greet: text must be a string',
      'greet: text must not be empty',
      'greet: text has 501 characters; at most 500',
      'greet: options must be an object, like { delay: 5000 }',
      ...Array(4).fill('greet: delay must be a number of milliseconds from 0 to 2147483647'),
    ]);
    await sleep(300);
    assert.equal(await page.locator('.convo-greeting__bubble').count(), 0, 'nothing shown');
    // 500 characters is fine.
    await greet(page, 'é'.repeat(500));
    await bubbleOf(page).waitFor();
  } finally {
    await t.close();
  }
});

test('a script tag greets with data-greeting after data-greeting-delay', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const requests = recordRequests(page);
    const url = new URL('greeting-page.html', BASE_URL).href;
    await page.route(url, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Greeting</title></head><body><main><h1>Shop</h1></main>
          <script src="/convo-widget.js" data-team="Acme" data-greeting="Welcome to Acme!" data-greeting-delay="1200" async></script></body></html>`,
      }),
    );
    await gotoWidget(page, url);
    const bubble = bubbleOf(page, 'Acme');
    assert.equal(await bubble.count(), 0, 'not before its delay');
    await bubble.waitFor({ timeout: 10_000 });
    assert.equal(await bubble.locator('.convo-greeting__text').textContent(), 'Welcome to Acme!');
    assert.equal(await bubble.locator('.convo-greeting__team').textContent(), 'Acme', 'the team named');
    assert.deepEqual(requests.backend(), []);
  } finally {
    await t.close();
  }
});
