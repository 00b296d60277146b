// Nothing the visitor wrote is lost to a reload. The composer's draft and the messages not yet
// confirmed by the server are kept in localStorage under the widget's key
// (`convo:v1:/api/session:draft:<CH>` and `…:outbox:<CH>`); after a reload the draft is back in
// the composer and the messages are sent again under their first idempotency key
// (X-Twilio-Mutation-Id), so the agent (the official SDK) receives each exactly once — even one
// the server had applied before the reload when its reply never reached the page. Attachments'
// bytes are not kept: a message whose file was not uploaded goes back to the composer and a
// notice names the file to attach again.
//
// The network is cut by routing the page's websocket through Playwright (routeTwilsock), which
// also lets a test drop the server's frames (the reply to a send) before reloading.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshot } from './harness.mjs';
import {
  allMessages,
  chatWithAgent,
  dropConnections,
  launcherOf,
  networkNoise,
  panelOf,
  poll,
  recordMessages,
  requireFaultHooks,
  routeTwilsock,
  sendText,
  SESSION_KEY,
  startChat,
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

/** What the page keeps under `SESSION_KEY:<kind>:<conversation>`, parsed, or null. */
const kept = (page, kind, conversation) =>
  page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null'), `${SESSION_KEY}:${kind}:${conversation}`);

/** How many message bubbles read exactly `text`. */
const bubbles = (page, text) =>
  page.locator('.convo-bubble__text').evaluateAll((els, t) => els.filter((e) => e.textContent === t).length, text);

/** Reloads, opens the resumed chat and waits until it is connected again. */
async function reloadAndOpen(page) {
  await page.reload();
  await launcherOf(page).waitFor({ timeout: 20_000 });
  await launcherOf(page).click();
  const panel = panelOf(page);
  await panel.waitFor({ state: 'visible' });
  await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
  return panel;
}

/** Whether a twilsock frame is the page's POST of a message whose body is `text`. */
function isSendOf(frame, text) {
  const request = frame.header.http_request;
  if (frame.header.method !== 'message' || request?.method !== 'POST' || !/\/Messages$/.test(request.path ?? '')) return false;
  try {
    return JSON.parse(frame.payload).body === text;
  } catch {
    return false;
  }
}

test('a draft survives a reload; a file attached to it is named in a notice; a sent draft is not kept', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page, { name: 'Draft Dora', question: 'About my order' });
    const panel = panelOf(page);
    const input = page.locator('#convo-composer-input');
    await input.fill('half a thought,\nand a second line');
    await page.locator('.convo-composer input[type=file]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes') });
    await panel.getByRole('button', { name: 'Remove notes.txt' }).waitFor();
    // Kept a moment after typing stops, without waiting for the page to be left.
    const draft = await poll(() => kept(page, 'draft', session.conversation_sid), { what: 'the kept draft' });
    assert.equal(draft.text, 'half a thought,\nand a second line');
    assert.deepEqual(draft.files, ['notes.txt']);

    await reloadAndOpen(page);
    assert.equal(await input.inputValue(), 'half a thought,\nand a second line', 'the draft is back in the composer');
    const notice = panel.locator('.convo-notice', { hasText: 'Attachments are not kept when the page reloads' });
    await notice.waitFor({ timeout: 5_000 });
    assert.match(await notice.innerText(), /notes\.txt/);
    assert.equal(await panel.locator('.convo-draft-file').count(), 0, 'the file is not shown as if attached');
    await screenshot(page, 'unsent-draft-restored');

    // Sent: the composer empties, and so does what is kept.
    await input.press('Enter');
    await waitDelivered(page, 'half a thought,\nand a second line');
    await poll(async () => (await kept(page, 'draft', session.conversation_sid)) === null, { what: 'the kept draft cleared' });
    await reloadAndOpen(page);
    assert.equal(await input.inputValue(), '', 'a sent draft does not come back');
    assert.equal(await panel.locator('.convo-notice').count(), 0, 'the files were told about once');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a message queued while offline is sent once after a reload', async () => {
  await requireFaultHooks();
  const t = await visit(browser);
  const { page } = t;
  try {
    const net = await routeTwilsock(page);
    const { session, agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    const received = recordMessages(agent);

    net.down = true;
    await dropConnections(session.identity);
    await panel.locator('.convo-banner').filter({ hasText: /Connection lost/ }).waitFor({ timeout: 10_000 });
    await sendText(page, 'queued before the reload');
    const queued = panel.locator('.convo-row--own', { hasText: 'queued before the reload' });
    await queued.locator('.convo-row__status', { hasText: 'Waiting for connection' }).waitFor({ timeout: 5_000 });
    const outbox = await poll(() => kept(page, 'outbox', session.conversation_sid), { what: 'the kept message' });
    assert.deepEqual(outbox.messages.map((m) => m.body), ['queued before the reload']);
    assert.match(outbox.messages[0].key, /^[0-9a-f-]{36}$/, 'kept with its idempotency key');

    // The page comes back online with the reload.
    net.down = false;
    await reloadAndOpen(page);
    await received.waitFor('queued before the reload');
    await waitDelivered(page, 'queued before the reload');
    await poll(async () => (await kept(page, 'outbox', session.conversation_sid)) === null, { what: 'nothing left kept' });

    assert.equal(received.count('queued before the reload'), 1, `the agent received it once (got ${JSON.stringify(received.bodies)})`);
    const stored = (await allMessages(session.conversation_sid)).map((m) => m.body);
    assert.equal(stored.filter((b) => b === 'queued before the reload').length, 1, 'stored once');
    assert.equal(await bubbles(page, 'queued before the reload'), 1, 'the visitor sees it once');
    assert.equal(await panel.locator('.convo-row__status').count(), 0, 'nothing left pending');
    assert.deepEqual(page.problems.filter((p) => !networkNoise(p)), []);
  } finally {
    await t.close();
  }
});

test('a message the server applied before the reload, its reply lost, is not applied twice', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const text = 'applied before the reload';
    // Every POST of that message the page makes, with its idempotency key; from the first on,
    // until the reload, nothing from the server reaches the page (the reply to it included).
    const sends = [];
    let lost = false;
    await routeTwilsock(page, {
      fromPage(frame) {
        if (isSendOf(frame, text)) {
          sends.push(frame.header.http_request.headers['X-Twilio-Mutation-Id']);
          lost ||= sends.length === 1;
        }
      },
      fromServer: () => !lost,
    });
    const { session, agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    const received = recordMessages(agent);

    await sendText(page, text);
    await received.waitFor(text);
    // The server has it; the page never heard back.
    const row = panel.locator('.convo-row--own', { hasText: text });
    await row.locator('.convo-row__status', { hasText: 'Sending…' }).waitFor({ timeout: 5_000 });
    const outbox = await kept(page, 'outbox', session.conversation_sid);
    assert.deepEqual(outbox?.messages.map((m) => m.key), [sends[0]], 'kept under the key it was sent with');

    lost = false;
    await reloadAndOpen(page);
    await waitDelivered(page, text);
    await poll(() => sends.length >= 2, { what: 'the reloaded page sending it again' });
    assert.ok(sends.every((key) => key === sends[0]), `every attempt under one key (${JSON.stringify(sends)})`);
    await poll(async () => (await kept(page, 'outbox', session.conversation_sid)) === null, { what: 'nothing left kept' });

    const stored = (await allMessages(session.conversation_sid)).map((m) => m.body);
    assert.equal(stored.filter((b) => b === text).length, 1, `stored once (${JSON.stringify(stored)})`);
    assert.equal(received.count(text), 1, `the agent received it once (got ${JSON.stringify(received.bodies)})`);
    assert.equal(await bubbles(page, text), 1, 'the visitor sees it once');
    assert.equal(await panel.locator('.convo-row__status').count(), 0, 'nothing left pending');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a file queued offline is not silently dropped by a reload: its text comes back and a notice names it', async () => {
  await requireFaultHooks();
  const t = await visit(browser);
  const { page } = t;
  try {
    const net = await routeTwilsock(page);
    const { session } = await chatWithAgent(t);
    const panel = panelOf(page);

    net.down = true;
    await dropConnections(session.identity);
    await panel.locator('.convo-banner').filter({ hasText: /Connection lost/ }).waitFor({ timeout: 10_000 });
    await page.locator('.convo-composer input[type=file]').setInputFiles({ name: 'receipt.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await panel.getByRole('button', { name: 'Remove receipt.pdf' }).waitFor();
    await sendText(page, 'here is my receipt');
    await panel.locator('.convo-row--own', { hasText: 'here is my receipt' }).locator('.convo-row__status').waitFor({ timeout: 5_000 });
    await poll(async () => (await kept(page, 'outbox', session.conversation_sid))?.messages?.length === 1, { what: 'the kept message' });

    net.down = false;
    await reloadAndOpen(page);
    const notice = panel.locator('.convo-notice', { hasText: 'Attachments are not kept when the page reloads' });
    await notice.waitFor({ timeout: 5_000 });
    assert.match(await notice.innerText(), /receipt\.pdf/);
    assert.equal(await page.locator('#convo-composer-input').inputValue(), 'here is my receipt', 'its text is back in the composer');
    assert.equal(await panel.locator('.convo-row__status').count(), 0, 'not shown as pending');
    assert.equal(await kept(page, 'outbox', session.conversation_sid), null, 'no longer kept as a message');
    const stored = (await allMessages(session.conversation_sid)).map((m) => m.body);
    assert.ok(!stored.includes('here is my receipt'), 'never sent without its file');
    assert.deepEqual(page.problems.filter((p) => !networkNoise(p)), []);
  } finally {
    await t.close();
  }
});
