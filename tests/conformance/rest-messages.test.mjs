// The Conversation Message resource over REST (v1), driven by Twilio's official helper
// library: send (Author, Attributes), list with limit/paging/order, fetch, update, delete —
// and one state with the official Conversations SDK (REST writes seen live, SDK writes listed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { DEV, once, ready, session, startEmulator, uniqueName, withTimeout } from './harness.mjs';
import {
  SID,
  assertRecentDate,
  assertRestError,
  assertUrlPath,
  rawRest,
  restClient,
  v1,
} from './rest-harness.mjs';

let emulator;
let client;
before(async () => {
  emulator = await startEmulator();
  client = restClient(emulator);
});
after(async () => {
  await emulator?.stop();
});

const newConversation = () => v1(client).conversations.create({ friendlyName: uniqueName('messages') });

test('send a message with Author and Attributes: every documented field comes back', async () => {
  const conversation = await newConversation();
  const identity = uniqueName('agent');
  const participant = await v1(client).conversations(conversation.sid).participants.create({ identity });
  const attributes = JSON.stringify({ importance: 'high', n: 1 });
  const message = await v1(client)
    .conversations(conversation.sid)
    .messages.create({ author: identity, body: 'Ahoy there!', attributes });

  assert.match(message.sid, SID.message);
  assert.equal(message.accountSid, DEV.accountSid);
  assert.equal(message.conversationSid, conversation.sid);
  assert.equal(message.index, 0, 'the first message has index 0');
  assert.equal(message.author, identity);
  assert.equal(message.body, 'Ahoy there!');
  assert.deepEqual(JSON.parse(message.attributes), { importance: 'high', n: 1 });
  assert.equal(message.participantSid, participant.sid, 'author matches a participant → participant_sid');
  assert.equal(message.media, null, 'no media → media is null');
  assertRecentDate(message.dateCreated, 'date_created');
  assertRecentDate(message.dateUpdated, 'date_updated');
  assertUrlPath(message.url, `/v1/Conversations/${conversation.sid}/Messages/${message.sid}`);
  assert.ok(message.links && typeof message.links === 'object', 'links');
  assertUrlPath(
    message.links.delivery_receipts,
    `/v1/Conversations/${conversation.sid}/Messages/${message.sid}/Receipts`,
    'links.delivery_receipts',
  );

  const second = await v1(client).conversations(conversation.sid).messages.create({ author: identity, body: 'again' });
  assert.equal(second.index, 1, 'indexes count up');
});

test('a message without Author is authored by "system" and has no participant', async () => {
  const conversation = await newConversation();
  const message = await v1(client).conversations(conversation.sid).messages.create({ body: 'system notice' });
  assert.equal(message.author, 'system');
  assert.equal(message.participantSid, null);
  assert.equal(message.attributes, '{}', 'attributes default to {}');
});

test('the raw create answers 201 with the documented snake_case fields', async () => {
  const conversation = await newConversation();
  const reply = await rawRest(emulator, 'POST', `/v1/Conversations/${conversation.sid}/Messages`, {
    form: { Author: 'raw-author', Body: 'raw body' },
  });
  assert.equal(reply.status, 201, reply.text);
  for (const field of [
    'account_sid',
    'conversation_sid',
    'sid',
    'index',
    'author',
    'body',
    'media',
    'attributes',
    'participant_sid',
    'date_created',
    'date_updated',
    'url',
    'delivery',
    'links',
  ]) {
    assert.ok(field in reply.body, `message has ${field}: ${reply.text}`);
  }
  assert.equal(typeof reply.body.index, 'number');
  assert.equal(reply.body.body, 'raw body');
});

test('a message may carry a DateCreated in the past (history import)', async () => {
  const conversation = await newConversation();
  const when = new Date('2020-01-02T03:04:05Z');
  const message = await v1(client)
    .conversations(conversation.sid)
    .messages.create({ author: 'importer', body: 'old', dateCreated: when });
  assert.equal(message.dateCreated.toISOString(), when.toISOString());
  const fetched = await v1(client).conversations(conversation.sid).messages(message.sid).fetch();
  assert.equal(fetched.dateCreated.toISOString(), when.toISOString());
});

test('fetch a message', async () => {
  const conversation = await newConversation();
  const created = await v1(client)
    .conversations(conversation.sid)
    .messages.create({ author: 'fetcher', body: 'find me', attributes: '{"k":"v"}' });
  const fetched = await v1(client).conversations(conversation.sid).messages(created.sid).fetch();
  assert.equal(fetched.sid, created.sid);
  assert.equal(fetched.index, created.index);
  assert.equal(fetched.author, 'fetcher');
  assert.equal(fetched.body, 'find me');
  assert.deepEqual(JSON.parse(fetched.attributes), { k: 'v' });
  assert.equal(fetched.dateCreated.getTime(), created.dateCreated.getTime());
  await assertRestError(
    v1(client).conversations(conversation.sid).messages('IM' + '0'.repeat(32)).fetch(),
    404,
    20404,
    'unknown message',
  );
});

test('update a message body, attributes and author', async () => {
  const conversation = await newConversation();
  const created = await v1(client).conversations(conversation.sid).messages.create({ author: 'editor', body: 'tpyo' });
  await new Promise((r) => setTimeout(r, 1_100));
  const updated = await v1(client)
    .conversations(conversation.sid)
    .messages(created.sid)
    .update({ body: 'typo', attributes: '{"edited":true}' });
  assert.equal(updated.sid, created.sid);
  assert.equal(updated.index, created.index);
  assert.equal(updated.body, 'typo');
  assert.deepEqual(JSON.parse(updated.attributes), { edited: true });
  assert.equal(updated.author, 'editor', 'author unchanged when not given');
  assert.ok(updated.dateUpdated.getTime() > created.dateUpdated.getTime(), 'date_updated moves forward');
  assert.equal(updated.dateCreated.getTime(), created.dateCreated.getTime());

  const fetched = await v1(client).conversations(conversation.sid).messages(created.sid).fetch();
  assert.equal(fetched.body, 'typo');

  const reauthored = await v1(client).conversations(conversation.sid).messages(created.sid).update({ author: 'someone-else' });
  assert.equal(reauthored.author, 'someone-else');
  assert.equal(reauthored.body, 'typo', 'body unchanged when not given');
});

test('delete a message: 204, fetch → 404, indexes are not reused', async () => {
  const conversation = await newConversation();
  const messages = v1(client).conversations(conversation.sid).messages;
  const m0 = await messages.create({ body: 'zero' });
  const m1 = await messages.create({ body: 'one' });
  const m2 = await messages.create({ body: 'two' });

  const reply = await rawRest(emulator, 'DELETE', `/v1/Conversations/${conversation.sid}/Messages/${m1.sid}`);
  assert.equal(reply.status, 204, `${reply.status} ${reply.text}`);
  await assertRestError(v1(client).conversations(conversation.sid).messages(m1.sid).fetch(), 404, 20404, 'deleted message');

  const left = await messages.list();
  assert.deepEqual(
    left.map((m) => [m.index, m.body]),
    [
      [0, 'zero'],
      [2, 'two'],
    ],
  );
  const m3 = await messages.create({ body: 'three' });
  assert.equal(m3.index, 3, 'the next index follows the highest ever used');

  assert.equal(await v1(client).conversations(conversation.sid).messages(m0.sid).remove(), true);
  assert.equal(await v1(client).conversations(conversation.sid).messages(m2.sid).remove(), true);
  assert.deepEqual(
    (await messages.list()).map((m) => m.index),
    [3],
  );
  await assertRestError(v1(client).conversations(conversation.sid).messages(m0.sid).remove(), 404, 20404, 'delete twice');
});

// --- Paging over 60 messages --------------------------------------------------------------

const PAGED = 60;
let paged; // {conversation, sids by index}

async function pagedConversation() {
  if (paged) return paged;
  const conversation = await newConversation();
  const sids = [];
  for (let i = 0; i < PAGED; i++) {
    const m = await v1(client).conversations(conversation.sid).messages.create({ author: 'pager', body: `message ${i}` });
    assert.equal(m.index, i);
    sids.push(m.sid);
  }
  paged = { conversation, sids };
  return paged;
}

const range = (from, to) => Array.from({ length: to - from }, (_, i) => from + i);

test('list messages: all, with limit, with pageSize, in both orders', async () => {
  const { conversation, sids } = await pagedConversation();
  const messages = v1(client).conversations(conversation.sid).messages;

  const all = await messages.list();
  assert.deepEqual(
    all.map((m) => m.index),
    range(0, PAGED),
    'default order is ascending, nothing missing',
  );
  assert.deepEqual(
    all.map((m) => m.sid),
    sids,
  );

  const smallPages = await messages.list({ pageSize: 7 });
  assert.deepEqual(
    smallPages.map((m) => m.index),
    range(0, PAGED),
    'following next_page_url over 9 pages: no gap, no duplicate',
  );

  const limitedPaged = await messages.list({ limit: 30, pageSize: 7 });
  assert.deepEqual(
    limitedPaged.map((m) => m.index),
    range(0, 30),
    'limit across pages stops exactly at the limit',
  );

  const limited = await messages.list({ limit: 10 });
  assert.deepEqual(
    limited.map((m) => m.index),
    range(0, 10),
  );

  const desc = await messages.list({ order: 'desc', pageSize: 25 });
  assert.deepEqual(
    desc.map((m) => m.index),
    range(0, PAGED).reverse(),
    'Order=desc, across pages',
  );

  const lastFive = await messages.list({ order: 'desc', limit: 5 });
  assert.deepEqual(
    lastFive.map((m) => m.index),
    [59, 58, 57, 56, 55],
  );

  const asc = await messages.list({ order: 'asc', limit: 3 });
  assert.deepEqual(
    asc.map((m) => m.body),
    ['message 0', 'message 1', 'message 2'],
  );
});

test('page() / nextPage() / previousPage() with the meta the library reads', async () => {
  const { conversation } = await pagedConversation();
  const messages = v1(client).conversations(conversation.sid).messages;

  const p0 = await messages.page({ pageSize: 25 });
  assert.deepEqual(
    p0.instances.map((m) => m.index),
    range(0, 25),
  );
  const meta0 = p0._payload.meta;
  assert.equal(meta0.key, 'messages');
  assert.equal(meta0.page, 0);
  assert.equal(meta0.page_size, 25);
  assert.equal(meta0.previous_page_url, null);
  assert.equal(typeof meta0.next_page_url, 'string');
  const base = `/v1/Conversations/${conversation.sid}/Messages`;
  assertUrlPath(meta0.url, base, 'meta.url');
  assertUrlPath(meta0.first_page_url, base, 'meta.first_page_url');
  assertUrlPath(meta0.next_page_url, base, 'meta.next_page_url');
  const nextUrl = new URL(meta0.next_page_url);
  assert.equal(nextUrl.searchParams.get('PageSize'), '25');
  assert.equal(nextUrl.searchParams.get('Page'), '1');
  assert.equal(p0.previousPage(), undefined, 'no previous page on page 0');

  const p1 = await p0.nextPage();
  assert.deepEqual(
    p1.instances.map((m) => m.index),
    range(25, 50),
  );
  assert.equal(p1._payload.meta.page, 1);
  assert.equal(typeof p1._payload.meta.previous_page_url, 'string', 'page 1 links back');

  const p2 = await p1.nextPage();
  assert.deepEqual(
    p2.instances.map((m) => m.index),
    range(50, 60),
  );
  assert.equal(p2._payload.meta.page, 2);
  assert.equal(p2._payload.meta.next_page_url, null, 'last page: next_page_url is null');
  assert.equal(p2.nextPage(), undefined, 'the library stops at the last page');

  const back = await p2.previousPage();
  assert.deepEqual(
    back.instances.map((m) => m.index),
    range(25, 50),
    'previousPage() returns the same middle page',
  );

  const d0 = await messages.page({ pageSize: 20, order: 'desc' });
  const d1 = await d0.nextPage();
  const d2 = await d1.nextPage();
  assert.deepEqual(
    [...d0.instances, ...d1.instances, ...d2.instances].map((m) => m.index),
    range(0, PAGED).reverse(),
  );
  assert.equal(d2.nextPage(), undefined);
});

test('raw list JSON: "messages" array and meta with every documented key', async () => {
  const { conversation } = await pagedConversation();
  const reply = await rawRest(emulator, 'GET', `/v1/Conversations/${conversation.sid}/Messages?PageSize=50&Order=desc`);
  assert.equal(reply.status, 200, reply.text);
  assert.ok(Array.isArray(reply.body.messages));
  assert.equal(reply.body.messages.length, 50);
  assert.equal(reply.body.messages[0].index, 59);
  for (const key of ['page', 'page_size', 'first_page_url', 'previous_page_url', 'url', 'next_page_url', 'key']) {
    assert.ok(key in reply.body.meta, `meta.${key} (meta: ${JSON.stringify(reply.body.meta)})`);
  }
  const next = await rawRest(emulator, 'GET', new URL(reply.body.meta.next_page_url).pathname + new URL(reply.body.meta.next_page_url).search);
  assert.equal(next.status, 200, next.text);
  assert.deepEqual(
    next.body.messages.map((m) => m.index),
    range(0, 10).reverse(),
  );
  assert.equal(next.body.meta.next_page_url, null);
});

test('messages on the service-scoped path', async () => {
  const conversation = await newConversation();
  const service = v1(client).services(DEV.serviceSid);
  const m = await service.conversations(conversation.sid).messages.create({ author: 'svc', body: 'via service' });
  assert.match(m.sid, SID.message);
  assertUrlPath(m.url, `/v1/Services/${DEV.serviceSid}/Conversations/${conversation.sid}/Messages/${m.sid}`);
  const listed = await v1(client).conversations(conversation.sid).messages.list();
  assert.deepEqual(
    listed.map((x) => x.sid),
    [m.sid],
  );
  const updated = await service.conversations(conversation.sid).messages(m.sid).update({ body: 'edited via service' });
  assert.equal(updated.body, 'edited via service');
  await service.conversations(conversation.sid).messages(m.sid).remove();
  assert.deepEqual(await v1(client).conversations(conversation.sid).messages.list(), []);
});

// --- One state with the official SDK -------------------------------------------------------

test('a message created over REST arrives live in a connected SDK client; edits and removal too', async () => {
  const s = session(emulator);
  try {
    const identity = uniqueName('alice');
    const conversation = await newConversation();
    await v1(client).conversations(conversation.sid).participants.create({ identity });
    const alice = await s.client(identity);
    const conv = await ready(await withTimeout(alice.getConversationBySid(conversation.sid), 10_000, 'getConversationBySid'));

    const added = once(alice, 'messageAdded', 10_000, (m) => m.conversation.sid === conversation.sid);
    const created = await v1(client)
      .conversations(conversation.sid)
      .messages.create({ author: 'support-bot', body: 'hello from REST', attributes: '{"via":"rest"}' });
    const live = await added;
    assert.equal(live.sid, created.sid);
    assert.equal(live.index, created.index);
    assert.equal(live.body, 'hello from REST');
    assert.equal(live.author, 'support-bot');
    assert.deepEqual(live.attributes, { via: 'rest' });

    const updatedLive = once(alice, 'messageUpdated', 10_000, (e) => e.message.sid === created.sid);
    await v1(client).conversations(conversation.sid).messages(created.sid).update({ body: 'edited over REST' });
    const { message: edited } = await updatedLive;
    assert.equal(edited.body, 'edited over REST');

    const removedLive = once(alice, 'messageRemoved', 10_000, (m) => m.sid === created.sid);
    await v1(client).conversations(conversation.sid).messages(created.sid).remove();
    await removedLive;
    const left = await withTimeout(conv.getMessages(10), 10_000, 'getMessages');
    assert.deepEqual(left.items.map((m) => m.sid), [], 'the SDK no longer lists the removed message');
  } finally {
    await s.close();
  }
});

test('a message sent from an SDK client is listed over REST', async () => {
  const s = session(emulator);
  try {
    const identity = uniqueName('bob');
    const conversation = await newConversation();
    const participant = await v1(client).conversations(conversation.sid).participants.create({ identity });
    const bob = await s.client(identity);
    const conv = await ready(await withTimeout(bob.getConversationBySid(conversation.sid), 10_000, 'getConversationBySid'));

    const index = await conv.sendMessage('typed in the SDK', { mood: 'happy' });
    const listed = await v1(client).conversations(conversation.sid).messages.list();
    assert.equal(listed.length, 1, JSON.stringify(listed.map((m) => m.toJSON())));
    const [m] = listed;
    assert.equal(m.index, index);
    assert.equal(m.author, identity);
    assert.equal(m.body, 'typed in the SDK');
    assert.deepEqual(JSON.parse(m.attributes), { mood: 'happy' });
    assert.equal(m.participantSid, participant.sid);
    const fetched = await v1(client).conversations(conversation.sid).messages(m.sid).fetch();
    assert.equal(fetched.body, 'typed in the SDK');
  } finally {
    await s.close();
  }
});

test('a conversation and participant created over REST show up in the SDK client', async () => {
  const s = session(emulator);
  try {
    const identity = uniqueName('carol');
    const carol = await s.client(identity);
    const conversation = await v1(client).conversations.create({ friendlyName: 'made over REST', attributes: '{"x":1}' });
    const joined = once(carol, 'conversationJoined', 10_000, (c) => c.sid === conversation.sid);
    await v1(client).conversations(conversation.sid).participants.create({ identity });
    const conv = await ready(await joined);
    assert.equal(conv.friendlyName, 'made over REST');
    assert.deepEqual(conv.attributes, { x: 1 });

    const left = once(carol, 'conversationLeft', 10_000, (c) => c.sid === conversation.sid);
    await v1(client).conversations(conversation.sid).participants(identity).remove();
    await left;
  } finally {
    await s.close();
  }
});
