// Editing and deleting one's own messages, and their receipts (issue 16, items 1 and 2), with
// the agent played by Twilio's official SDK: the visitor edits from the row menu (reached by Tab,
// driven by the keyboard) and with Up arrow in an empty composer, and deletes after a
// confirmation, and the agent's client sees the new text and the removal; the agent edits and
// deletes its own messages, and the visitor's rows follow live ("edited", "Message deleted", in
// place); a refused edit keeps the text; own messages read "Sent", then "Read" once the agent's
// read horizon reaches each. axe-core finds nothing in any of these states.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshot } from './harness.mjs';
import {
  assertAxeClean,
  chatWithAgent,
  panelOf,
  poll,
  restOk,
  sendText,
  visit,
  waitDelivered,
  withTimeout,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The element focused inside the widget's shadow root: {role, name, text, tag}. */
function focused(page) {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el
      ? { role: el.getAttribute('role'), label: el.getAttribute('aria-label'), text: el.textContent.trim(), id: el.id, tag: el.tagName }
      : null;
  });
}

/** The open row menu lies within the message list's box (nothing of it is cut off). */
async function assertMenuInList(menu) {
  await menu.waitFor();
  const box = await menu.evaluate((m) => {
    const r = m.getBoundingClientRect();
    const l = m.closest('.convo-messages').getBoundingClientRect();
    return { top: r.top - l.top, bottom: l.bottom - r.bottom };
  });
  assert.ok(box.top >= 0 && box.bottom >= 0, `the menu is within the list (${JSON.stringify(box)})`);
}

/** Every update and removal the agent's SDK client sees, by message SID. */
function recordChanges(agent) {
  const updated = [];
  const removed = [];
  agent.client.on('messageUpdated', ({ message, updateReasons }) => {
    if (message.conversation.sid === agent.conversation.sid) updated.push({ sid: message.sid, body: message.body, updateReasons });
  });
  agent.client.on('messageRemoved', (message) => {
    if (message.conversation.sid === agent.conversation.sid) removed.push({ sid: message.sid, body: message.body });
  });
  return { updated, removed };
}

/** The agent's SDK view of the visitor's message with `body`. */
async function agentMessage(agent, body) {
  return poll(async () => (await agent.conversation.getMessages(50)).items.find((m) => m.body === body), {
    ms: 15_000,
    what: `the agent has ${JSON.stringify(body)}`,
  });
}

// (A `has` locator is relative to the row: it starts from the page.)
const ownRow = (panel, text) => panel.locator('.convo-row--own', { has: panel.page().locator('.convo-bubble__text', { hasText: text }) });

test('the visitor edits (row menu, Up arrow) and deletes own messages; the agent on the official SDK sees both', async () => {
  const t = await visit(browser);
  try {
    const { page } = t;
    const { session, agent } = await chatWithAgent(t);
    const changes = recordChanges(agent);
    const panel = panelOf(page);
    const input = panel.locator('#convo-composer-input');

    await sendText(page, 'My ordr number is 1234');
    await waitDelivered(page, 'My ordr number is 1234');
    await sendText(page, 'It was shipped on Monday');
    await waitDelivered(page, 'It was shipped on Monday');
    const firstIndex = await ownRow(panel, 'My ordr number is 1234').getAttribute('data-index');
    // By its index: its text is about to change.
    const first = panel.locator(`.convo-row[data-index="${firstIndex}"]`);

    // Tab reaches each own message's "More actions": from the message log, the first one is the
    // question's (the pre-chat form's), then this one's.
    await panel.locator('.convo-messages').focus();
    await page.keyboard.press('Tab');
    assert.equal((await focused(page))?.label, 'More actions', 'Tab from the log reaches a row menu button');
    // The question's menu, at the top of the list, opens within it (below its button).
    await page.keyboard.press('Enter');
    await assertMenuInList(panel.getByRole('menu'));
    await page.keyboard.press('Escape');
    await panel.getByRole('menu').waitFor({ state: 'detached' });
    await page.keyboard.press('Tab');
    const more = first.getByRole('button', { name: 'More actions' });
    const moreId = await more.getAttribute('id');
    const now = await focused(page);
    assert.equal(now.id, moreId, `the next Tab reaches this message's button (${JSON.stringify(now)})`);
    assert.equal(await more.getAttribute('aria-expanded'), 'false');
    assert.equal(await more.getAttribute('aria-describedby'), await first.locator('.convo-bubble').getAttribute('id'), 'described by its message');

    // The menu: Enter opens it on its first item, arrows move, Escape closes it back to the button.
    await page.keyboard.press('Enter');
    const menu = first.getByRole('menu', { name: 'More actions' });
    await menu.waitFor();
    assert.equal(await more.getAttribute('aria-expanded'), 'true');
    assert.equal(await more.getAttribute('aria-controls'), await menu.getAttribute('id'));
    await poll(async () => (await focused(page))?.text === 'Edit', { what: 'focus on Edit' });
    await assertMenuInList(menu);
    await page.keyboard.press('ArrowDown');
    assert.equal((await focused(page)).text, 'Delete');
    await page.keyboard.press('ArrowDown');
    assert.equal((await focused(page)).text, 'Edit', 'the arrows wrap around');
    await page.keyboard.press('ArrowUp');
    assert.equal((await focused(page)).text, 'Delete');
    await assertAxeClean(page, 'row menu open');
    await screenshot(page, 'edit-row-menu');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    assert.equal((await focused(page)).id, moreId, 'Escape gives the focus back to the button');
    assert.ok(await panel.isVisible(), 'Escape closed the menu, not the panel');

    // A draft waits while a message is edited.
    await input.fill('a draft in progress');
    await more.focus();
    await page.keyboard.press('Enter');
    await poll(async () => (await focused(page))?.text === 'Edit', { what: 'focus on Edit' });
    await page.keyboard.press('Enter');
    const editing = panel.locator('.convo-composer__editing');
    await editing.filter({ hasText: 'Editing message' }).waitFor();
    assert.equal(await input.inputValue(), 'My ordr number is 1234', 'the composer holds the message');
    assert.equal((await focused(page)).id, 'convo-composer-input', 'the composer takes the focus');
    assert.equal(await panel.getByRole('button', { name: 'Save' }).count(), 1);
    await assertAxeClean(page, 'editing');
    await screenshot(page, 'edit-editing');
    await input.fill('My order number is 1234');
    await input.press('Enter');
    await first.locator('.convo-bubble__text', { hasText: /^My order number is 1234$/ }).waitFor({ timeout: 10_000 });
    await first.locator('.convo-row__edited', { hasText: 'edited' }).waitFor({ timeout: 10_000 });
    await editing.waitFor({ state: 'detached' });
    assert.equal(await input.inputValue(), 'a draft in progress', 'the draft is back');
    assert.equal(await first.getAttribute('data-index'), firstIndex, 'the same row');
    await poll(() => changes.updated.find((u) => u.body === 'My order number is 1234'), { ms: 15_000, what: 'the agent sees the edit' });
    assert.ok(changes.updated.find((u) => u.body === 'My order number is 1234').updateReasons.includes('body'));
    assert.equal((await agentMessage(agent, 'My order number is 1234')).index, Number(firstIndex));

    // Up arrow in an empty composer edits the newest message; Escape cancels, changing nothing.
    await input.fill('');
    await input.press('ArrowUp');
    await editing.waitFor();
    assert.equal(await input.inputValue(), 'It was shipped on Monday');
    await input.press('Escape');
    await editing.waitFor({ state: 'detached' });
    assert.equal(await input.inputValue(), '', 'cancelled: the (empty) draft is back');
    assert.ok(await panel.isVisible(), 'Escape cancelled the edit, not the panel');
    await input.press('ArrowUp');
    await editing.waitFor();
    await input.fill('It was shipped on Tuesday');
    await input.press('Enter');
    await poll(() => changes.updated.find((u) => u.body === 'It was shipped on Tuesday'), { ms: 15_000, what: 'the agent sees the second edit' });
    await ownRow(panel, 'It was shipped on Tuesday').locator('.convo-row__edited').waitFor({ timeout: 10_000 });
    assert.equal(await ownRow(panel, 'It was shipped on Monday').count(), 0);

    // Delete asks first; "Keep it" (here Escape) keeps it and gives the focus back.
    const deleting = await agentMessage(agent, 'My order number is 1234');
    await more.focus();
    await page.keyboard.press('Enter');
    await first.getByRole('menuitem', { name: 'Delete' }).click();
    const confirm = panel.getByRole('group', { name: /Delete this message\?/ });
    await confirm.waitFor();
    await poll(async () => (await focused(page))?.text === 'Keep it', { what: 'focus on Keep it' });
    await assertAxeClean(page, 'delete confirmation');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    await poll(async () => (await focused(page))?.id === moreId, { what: 'focus back on the row button' });
    assert.equal(changes.removed.length, 0, 'nothing deleted');

    await more.click();
    await first.getByRole('menuitem', { name: 'Delete' }).click();
    await confirm.getByRole('button', { name: 'Delete' }).click();
    const placeholder = first;
    await placeholder.locator('.convo-bubble__text--deleted', { hasText: 'Message deleted' }).waitFor({ timeout: 10_000 });
    await poll(() => changes.removed.find((r) => r.sid === deleting.sid), { ms: 15_000, what: 'the agent sees the removal' });
    assert.equal(await placeholder.getByRole('button', { name: 'More actions' }).count(), 0, 'a deleted message has no actions');
    assert.equal(await placeholder.locator('.convo-row__receipt').count(), 0, 'nor a receipt');
    assert.equal(await panel.getByText('My order number is 1234').count(), 0, 'its text is gone');
    assert.ok(
      !(await agent.conversation.getMessages(50)).items.some((m) => m.sid === deleting.sid),
      'the agent no longer has it',
    );
    // Up arrow skips it: the newest message left is edited.
    await input.press('ArrowUp');
    await editing.waitFor();
    assert.equal(await input.inputValue(), 'It was shipped on Tuesday');
    // Deleted elsewhere meanwhile (here through REST): the text being written is not dropped;
    // saving says why it cannot be saved, and the text stays.
    const tuesday = await agentMessage(agent, 'It was shipped on Tuesday');
    await input.fill('It was shipped on Tuesday morning');
    await restOk('DELETE', `/v1/Conversations/${session.conversation_sid}/Messages/${tuesday.sid}`);
    await panel.locator(`.convo-row[data-index="${tuesday.index}"] .convo-bubble__text--deleted`).waitFor({ timeout: 10_000 });
    assert.ok(await editing.isVisible(), 'still editing');
    await input.press('Enter');
    await panel.locator('.convo-notice', { hasText: 'The message could not be edited. Your text is still here.' }).waitFor({ timeout: 15_000 });
    assert.equal(await input.inputValue(), 'It was shipped on Tuesday morning', 'the text stays');
    await input.press('Escape');
    await editing.waitFor({ state: 'detached' });
    await assertAxeClean(page, 'deleted placeholders, an error notice');
    await screenshot(page, 'edit-deleted');
    // The refused save raised the page's `error` event (and its console line); nothing else.
    assert.deepEqual(page.problems.filter((p) => !/could not be edited|edit IM/.test(p)), []);
  } finally {
    await t.close();
  }
});

test('an edit the server refuses shows a notice and keeps the text being edited', async () => {
  const t = await visit(browser);
  try {
    const { page } = t;
    const { session } = await chatWithAgent(t);
    const panel = panelOf(page);
    const input = panel.locator('#convo-composer-input');
    await sendText(page, 'Please call me back');
    await waitDelivered(page, 'Please call me back');
    // The visitor's participant gets a role that may write but not edit (as a site owner could
    // configure on Twilio): the server refuses the edit.
    const role = await restOk('POST', '/v1/Roles', [
      ['FriendlyName', `no-edits-${Date.now()}`],
      ['Type', 'conversation'],
      ['Permission', 'sendMessage'],
      ['Permission', 'leaveConversation'],
    ]);
    const participants = await restOk('GET', `/v1/Conversations/${session.conversation_sid}/Participants`);
    const visitor = participants.participants.find((p) => p.identity === session.identity);
    await restOk('POST', `/v1/Conversations/${session.conversation_sid}/Participants/${visitor.sid}`, { RoleSid: role.sid });

    await input.press('ArrowUp');
    const editing = panel.locator('.convo-composer__editing');
    await editing.waitFor();
    await input.fill('Please call me back after 5 pm');
    await input.press('Enter');
    await panel.locator('.convo-notice', { hasText: 'The message could not be edited. Your text is still here.' }).waitFor({ timeout: 15_000 });
    assert.ok(await editing.isVisible(), 'still editing');
    assert.equal(await input.inputValue(), 'Please call me back after 5 pm', 'the text stays');
    assert.equal(await ownRow(panel, 'Please call me back').locator('.convo-bubble__text').innerText(), 'Please call me back');
    await assertAxeClean(page, 'a refused edit');
    await input.press('Escape');
    await editing.waitFor({ state: 'detached' });
    // The notice reached the page as an `error` event too; no console errors beyond it.
    assert.deepEqual(page.problems.filter((p) => !/edit/.test(p)), []);
  } finally {
    await t.close();
  }
});

test('the agent edits and deletes on the official SDK and the visitor sees it live; own messages go Sent → Read with the agent\'s read horizon', async () => {
  const t = await visit(browser);
  try {
    const { page } = t;
    const { agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    const other = (text) => panel.locator('.convo-row--other', { has: page.locator('.convo-bubble__text', { hasText: text }) });

    await withTimeout(agent.conversation.sendMessage('Your parcel left on Monday'), 10_000, 'agent send');
    await withTimeout(agent.conversation.sendMessage('Tracking: AB123'), 10_000, 'agent send');
    await other('Tracking: AB123').waitFor({ timeout: 15_000 });
    const [monday, tracking] = await Promise.all([
      agentMessage(agent, 'Your parcel left on Monday'),
      agentMessage(agent, 'Tracking: AB123'),
    ]);

    await withTimeout(monday.updateBody('Your parcel left on Tuesday'), 10_000, 'agent edit');
    const edited = panel.locator(`.convo-row[data-index="${monday.index}"]`);
    await edited.locator('.convo-bubble__text', { hasText: /^Your parcel left on Tuesday$/ }).waitFor({ timeout: 15_000 });
    await edited.locator('.convo-row__edited', { hasText: 'edited' }).waitFor();
    assert.equal(await edited.getByRole('button', { name: 'More actions' }).count(), 0, 'no actions on the agent\'s message');

    await withTimeout(tracking.remove(), 10_000, 'agent remove');
    const gone = panel.locator(`.convo-row[data-index="${tracking.index}"]`);
    await gone.locator('.convo-bubble__text--deleted', { hasText: 'Message deleted' }).waitFor({ timeout: 15_000 });
    assert.equal(await panel.getByText('Tracking: AB123').count(), 0);
    // In place: the row after the edited one, the same position in the list.
    assert.equal(await gone.evaluate((row) => row.previousElementSibling?.dataset.index), String(monday.index));

    // Receipts: each own message says "Sent" until the agent's horizon reaches it.
    await sendText(page, 'Thanks! One more question');
    await waitDelivered(page, 'Thanks! One more question');
    await sendText(page, 'Can I change the address?');
    await waitDelivered(page, 'Can I change the address?');
    const one = ownRow(panel, 'Thanks! One more question');
    const two = ownRow(panel, 'Can I change the address?');
    const status = async (row) => {
      const receipt = row.locator('.convo-row__receipt');
      return { status: await receipt.getAttribute('data-status'), label: (await receipt.textContent()).trim() };
    };
    assert.deepEqual(await status(one), { status: 'sent', label: 'Sent' });
    assert.deepEqual(await status(two), { status: 'sent', label: 'Sent' });
    await assertAxeClean(page, 'sent receipts, an edited and a deleted message from the agent');

    const oneIndex = Number(await one.getAttribute('data-index'));
    await withTimeout(agent.conversation.advanceLastReadMessageIndex(oneIndex), 10_000, 'agent reads');
    await poll(async () => (await status(one)).status === 'read', { ms: 15_000, what: 'the first reads Read' });
    assert.deepEqual(await status(one), { status: 'read', label: 'Read' });
    assert.deepEqual(await status(two), { status: 'sent', label: 'Sent' }, 'the one after the horizon is still Sent');
    await withTimeout(agent.conversation.setAllMessagesRead(), 10_000, 'agent reads all');
    await poll(async () => (await status(two)).status === 'read', { ms: 15_000, what: 'the second reads Read' });
    // Every own message is read now, the pre-chat question too; none says "delivered".
    const receipts = await panel.locator('.convo-row--own .convo-row__receipt').evaluateAll((els) => els.map((e) => e.dataset.status));
    assert.ok(receipts.length >= 3 && receipts.every((s) => s === 'read'), JSON.stringify(receipts));
    await assertAxeClean(page, 'read receipts');
    await screenshot(page, 'edit-receipts');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
