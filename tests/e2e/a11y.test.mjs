// Accessibility: axe-core (node_modules/axe-core, injected into the page) reports ZERO violations
// on the whole document in every main state: closed, open with the empty pre-chat form, the form
// with its errors, chatting (agent messages, a link, an image, a file, typing, "Read"), an error
// (a refused-file notice), unavailable, and ended.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshot } from './harness.mjs';
import {
  axeViolations,
  chatWithAgent,
  closeConversation,
  describeViolations,
  gotoWidget,
  launcherOf,
  panelOf,
  pngOfSize,
  poll,
  sendText,
  SESSION_KEY,
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

/**
 * Collects axe's violations state by state; `assertClean()` fails once with every state's
 * findings, so a violation in one state does not hide the others.
 */
function auditor(page) {
  const findings = [];
  return {
    async check(state) {
      // Let the opening animation end so colours are measured as seen.
      // The widget's animations run in its shadow root, which the document's list leaves out.
      await page.evaluate(() => {
        const shadow = document.getElementById('convo-widget')?.shadowRoot;
        const animations = [...document.getAnimations(), ...(shadow?.getAnimations() ?? [])];
        return Promise.all(animations.filter((a) => a.effect?.getTiming().iterations !== Infinity).map((a) => a.finished));
      });
      const violations = await axeViolations(page);
      if (violations.length) findings.push(`${state}:\n${describeViolations(violations)}`);
    },
    assertClean() {
      assert.equal(findings.length, 0, `axe violations\n${findings.join('\n\n')}`);
    },
  };
}

test('axe: closed, open with the empty pre-chat form, and the form with errors', async () => {
  const t = await visit(browser);
  const { page } = t;
  const axe = auditor(page);
  try {
    await gotoWidget(page);
    await screenshot(page, 'closed');
    await axe.check('closed');

    await launcherOf(page).click();
    const panel = panelOf(page);
    await panel.waitFor({ state: 'visible' });
    await screenshot(page, 'prechat');
    await axe.check('open (pre-chat)');

    await panel.getByLabel('Email (optional)').fill('not-an-email');
    await panel.getByRole('button', { name: 'Start chat' }).click();
    await page.locator('#convo-field-name-error').filter({ hasText: 'Please fill this in.' }).waitFor();
    await axe.check('pre-chat with errors');
    axe.assertClean();
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('axe: chatting, an error notice, and ended', async () => {
  const t = await visit(browser);
  const { page } = t;
  const axe = auditor(page);
  try {
    const { session, agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    await sendText(page, 'Hello there');
    await waitDelivered(page, 'Hello there');
    await page.locator('.convo-composer input[type=file]').setInputFiles([
      { name: 'photo.png', mimeType: 'image/png', buffer: pngOfSize(20_000) },
      { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes\n') },
    ]);
    await panel.getByRole('button', { name: 'Remove notes.txt' }).waitFor();
    await axe.check('chatting with a draft');
    await panel.getByRole('button', { name: 'Send' }).click();
    await panel.getByRole('button', { name: 'Image: photo.png' }).waitFor({ timeout: 15_000 });
    await panel.locator('.convo-file-chip', { hasText: 'notes.txt' }).waitFor({ timeout: 15_000 });
    await agent.conversation.sendMessage('Hi! Tracking is at https://example.com/track — anything else?');
    await panel.locator('.convo-row--other', { hasText: 'anything else?' }).waitFor({ timeout: 10_000 });
    await agent.conversation.setAllMessagesRead();
    await panel.locator('.convo-row__receipt[data-status="read"]').first().waitFor({ timeout: 10_000 });
    await agent.conversation.typing();
    await panel.locator('.convo-typing', { hasText: 'Ana is typing…' }).waitFor({ timeout: 10_000 });
    await axe.check('chatting');

    // The lightbox.
    await panel.getByRole('button', { name: 'Image: photo.png' }).click();
    await page.getByRole('dialog', { name: 'Image: photo.png' }).waitFor();
    await axe.check('image lightbox');
    await page.getByRole('button', { name: 'Close image' }).click();
    await page.getByRole('dialog', { name: 'Image: photo.png' }).waitFor({ state: 'detached' });

    // An error: a refused file.
    await page.locator('.convo-composer input[type=file]').setInputFiles({ name: 'tool.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await panel.getByRole('alert').filter({ hasText: 'tool.exe is not a file type we accept.' }).waitFor();
    await axe.check('error (refused file notice)');

    // Ended.
    await closeConversation(session.conversation_sid);
    await panel.getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    await axe.check('ended');

    // Closed again, with an unread badge.
    await panel.getByRole('button', { name: 'Close support chat' }).click();
    await panel.waitFor({ state: 'hidden' });
    axe.assertClean();
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a stored session the backend no longer accepts is forgotten: opening starts afresh, saying why', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await gotoWidget(page);
    await page.evaluate((key) => {
      localStorage.setItem(
        key,
        JSON.stringify({ identity: 'visitor-gone', conversation_sid: `CH${'0'.repeat(32)}`, session: 'not-a-valid-session-handle' }),
      );
    }, SESSION_KEY);
    await page.reload();
    // Never active on this device: it waits for the panel to open, and is refused then.
    await launcherOf(page).click();
    const panel = panelOf(page);
    await panel.getByText('Your previous chat has expired. You can start a new one.').waitFor({ timeout: 20_000 });
    await panel.getByLabel('Name *').waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate((key) => localStorage.getItem(key), SESSION_KEY), null, 'forgotten');
    assert.equal(await panel.getByText('Chat is unavailable right now.').count(), 0);
    const problems = page.problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
    assert.deepEqual(problems, []);
  } finally {
    await t.close();
  }
});

test('axe: the unavailable state (the backend refuses a session)', async () => {
  const t = await visit(browser);
  const { page } = t;
  const axe = auditor(page);
  try {
    await page.route('**/api/session', (route) =>
      route.fulfill({ status: 403, contentType: 'application/json', body: JSON.stringify({ code: 20403, message: 'origin not allowed' }) }),
    );
    await gotoWidget(page);
    await launcherOf(page).click();
    const panel = panelOf(page);
    await panel.waitFor({ state: 'visible' });
    await panel.getByLabel('Name *').fill('Ana');
    await panel.getByRole('button', { name: 'Start chat' }).click();
    await panel.getByText('Chat is unavailable right now.').waitFor({ timeout: 20_000 });
    await panel.getByRole('button', { name: 'Try again' }).waitFor();
    await axe.check('unavailable');
    // The refused token request is logged by the browser; nothing else should be.
    axe.assertClean();
    const problems = page.problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p));
    assert.deepEqual(problems, []);
  } finally {
    await t.close();
  }
});
