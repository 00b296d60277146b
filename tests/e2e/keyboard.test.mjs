// Keyboard only: Tab reaches the launcher, Enter opens the panel and focus moves into it, Tab and
// Shift+Tab stay inside the dialog, the form and the composer work without a mouse (Enter sends,
// Shift+Enter breaks the line), Escape closes and focus returns to the launcher.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from './harness.mjs';
import { allMessages, gotoWidget, panelOf, poll, storedSession, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** A short description of the focused element and whether it is inside the panel. */
const focused = (page) =>
  page.evaluate(() => {
    // Focus inside the widget's shadow root shows on the root, not on the document.
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    const label = el?.getAttribute('aria-label') || el?.id || el?.textContent?.trim().slice(0, 20) || '';
    return {
      tag: el?.tagName.toLowerCase(),
      id: el?.id ?? '',
      label,
      inPanel: Boolean(el?.closest('#convo-panel, [role=dialog]')),
      isLauncher: Boolean(el?.matches('.convo-launcher')),
    };
  });

/** Presses Tab until `predicate(focused)` holds (at most `max` presses); returns the focus. */
async function tabUntil(page, predicate, max = 20, key = 'Tab') {
  for (let i = 0; i < max; i++) {
    const now = await focused(page);
    if (predicate(now)) return now;
    await page.keyboard.press(key);
  }
  const now = await focused(page);
  assert.ok(predicate(now), `not reached with ${max} × ${key} (focus on ${JSON.stringify(now)})`);
  return now;
}

/** Presses `key` `times` times; every focus stop must be inside the panel. Returns the stops. */
async function assertTrapped(page, key, times) {
  const stops = [];
  for (let i = 0; i < times; i++) {
    await page.keyboard.press(key);
    const now = await focused(page);
    assert.ok(now.inPanel, `${key} #${i + 1} left the dialog: focus on ${JSON.stringify(now)} after ${JSON.stringify(stops.map((s) => s.label))}`);
    stops.push(now);
  }
  const distinct = new Set(stops.map((s) => `${s.tag}#${s.id}:${s.label}`));
  assert.ok(distinct.size < times, `${key} cycles within the dialog (${distinct.size} distinct stops in ${times})`);
  return stops;
}

test('Enter on the launcher opens the dialog, Tab is trapped both ways, Escape closes and focus returns', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await gotoWidget(page);
    await tabUntil(page, (f) => f.isLauncher, 10);
    await page.keyboard.press('Enter');
    const panel = panelOf(page);
    await panel.waitFor({ state: 'visible' });
    assert.equal(await page.locator('.convo-launcher').getAttribute('aria-expanded'), 'true');
    assert.equal(await panel.getAttribute('aria-modal'), 'true');
    await poll(async () => (await focused(page)).inPanel, { ms: 3_000, what: 'focus inside the dialog on open' });

    await assertTrapped(page, 'Tab', 12);
    await assertTrapped(page, 'Shift+Tab', 12);

    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    await poll(async () => (await focused(page)).isLauncher, { ms: 3_000, what: 'focus back on the launcher' });
    assert.equal(await page.locator('.convo-launcher').getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('.convo-launcher').getAttribute('aria-label'), 'Open support chat');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a whole chat by keyboard: the form, Shift+Enter for a new line, Enter to send, Escape and back', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await gotoWidget(page);
    await tabUntil(page, (f) => f.isLauncher, 10);
    await page.keyboard.press('Enter');
    const panel = panelOf(page);
    await panel.waitFor({ state: 'visible' });
    await poll(async () => (await focused(page)).id === 'convo-field-name', { ms: 3_000, what: 'focus on the form\'s first field on open' });
    await page.keyboard.type('Kim Keyboard');
    await tabUntil(page, (f) => f.id === 'convo-field-question', 5);
    await page.keyboard.type('Typed without a mouse');
    await tabUntil(page, (f) => f.label === 'Start chat', 5);
    await page.keyboard.press('Enter');
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    await panel.locator('.convo-bubble__text', { hasText: 'Typed without a mouse' }).waitFor();
    // Where did focus go once the form was replaced by the chat? (checked at the end)
    const afterStart = await focused(page);

    // Tab from wherever focus is now to the composer; every stop should stay in the dialog
    // (checked at the end, so the rest of the chat is still exercised).
    const escapes = [];
    await tabUntil(page, (f) => {
      if (!f.inPanel && f.tag !== 'body') escapes.push(f);
      return f.id === 'convo-composer-input';
    }, 25);
    await page.keyboard.type('line one');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('line two');
    assert.equal(await page.locator('#convo-composer-input').inputValue(), 'line one\nline two', 'Shift+Enter breaks the line');
    await page.keyboard.press('Enter');
    const bubble = panel.locator('.convo-row--own .convo-bubble__text', { hasText: 'line two' });
    await bubble.waitFor({ timeout: 10_000 });
    assert.equal(await bubble.evaluate((el) => el.textContent), 'line one\nline two');
    assert.equal(await page.locator('#convo-composer-input').inputValue(), '', 'the composer empties after sending');
    assert.equal((await focused(page)).id, 'convo-composer-input', 'focus stays in the composer after sending');
    const session = await storedSession(page);
    await poll(async () => (await allMessages(session.conversation_sid)).some((m) => m.body === 'line one\nline two'), {
      what: 'the two-line message stored',
    });

    // Tab stays trapped while chatting, with and without a draft.
    await assertTrapped(page, 'Tab', 20);
    await assertTrapped(page, 'Shift+Tab', 20);
    await tabUntil(page, (f) => f.id === 'convo-composer-input', 25);
    await page.keyboard.type('a draft');
    await assertTrapped(page, 'Tab', 20);

    // Escape closes, focus returns to the launcher; Enter reopens with focus in the dialog.
    await page.keyboard.press('Escape');
    await panel.waitFor({ state: 'hidden' });
    await poll(async () => (await focused(page)).isLauncher, { ms: 3_000, what: 'focus back on the launcher' });
    await page.keyboard.press('Enter');
    await panel.waitFor({ state: 'visible' });
    await poll(async () => (await focused(page)).inPanel, { ms: 3_000, what: 'focus inside the dialog on reopening' });
    await tabUntil(page, (f) => f.id === 'convo-composer-input', 25);
    assert.equal(await page.locator('#convo-composer-input').inputValue(), 'a draft', 'the draft survives closing');

    assert.equal(afterStart.id, 'convo-composer-input', `after "Start chat" focus moves to the composer (it went to ${JSON.stringify(afterStart)})`);
    assert.deepEqual(escapes, [], 'Tab after "Start chat" never leaves the dialog');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
