// A reload resumes the same conversation: the stored session (localStorage
// `convo:v1:/api/session`) is used, the history is shown, no pre-chat form, and no second
// conversation is created for the visitor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from './harness.mjs';
import {
  allMessages,
  launcherOf,
  panelOf,
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

test('a reload resumes the same conversation with its history, without creating another', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const name = unique('Reload Zoë');
    const session = await startChat(page, { name, question: 'Can I change my address?' });
    await sendText(page, 'before the reload');
    await waitDelivered(page, 'before the reload');

    const sessionRequests = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/session') {
        sessionRequests.push(request.postDataJSON?.() ?? request.postData());
      }
    });
    await page.reload();
    await launcherOf(page).waitFor({ timeout: 20_000 });
    const panel = panelOf(page);
    assert.equal(await panel.isVisible(), false, 'the panel starts closed after a reload');
    await launcherOf(page).click();
    await panel.waitFor({ state: 'visible' });
    assert.equal(await panel.getByLabel('Name *').count(), 0, 'no pre-chat form when resuming');
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    for (const body of ['Can I change my address?', 'Thanks — an agent will be with you shortly.', 'before the reload']) {
      await panel.locator('.convo-bubble__text', { hasText: body }).waitFor({ timeout: 10_000 });
      assert.equal(await panel.locator('.convo-bubble__text', { hasText: body }).count(), 1, `"${body}" shows once`);
    }
    assert.equal(await panel.locator('.convo-row--bot').count(), 1, 'the bot greeting keeps its bot styling');

    await sendText(page, 'after the reload');
    await waitDelivered(page, 'after the reload');
    const resumed = await storedSession(page);
    assert.equal(resumed.conversation_sid, session.conversation_sid, 'the same conversation');
    assert.equal(resumed.identity, session.identity, 'the same visitor');

    // The backend was never asked for a new conversation.
    for (const body of sessionRequests) {
      assert.ok(body && typeof body === 'object' && body.session, `a session request after the reload resumes (body ${JSON.stringify(body)})`);
      assert.notEqual(body.new_conversation, true);
    }
    // The emulator knows one conversation for this visitor, holding every message.
    const theirs = await restOk('GET', `/v1/ParticipantConversations?Identity=${encodeURIComponent(session.identity)}`);
    assert.deepEqual(
      theirs.conversations.map((c) => c.conversation_sid),
      [session.conversation_sid],
      'the visitor takes part in exactly one conversation',
    );
    const bodies = (await allMessages(session.conversation_sid)).map((m) => m.body);
    assert.ok(bodies.includes('before the reload') && bodies.includes('after the reload'));
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
