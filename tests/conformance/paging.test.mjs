// Message history paging over the Sync list (state.md §2.5, §9): 250 messages read back by a
// client with a cold cache, newest-first with prevPage() and oldest-first with nextPage(), with
// the right hasPrevPage/hasNextPage at every step, no gap and no duplicate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { bounded, session, startConversation, startEmulator, uniqueName } from './harness.mjs';

const TOTAL = 250;
const BATCH = 25;

let emulator;
let s;
let owner;
let conversationSid;
/** body → index, from sendMessage's replies. */
const sentIndex = new Map();

before(async () => {
  emulator = await startEmulator();
  s = session(emulator);
  owner = uniqueName('pager');
  const client = await s.client(owner);
  const conversation = await startConversation(client);
  conversationSid = conversation.sid;
  // Fast: parallel batches, so the emulator assigns indices under concurrent sends.
  for (let start = 0; start < TOTAL; start += BATCH) {
    const bodies = Array.from({ length: BATCH }, (_, i) => `msg-${start + i}`);
    const indices = await Promise.all(bodies.map((body) => conversation.sendMessage(body)));
    bodies.forEach((body, i) => sentIndex.set(body, indices[i]));
  }
});
after(async () => {
  await s?.close();
  await emulator?.stop();
});

/** A client that has never seen the messages, so every page comes from the server. */
async function coldConversation() {
  const client = await s.client(owner);
  return bounded(client.getConversationBySid(conversationSid), 'getConversationBySid');
}

function assertComplete(collected) {
  const indices = collected.map((m) => m.index);
  assert.equal(new Set(indices).size, indices.length, 'no message appears twice');
  assert.deepEqual(
    [...indices].sort((a, b) => a - b),
    Array.from({ length: TOTAL }, (_, i) => i),
    'indices 0..249, no gap',
  );
  for (const message of collected) {
    assert.equal(sentIndex.get(message.body), message.index, `${message.body} is at the index its send returned`);
    assert.equal(message.author, owner);
  }
}

/**
 * Follows a message paginator from `first` towards `older` (prevPage) or `newer` (nextPage)
 * messages to the end, checking each page's order and links. Resolves with {pages, collected}:
 * each page's indices in the order walked, and every message in index order.
 */
async function walk(first, direction) {
  const older = direction === 'older';
  const collected = [];
  const pages = [];
  let page = first;
  for (;;) {
    const indices = page.items.map((m) => m.index);
    pages.push(indices);
    assert.deepEqual(indices, [...indices].sort((a, b) => a - b), 'items are in ascending index order');
    if (older) collected.unshift(...page.items);
    else collected.push(...page.items);
    if (!(older ? page.hasPrevPage : page.hasNextPage)) break;
    assert.ok(pages.length < 20, `${older ? 'prevPage' : 'nextPage'}() terminates`);
    page = await (older ? page.prevPage() : page.nextPage());
    if (older) assert.equal(page.hasNextPage, true, 'an older page has newer messages after it');
    else assert.equal(page.hasPrevPage, true, 'a later page has older messages before it');
  }
  return { pages, collected };
}

test('every send got its own index, 0..249', () => {
  const indices = [...sentIndex.values()].sort((a, b) => a - b);
  assert.equal(sentIndex.size, TOTAL);
  assert.deepEqual(indices, Array.from({ length: TOTAL }, (_, i) => i));
});

test('getMessages() pages backwards with prevPage() to the first message', async () => {
  const conversation = await coldConversation();
  assert.equal(conversation.lastMessage?.index, TOTAL - 1, 'lastMessage of a cold client');

  const page = await bounded(conversation.getMessages(), 'getMessages');
  assert.equal(page.hasNextPage, false, 'the newest page has nothing newer');
  const { pages, collected } = await walk(page, 'older');
  // 30 per page from the end: [220..249], [190..219], ..., [10..39], [0..9].
  assert.equal(pages.length, 9, `page count (sizes ${pages.map((p) => p.length)})`);
  assert.deepEqual(pages[0], Array.from({ length: 30 }, (_, i) => 220 + i));
  assert.deepEqual(pages.at(-1), Array.from({ length: 10 }, (_, i) => i));
  assert.ok(pages.slice(0, -1).every((p) => p.length === 30), 'full pages until the first message');
  assertComplete(collected);
});

test('getMessages(50, 0, "forward") pages forward with nextPage() to the last message', async () => {
  const conversation = await coldConversation();
  const page = await bounded(conversation.getMessages(50, 0, 'forward'), 'getMessages');
  assert.equal(page.hasPrevPage, false, 'nothing is older than index 0');
  const { pages, collected } = await walk(page, 'newer');
  assert.equal(pages.length, 5, `page count (sizes ${pages.map((p) => p.length)})`);
  pages.forEach((indices, n) => assert.deepEqual(indices, Array.from({ length: 50 }, (_, i) => n * 50 + i)));
  assertComplete(collected);
});

test('a page anchored in the middle knows it has both neighbours', async () => {
  const conversation = await coldConversation();
  const page = await bounded(conversation.getMessages(20, 100, 'forward'), 'getMessages');
  assert.deepEqual(page.items.map((m) => m.index), Array.from({ length: 20 }, (_, i) => 100 + i));
  assert.equal(page.hasPrevPage, true);
  assert.equal(page.hasNextPage, true);

  // A second cold client, so this page is not stitched to the one above from a cache.
  const back = await bounded((await coldConversation()).getMessages(20, 100), 'getMessages');
  assert.deepEqual(back.items.map((m) => m.index), Array.from({ length: 20 }, (_, i) => 81 + i));
  assert.equal(back.hasPrevPage, true);
  assert.equal(back.hasNextPage, true);
});

test('the message count is 250', async () => {
  const conversation = await coldConversation();
  assert.equal(await bounded(conversation.getMessagesCount(), 'getMessagesCount'), TOTAL);
});
