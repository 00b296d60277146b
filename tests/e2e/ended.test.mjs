// The agent's side closes the conversation (REST State=closed): the composer gives way to "This
// conversation has ended." with "Download transcript" — conversation.txt with every message, all
// pages of the history — and "Start a new conversation", which starts a fresh one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

import { launch, screenshot } from './harness.mjs';
import {
  allMessages,
  recordStaff,
  closeConversation,
  gotoWidget,
  inView,
  launcherOf,
  panelOf,
  poll,
  postMessage,
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

/** Adds an agent participant through REST only (no client). */
async function addAgent(conversationSid, friendlyName = 'Ana') {
  const identity = unique('agent-ana');
  await restOk('POST', `/v1/Conversations/${conversationSid}/Participants`, {
    Identity: identity,
    Attributes: JSON.stringify({ friendlyName, role: 'agent' }),
  });
  await recordStaff(conversationSid, identity);
  return identity;
}

test('closing the conversation shows the ended state; the transcript holds every message of every page', async () => {
  const t = await visit(browser, { acceptDownloads: true });
  const { page } = t;
  try {
    const session = await startChat(page);
    const agent = await addAgent(session.conversation_sid);
    await sendText(page, 'visitor line');
    await waitDelivered(page, 'visitor line');

    // A history longer than a page, made while the visitor is elsewhere.
    await page.goto('about:blank');
    const total = 65;
    for (let i = 1; i <= total; i++) await postMessage(session.conversation_sid, agent, `transcript line ${i}`);
    await gotoWidget(page);
    await launcherOf(page).click();
    const panel = panelOf(page);
    const newest = panel.locator('.convo-bubble__text', { hasText: `transcript line ${total}` });
    await newest.waitFor({ timeout: 20_000 });
    await poll(() => inView(newest), { what: 'the newest message in view' });
    const stored = await allMessages(session.conversation_sid);
    assert.ok(stored.length > 60, `more than 60 messages (${stored.length})`);

    await closeConversation(session.conversation_sid);
    const ended = panel.getByText('This conversation has ended.');
    await ended.waitFor({ timeout: 15_000 });
    assert.equal(await panel.getByLabel('Write a message…').count(), 0, 'the composer is gone');
    const download = panel.getByRole('button', { name: 'Download transcript' });
    const startNew = panel.getByRole('button', { name: 'Start a new conversation' });
    await download.waitFor();
    await startNew.waitFor();
    await screenshot(page, 'ended');

    const [file] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), download.click()]);
    assert.equal(file.suggestedFilename(), 'conversation.txt');
    const text = await readFile(await file.path(), 'utf8');
    const lines = text.split('\n');
    for (const message of stored) {
      const matching = lines.filter((line) => line.endsWith(`: ${message.body}`));
      assert.equal(matching.length, 1, `the transcript has "${message.body}" once (transcript:\n${text.slice(0, 400)}…)`);
    }
    assert.ok(lines.some((l) => l.endsWith('Ana: transcript line 1')), 'the agent is named by friendlyName, even on the oldest page');
    assert.ok(!text.includes(agent), 'no raw agent identity in the transcript');
    // Messages stay in order.
    const at = (body) => lines.findIndex((l) => l.endsWith(`: ${body}`));
    assert.ok(at('Where is my parcel?') < at('visitor line') && at('visitor line') < at('transcript line 1') && at('transcript line 1') < at(`transcript line ${total}`), 'in order');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('"Start a new conversation" after the end starts a fresh one for the same visitor', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    await addAgent(session.conversation_sid);
    await sendText(page, 'first conversation');
    await waitDelivered(page, 'first conversation');
    await closeConversation(session.conversation_sid);
    const panel = panelOf(page);
    await panel.getByText('This conversation has ended.').waitFor({ timeout: 15_000 });
    await panel.getByRole('button', { name: 'Start a new conversation' }).click();

    await panel.getByLabel('Write a message…').waitFor({ timeout: 20_000 });
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    const next = await poll(
      async () => {
        const s = await storedSession(page);
        return s && s.conversation_sid !== session.conversation_sid ? s : null;
      },
      { ms: 15_000, what: 'a new conversation stored' },
    );
    assert.equal(await panel.locator('.convo-bubble__text', { hasText: 'first conversation' }).count(), 0, 'the old messages are gone');
    await sendText(page, 'second conversation');
    await waitDelivered(page, 'second conversation');
    const messages = (await allMessages(next.conversation_sid)).map((m) => m.body);
    assert.ok(messages.includes('second conversation'), 'the message went to the new conversation');
    const old = await restOk('GET', `/v1/Conversations/${session.conversation_sid}`);
    assert.equal(old.state, 'closed', 'the old conversation stays closed');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
