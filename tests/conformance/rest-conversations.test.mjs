// The Conversation resource over REST (v1), driven by Twilio's official helper library:
// create, fetch (by SID and unique name), update, close, delete, list with the State filter,
// the service-scoped paths, ConversationWithParticipants and the account Configuration.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { DEV, startEmulator, uniqueName } from './harness.mjs';
import {
  SID,
  assertRecentDate,
  assertRestError,
  assertUrlPath,
  is4xx,
  phoneNumber,
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

test('create a conversation: every documented field comes back', async () => {
  const friendlyName = uniqueName('Support chat');
  const unique = uniqueName('ticket');
  const attributes = JSON.stringify({ ticket: 42, tags: ['vip'] });
  const conversation = await v1(client).conversations.create({ friendlyName, uniqueName: unique, attributes });

  assert.match(conversation.sid, SID.conversation);
  assert.equal(conversation.accountSid, DEV.accountSid);
  assert.equal(conversation.chatServiceSid, DEV.serviceSid);
  assert.equal(conversation.friendlyName, friendlyName);
  assert.equal(conversation.uniqueName, unique);
  assert.deepEqual(JSON.parse(conversation.attributes), JSON.parse(attributes));
  assert.equal(conversation.state, 'active');
  assert.deepEqual(conversation.timers, {}, 'no timers set → timers is {}');
  assertRecentDate(conversation.dateCreated, 'date_created');
  assertRecentDate(conversation.dateUpdated, 'date_updated');
  assertUrlPath(conversation.url, `/v1/Conversations/${conversation.sid}`);
  assert.ok(conversation.links && typeof conversation.links === 'object', 'links');
  assertUrlPath(conversation.links.participants, `/v1/Conversations/${conversation.sid}/Participants`, 'links.participants');
  assertUrlPath(conversation.links.messages, `/v1/Conversations/${conversation.sid}/Messages`, 'links.messages');
  assertUrlPath(conversation.links.webhooks, `/v1/Conversations/${conversation.sid}/Webhooks`, 'links.webhooks');
});

test('create answers 201 Created with a JSON body (raw HTTP)', async () => {
  const reply = await rawRest(emulator, 'POST', '/v1/Conversations', { form: { FriendlyName: 'raw' } });
  assert.equal(reply.status, 201, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json/);
  assert.match(reply.body.sid, SID.conversation);
  assert.equal(reply.body.friendly_name, 'raw');
  assert.equal(reply.body.chat_service_sid, DEV.serviceSid);
  assert.equal(reply.body.account_sid, DEV.accountSid);
});

test('a conversation created with no parameters has the documented defaults', async () => {
  const conversation = await v1(client).conversations.create();
  assert.match(conversation.sid, SID.conversation);
  assert.equal(conversation.friendlyName, null);
  assert.equal(conversation.uniqueName, null);
  assert.equal(conversation.attributes, '{}');
  assert.equal(conversation.state, 'active');
});

test('fetch a conversation by SID and by unique name', async () => {
  const unique = uniqueName('by-name');
  const created = await v1(client).conversations.create({ friendlyName: 'fetch me', uniqueName: unique });
  const bySid = await v1(client).conversations(created.sid).fetch();
  assert.equal(bySid.sid, created.sid);
  assert.equal(bySid.friendlyName, 'fetch me');
  assert.equal(bySid.uniqueName, unique);
  assert.equal(bySid.dateCreated.getTime(), created.dateCreated.getTime());

  // "sid: … Can also be the unique_name of the Conversation."
  const byName = await v1(client).conversations(unique).fetch();
  assert.equal(byName.sid, created.sid);
});

test('update FriendlyName, Attributes and State', async () => {
  const created = await v1(client).conversations.create({ friendlyName: 'before' });
  await new Promise((r) => setTimeout(r, 1_100)); // date_updated has one-second resolution at Twilio
  const attributes = JSON.stringify({ priority: 'high' });
  const updated = await v1(client).conversations(created.sid).update({ friendlyName: 'after', attributes });
  assert.equal(updated.sid, created.sid);
  assert.equal(updated.friendlyName, 'after');
  assert.deepEqual(JSON.parse(updated.attributes), { priority: 'high' });
  assert.ok(updated.dateUpdated.getTime() > created.dateUpdated.getTime(), 'date_updated moves forward');
  assert.equal(updated.dateCreated.getTime(), created.dateCreated.getTime(), 'date_created does not change');

  const fetched = await v1(client).conversations(created.sid).fetch();
  assert.equal(fetched.friendlyName, 'after');
  assert.deepEqual(JSON.parse(fetched.attributes), { priority: 'high' });

  const inactive = await v1(client).conversations(created.sid).update({ state: 'inactive' });
  assert.equal(inactive.state, 'inactive');
  const active = await v1(client).conversations(created.sid).update({ state: 'active' });
  assert.equal(active.state, 'active');
  assert.equal((await v1(client).conversations(created.sid).fetch()).state, 'active');
});

test('update UniqueName, and fetch by the new name', async () => {
  const created = await v1(client).conversations.create({ uniqueName: uniqueName('old') });
  const renamed = uniqueName('new');
  const updated = await v1(client).conversations(created.sid).update({ uniqueName: renamed });
  assert.equal(updated.uniqueName, renamed);
  assert.equal((await v1(client).conversations(renamed).fetch()).sid, created.sid);
});

test('a duplicate UniqueName is refused with 409', async () => {
  const unique = uniqueName('taken');
  await v1(client).conversations.create({ uniqueName: unique });
  const error = await assertRestError(v1(client).conversations.create({ uniqueName: unique }), 409, undefined, 'duplicate unique name');
  assert.equal(error.code, 50353, 'Twilio error 50353 (conversation unique name already exists)');
});

test('close a conversation (State=closed): sending is refused and nothing is stored', async () => {
  const conversation = await v1(client).conversations.create({ friendlyName: 'to close' });
  await v1(client).conversations(conversation.sid).messages.create({ author: 'agent', body: 'last words' });
  const closed = await v1(client).conversations(conversation.sid).update({ state: 'closed' });
  assert.equal(closed.state, 'closed');
  assert.equal((await v1(client).conversations(conversation.sid).fetch()).state, 'closed');

  await assertRestError(
    v1(client).conversations(conversation.sid).messages.create({ author: 'agent', body: 'too late' }),
    is4xx,
    undefined,
    'message to a closed conversation',
  );
  const messages = await v1(client).conversations(conversation.sid).messages.list();
  assert.deepEqual(
    messages.map((m) => m.body),
    ['last words'],
    'the refused message is not stored',
  );
});

test('delete a conversation: 204, then fetch → 404 with Twilio error 20404', async () => {
  const conversation = await v1(client).conversations.create({ friendlyName: 'doomed', uniqueName: uniqueName('doomed') });
  await v1(client).conversations(conversation.sid).messages.create({ body: 'hello' });
  await v1(client).conversations(conversation.sid).participants.create({ identity: uniqueName('p') });

  const reply = await rawRest(emulator, 'DELETE', `/v1/Conversations/${conversation.sid}`);
  assert.equal(reply.status, 204, `DELETE answers 204 No Content (got ${reply.status} ${reply.text})`);
  assert.equal(reply.text, '', '204 has no body');

  const error = await assertRestError(v1(client).conversations(conversation.sid).fetch(), 404, 20404, 'fetch deleted');
  assert.ok(error.moreInfo.includes('20404'), `more_info points at error 20404 (${error.moreInfo})`);
  await assertRestError(v1(client).conversations(conversation.uniqueName).fetch(), 404, 20404, 'fetch deleted by unique name');
  await assertRestError(v1(client).conversations(conversation.sid).messages.list(), 404, 20404, 'messages of deleted');
  await assertRestError(v1(client).conversations(conversation.sid).participants.list(), 404, 20404, 'participants of deleted');
  await assertRestError(v1(client).conversations(conversation.sid).remove(), 404, 20404, 'delete twice');

  const listed = await v1(client).conversations.list();
  assert.ok(!listed.some((c) => c.sid === conversation.sid), 'deleted conversation is not listed');
});

test('remove() through the helper library resolves true', async () => {
  const conversation = await v1(client).conversations.create();
  assert.equal(await v1(client).conversations(conversation.sid).remove(), true);
  await assertRestError(v1(client).conversations(conversation.sid).fetch(), 404, 20404, 'fetch removed');
});

test('list conversations with the State filter', async () => {
  const active = await v1(client).conversations.create({ friendlyName: 'filter-active' });
  const inactive = await v1(client).conversations.create({ friendlyName: 'filter-inactive', state: 'inactive' });
  const closed = await v1(client).conversations.create({ friendlyName: 'filter-closed' });
  await v1(client).conversations(closed.sid).update({ state: 'closed' });
  assert.equal(inactive.state, 'inactive', 'State can be set on create');

  const closedList = await v1(client).conversations.list({ state: 'closed', pageSize: 50 });
  assert.ok(closedList.length >= 1);
  assert.ok(closedList.every((c) => c.state === 'closed'), `only closed: ${closedList.map((c) => c.state)}`);
  assert.ok(closedList.some((c) => c.sid === closed.sid));
  assert.ok(!closedList.some((c) => c.sid === active.sid || c.sid === inactive.sid));

  const inactiveList = await v1(client).conversations.list({ state: 'inactive', pageSize: 50 });
  assert.ok(inactiveList.every((c) => c.state === 'inactive'));
  assert.ok(inactiveList.some((c) => c.sid === inactive.sid));
  assert.ok(!inactiveList.some((c) => c.sid === active.sid || c.sid === closed.sid));

  const activeList = await v1(client).conversations.list({ state: 'active', pageSize: 50 });
  assert.ok(activeList.every((c) => c.state === 'active'));
  assert.ok(activeList.some((c) => c.sid === active.sid));
  assert.ok(!activeList.some((c) => c.sid === inactive.sid || c.sid === closed.sid));

  const all = await v1(client).conversations.list({ pageSize: 50 });
  for (const c of [active, inactive, closed]) assert.ok(all.some((x) => x.sid === c.sid), `unfiltered list has ${c.friendlyName}`);
});

test('list conversations across pages: every conversation once, with the documented meta', async () => {
  const created = [];
  for (let i = 0; i < 7; i++) created.push((await v1(client).conversations.create({ friendlyName: `paged-${i}` })).sid);

  const all = await v1(client).conversations.list({ pageSize: 3 });
  const sids = all.map((c) => c.sid);
  assert.equal(new Set(sids).size, sids.length, 'no conversation listed twice');
  for (const sid of created) assert.ok(sids.includes(sid), `${sid} listed`);

  const reply = await rawRest(emulator, 'GET', '/v1/Conversations?PageSize=3');
  assert.equal(reply.status, 200, reply.text);
  assert.ok(Array.isArray(reply.body.conversations), 'the list key is "conversations"');
  assert.equal(reply.body.conversations.length, 3);
  const { meta } = reply.body;
  assert.equal(meta.key, 'conversations');
  assert.equal(meta.page, 0);
  assert.equal(meta.page_size, 3);
  assert.equal(meta.previous_page_url, null);
  assert.equal(typeof meta.next_page_url, 'string', 'more than one page → next_page_url');
  assertUrlPath(meta.first_page_url, '/v1/Conversations', 'meta.first_page_url');
  assertUrlPath(meta.url, '/v1/Conversations', 'meta.url');
  assertUrlPath(meta.next_page_url, '/v1/Conversations', 'meta.next_page_url');
  const next = new URL(meta.next_page_url);
  assert.equal(next.searchParams.get('PageSize'), '3');
  assert.equal(next.searchParams.get('Page'), '1');
});

test('service-scoped paths reach the same conversations as the default-service paths', async () => {
  const service = v1(client).services(DEV.serviceSid);
  const viaDefault = await v1(client).conversations.create({ friendlyName: 'default path' });
  const fetched = await service.conversations(viaDefault.sid).fetch();
  assert.equal(fetched.sid, viaDefault.sid);
  assert.equal(fetched.chatServiceSid, DEV.serviceSid);
  assert.equal(fetched.friendlyName, 'default path');
  assertUrlPath(fetched.url, `/v1/Services/${DEV.serviceSid}/Conversations/${viaDefault.sid}`);

  const viaService = await service.conversations.create({ friendlyName: 'service path', attributes: '{"a":1}' });
  assert.match(viaService.sid, SID.conversation);
  assert.equal(viaService.chatServiceSid, DEV.serviceSid);
  const again = await v1(client).conversations(viaService.sid).fetch();
  assert.equal(again.friendlyName, 'service path');

  await service.conversations(viaService.sid).update({ friendlyName: 'renamed via service' });
  assert.equal((await v1(client).conversations(viaService.sid).fetch()).friendlyName, 'renamed via service');

  const listed = await service.conversations.list({ pageSize: 100 });
  assert.ok(listed.some((c) => c.sid === viaDefault.sid) && listed.some((c) => c.sid === viaService.sid));

  await service.conversations(viaService.sid).remove();
  await assertRestError(v1(client).conversations(viaService.sid).fetch(), 404, 20404, 'removed via service path');
});

test('an unknown Chat Service SID is 404 (20404)', async () => {
  const unknown = 'IS' + 'f'.repeat(32);
  await assertRestError(v1(client).services(unknown).conversations.list(), 404, 20404, 'unknown service');
  await assertRestError(
    v1(client).services(unknown).conversations.create({ friendlyName: 'nowhere' }),
    404,
    20404,
    'create in unknown service',
  );
});

test('ConversationWithParticipants creates the conversation and its participants at once', async () => {
  const identity = uniqueName('cwp-chat');
  const address = phoneNumber();
  const proxy = phoneNumber();
  const conversation = await v1(client).conversationWithParticipants.create({
    friendlyName: 'with participants',
    uniqueName: uniqueName('cwp'),
    attributes: JSON.stringify({ source: 'cwp' }),
    participant: [
      JSON.stringify({ identity }),
      JSON.stringify({ messaging_binding: { address, proxy_address: proxy } }),
    ],
  });
  assert.match(conversation.sid, SID.conversation);
  assert.equal(conversation.friendlyName, 'with participants');
  assert.equal(conversation.chatServiceSid, DEV.serviceSid);
  assert.equal(conversation.accountSid, DEV.accountSid);
  assert.deepEqual(JSON.parse(conversation.attributes), { source: 'cwp' });
  assert.equal(conversation.state, 'active');

  const participants = await v1(client).conversations(conversation.sid).participants.list();
  assert.equal(participants.length, 2, JSON.stringify(participants.map((p) => p.toJSON())));
  const chat = participants.find((p) => p.identity === identity);
  assert.ok(chat, 'the chat participant exists');
  assert.equal(chat.messagingBinding, null);
  const sms = participants.find((p) => p.identity === null);
  assert.ok(sms, 'the SMS participant exists');
  assert.equal(sms.messagingBinding.type, 'sms');
  assert.equal(sms.messagingBinding.address, address);
  assert.equal(sms.messagingBinding.proxy_address, proxy);

  const fetched = await v1(client).conversations(conversation.sid).fetch();
  assert.equal(fetched.friendlyName, 'with participants');
});

test('ConversationWithParticipants on the service-scoped path', async () => {
  const identity = uniqueName('cwp-svc');
  const conversation = await v1(client)
    .services(DEV.serviceSid)
    .conversationWithParticipants.create({ friendlyName: 'svc cwp', participant: [JSON.stringify({ identity })] });
  assert.match(conversation.sid, SID.conversation);
  const participants = await v1(client).conversations(conversation.sid).participants.list();
  assert.deepEqual(
    participants.map((p) => p.identity),
    [identity],
  );
});

test('the account Configuration names the default Chat Service', async () => {
  const configuration = await v1(client).configuration().fetch();
  assert.equal(configuration.accountSid, DEV.accountSid);
  assert.equal(configuration.defaultChatServiceSid, DEV.serviceSid);
  assertUrlPath(configuration.url, '/v1/Configuration');
  assert.ok(configuration.links && typeof configuration.links === 'object', 'links');
});
