// With the panel closed, the newest message from the agent shows as a preview bubble beside the
// launcher (who wrote it, its first lines): clicking it opens the chat, × or Escape dismisses it
// until another message comes, and the visitor's own messages are never previewed. The agent is
// Twilio's official SDK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshot } from './harness.mjs';
import {
  axeViolations,
  chatWithAgent,
  describeViolations,
  gotoWidget,
  joinAgent,
  launcherOf,
  panelOf,
  poll,
  postMessage,
  visit,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** An Arabic visitor's chat (the form in Arabic) with the agent سارة on the official SDK. */
async function chatWithAgentArabic(t) {
  const { page } = t;
  await gotoWidget(page);
  await launcherOf(page).click();
  const panel = page.getByRole('dialog', { name: 'الدعم' });
  await panel.getByLabel('الاسم *').fill('محمد');
  await panel.getByLabel('كيف يمكننا مساعدتك؟ (اختياري)').fill('أين طردي؟');
  await panel.getByRole('button', { name: 'ابدأ المحادثة' }).click();
  await panel.locator('.convo-row--bot').waitFor({ timeout: 20_000 });
  const session = await poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('convo:v1:/api/session'))), {
    what: 'the stored session',
  });
  const agent = await joinAgent(session.conversation_sid, { friendlyName: 'سارة' });
  t.defer(agent.close);
  return { session, agent };
}

const previewOf = (page, who = 'Ana') => page.getByRole('complementary', { name: `Message from ${who}` }).and(page.locator('.convo-preview'));

test('the agent\'s newest message is previewed beside the closed launcher; it opens the chat or is dismissed', async () => {
  const t = await visit(browser, { viewport: { width: 1280, height: 800 } });
  const { page } = t;
  try {
    const { session, agent } = await chatWithAgent(t, 'Ana');
    const panel = panelOf(page);
    // While the panel is open, nothing is previewed.
    await agent.conversation.sendMessage('Hello! I am looking into it.');
    await panel.locator('.convo-bubble__text', { hasText: 'Hello! I am looking into it.' }).waitFor({ timeout: 15_000 });
    assert.equal(await page.locator('.convo-preview').count(), 0);

    await panel.getByRole('button', { name: 'Close support chat' }).click();
    await panel.waitFor({ state: 'hidden' });
    const long = `Your parcel left the depot this morning. ${'It should arrive tomorrow before noon. '.repeat(8)}`;
    await agent.conversation.sendMessage(long);
    const preview = previewOf(page);
    await preview.waitFor({ timeout: 15_000 });
    assert.equal(await preview.locator('.convo-greeting__team').textContent(), 'Ana', 'who wrote it');
    const text = await preview.locator('.convo-preview__text').textContent();
    assert.ok(text.startsWith('Your parcel left the depot this morning.') && text.endsWith('…') && text.length <= 141, `its beginning: ${text}`);
    // Beside the launcher: above it, at the same (right) edge, once it has popped up.
    await preview.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
    const b = await preview.boundingBox();
    const l = await launcherOf(page).boundingBox();
    assert.ok(b.y + b.height <= l.y && l.y - (b.y + b.height) < 40, `above the launcher (${JSON.stringify({ b, l })})`);
    assert.ok(Math.abs(b.x + b.width - (l.x + l.width)) < 2, `aligned with its edge (${JSON.stringify({ b, l })})`);
    assert.ok(b.height < 160, `a few lines only (${b.height})`);
    assert.equal(await launcherOf(page).locator('.convo-launcher__badge').textContent(), '1', 'still counted as unread');
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    await screenshot(page, 'preview');

    // Clicking it opens the chat at that message; the preview goes.
    await preview.getByRole('button', { name: /Your parcel left the depot/ }).click();
    await panel.waitFor({ state: 'visible' });
    await panel.locator('.convo-bubble__text', { hasText: 'Your parcel left the depot this morning.' }).waitFor();
    assert.equal(await page.locator('.convo-preview').count(), 0);

    // Closed again: the visitor's own message (from another tab, here through REST) is not previewed.
    await panel.getByRole('button', { name: 'Close support chat' }).click();
    await panel.waitFor({ state: 'hidden' });
    await postMessage(session.conversation_sid, session.identity, 'Sent from my phone');
    await agent.conversation.sendMessage('One more thing: a signature is needed.');
    await previewOf(page).waitFor({ timeout: 15_000 });
    await postMessage(session.conversation_sid, session.identity, 'Another from my phone');
    await page.locator('.convo-bubble__text', { hasText: 'Another from my phone' }).waitFor({ state: 'attached', timeout: 15_000 });
    assert.equal(await previewOf(page).locator('.convo-preview__text').textContent(), 'One more thing: a signature is needed.', 'still the agent\'s');

    // × dismisses it (focus to the launcher); the badge stays; the next message previews again.
    await previewOf(page).getByRole('button', { name: 'Dismiss the message' }).click();
    await poll(async () => (await page.locator('.convo-preview').count()) === 0, { what: 'dismissed' });
    assert.equal(await launcherOf(page).locator('.convo-launcher__badge').count(), 1, 'still unread');
    assert.equal(await panel.isVisible(), false, 'dismissing does not open the chat');
    await agent.conversation.sendMessage('Thanks for waiting!');
    await poll(async () => (await previewOf(page).count()) === 1 && (await previewOf(page).locator('.convo-preview__text').textContent()) === 'Thanks for waiting!', {
      ms: 15_000,
      what: 'a new message previews again',
    });
    // Escape from the keyboard dismisses it too, and focus goes to the launcher.
    await previewOf(page).getByRole('button', { name: /Thanks for waiting/ }).focus();
    await page.keyboard.press('Escape');
    await poll(async () => (await page.locator('.convo-preview').count()) === 0, { what: 'dismissed by Escape' });
    assert.equal(await launcherOf(page).evaluate((l) => l.getRootNode().activeElement === l), true, 'focus went to the launcher');
    assert.equal(await panel.isVisible(), false);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('Arabic: the preview sits beside the launcher on the left, in Arabic', async () => {
  const t = await visit(browser, { locale: 'ar', viewport: { width: 1280, height: 800 } });
  const { page } = t;
  try {
    const { agent } = await chatWithAgentArabic(t);
    const panel = page.getByRole('dialog', { name: 'الدعم' });
    await panel.getByRole('button', { name: 'أغلق محادثة الدعم' }).click();
    await panel.waitFor({ state: 'hidden' });
    await agent.conversation.sendMessage('طردك في الطريق.');
    const preview = page.locator('.convo-preview');
    await preview.waitFor({ timeout: 15_000 });
    await preview.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
    assert.equal(await preview.getAttribute('aria-label'), 'رسالة من سارة');
    const b = await preview.boundingBox();
    const l = await launcherOf(page).boundingBox();
    assert.ok(Math.abs(b.x - l.x) < 2, `aligned with the launcher's left edge (${JSON.stringify({ b, l })})`);
    assert.equal(await preview.getByRole('button', { name: 'تجاهل الرسالة' }).count(), 1);
    const violations = await axeViolations(page);
    assert.deepEqual(violations, [], describeViolations(violations));
    await screenshot(page, 'preview-arabic');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
