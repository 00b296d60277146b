// The Conversation Participant resource over REST (v1), driven by Twilio's official helper
// library: SMS, WhatsApp and chat participants, list, fetch (by SID and identity), update,
// remove, and the ParticipantConversations index.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { DEV, startEmulator, uniqueName } from './harness.mjs';
import {
  SID,
  assertRecentDate,
  assertRestError,
  assertUrlPath,
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

const newConversation = (friendlyName = uniqueName('participants')) => v1(client).conversations.create({ friendlyName });

test('add an SMS participant (MessagingBinding.Address + ProxyAddress)', async () => {
  const conversation = await newConversation();
  const address = phoneNumber();
  const proxy = phoneNumber();
  const participant = await v1(client)
    .conversations(conversation.sid)
    .participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': proxy });

  assert.match(participant.sid, SID.participant);
  assert.equal(participant.accountSid, DEV.accountSid);
  assert.equal(participant.conversationSid, conversation.sid);
  assert.equal(participant.identity, null, 'an SMS participant has no identity');
  assert.equal(participant.attributes, '{}');
  assert.ok(participant.messagingBinding && typeof participant.messagingBinding === 'object', 'messaging_binding');
  assert.equal(participant.messagingBinding.type, 'sms');
  assert.equal(participant.messagingBinding.address, address);
  assert.equal(participant.messagingBinding.proxy_address, proxy);
  assertRecentDate(participant.dateCreated, 'date_created');
  assertRecentDate(participant.dateUpdated, 'date_updated');
  assertUrlPath(participant.url, `/v1/Conversations/${conversation.sid}/Participants/${participant.sid}`);
});

test('add a WhatsApp participant (whatsapp: prefixed addresses)', async () => {
  const conversation = await newConversation();
  const address = `whatsapp:${phoneNumber()}`;
  const proxy = `whatsapp:${phoneNumber()}`;
  const participant = await v1(client)
    .conversations(conversation.sid)
    .participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': proxy });
  assert.match(participant.sid, SID.participant);
  assert.equal(participant.identity, null);
  assert.equal(participant.messagingBinding.type, 'whatsapp');
  assert.equal(participant.messagingBinding.address, address);
  assert.equal(participant.messagingBinding.proxy_address, proxy);
});

test('add a chat participant (Identity) with attributes', async () => {
  const conversation = await newConversation();
  const identity = uniqueName('agent');
  const attributes = JSON.stringify({ role: 'agent', team: 'blue' });
  const participant = await v1(client).conversations(conversation.sid).participants.create({ identity, attributes });
  assert.match(participant.sid, SID.participant);
  assert.equal(participant.identity, identity);
  assert.equal(participant.messagingBinding, null, 'a chat participant has no messaging binding');
  assert.deepEqual(JSON.parse(participant.attributes), { role: 'agent', team: 'blue' });
  assert.equal(participant.conversationSid, conversation.sid);
  assert.match(participant.roleSid, SID.role, 'a chat participant gets the service default conversation role');
});

test('the raw create answers 201 with the documented snake_case fields', async () => {
  const conversation = await newConversation();
  const identity = uniqueName('raw');
  const reply = await rawRest(emulator, 'POST', `/v1/Conversations/${conversation.sid}/Participants`, {
    form: { Identity: identity },
  });
  assert.equal(reply.status, 201, reply.text);
  for (const field of [
    'account_sid',
    'conversation_sid',
    'sid',
    'identity',
    'attributes',
    'messaging_binding',
    'role_sid',
    'date_created',
    'date_updated',
    'url',
    'last_read_message_index',
    'last_read_timestamp',
  ]) {
    assert.ok(field in reply.body, `participant has ${field}: ${reply.text}`);
  }
  assert.equal(reply.body.identity, identity);
});

test('list participants: all three kinds, each once', async () => {
  const conversation = await newConversation();
  const participants = v1(client).conversations(conversation.sid).participants;
  const chat = await participants.create({ identity: uniqueName('chat') });
  const sms = await participants.create({ 'messagingBinding.address': phoneNumber(), 'messagingBinding.proxyAddress': phoneNumber() });
  const wa = await participants.create({
    'messagingBinding.address': `whatsapp:${phoneNumber()}`,
    'messagingBinding.proxyAddress': `whatsapp:${phoneNumber()}`,
  });
  const listed = await participants.list();
  assert.deepEqual(listed.map((p) => p.sid).sort(), [chat.sid, sms.sid, wa.sid].sort());

  const paged = await participants.list({ pageSize: 1 });
  assert.deepEqual(paged.map((p) => p.sid).sort(), [chat.sid, sms.sid, wa.sid].sort(), 'paging through 1 per page');

  const reply = await rawRest(emulator, 'GET', `/v1/Conversations/${conversation.sid}/Participants?PageSize=2`);
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.body.meta.key, 'participants');
  assert.equal(reply.body.participants.length, 2);
  assert.equal(reply.body.meta.page_size, 2);
  assert.equal(typeof reply.body.meta.next_page_url, 'string');
});

test('fetch a participant by SID and by identity', async () => {
  const conversation = await newConversation();
  const identity = uniqueName('fetchable');
  const created = await v1(client).conversations(conversation.sid).participants.create({ identity });
  const bySid = await v1(client).conversations(conversation.sid).participants(created.sid).fetch();
  assert.equal(bySid.sid, created.sid);
  assert.equal(bySid.identity, identity);
  // "Alternatively, you can pass a Participant's identity rather than the SID."
  const byIdentity = await v1(client).conversations(conversation.sid).participants(identity).fetch();
  assert.equal(byIdentity.sid, created.sid);
});

test('update participant attributes and read horizon', async () => {
  const conversation = await newConversation();
  const identity = uniqueName('reader');
  const participant = await v1(client).conversations(conversation.sid).participants.create({ identity });
  for (let i = 0; i < 3; i++) await v1(client).conversations(conversation.sid).messages.create({ author: identity, body: `m${i}` });

  const attributes = JSON.stringify({ vip: true });
  const updated = await v1(client)
    .conversations(conversation.sid)
    .participants(participant.sid)
    .update({ attributes, lastReadMessageIndex: 2 });
  assert.deepEqual(JSON.parse(updated.attributes), { vip: true });
  assert.equal(updated.lastReadMessageIndex, 2);

  const fetched = await v1(client).conversations(conversation.sid).participants(participant.sid).fetch();
  assert.deepEqual(JSON.parse(fetched.attributes), { vip: true });
  assert.equal(fetched.lastReadMessageIndex, 2);
});

test('remove a participant: 204, gone from the list, fetch → 404 (20404)', async () => {
  const conversation = await newConversation();
  const stay = await v1(client).conversations(conversation.sid).participants.create({ identity: uniqueName('stay') });
  const leave = await v1(client).conversations(conversation.sid).participants.create({
    'messagingBinding.address': phoneNumber(),
    'messagingBinding.proxyAddress': phoneNumber(),
  });

  const reply = await rawRest(emulator, 'DELETE', `/v1/Conversations/${conversation.sid}/Participants/${leave.sid}`);
  assert.equal(reply.status, 204, `${reply.status} ${reply.text}`);

  const listed = await v1(client).conversations(conversation.sid).participants.list();
  assert.deepEqual(
    listed.map((p) => p.sid),
    [stay.sid],
  );
  await assertRestError(
    v1(client).conversations(conversation.sid).participants(leave.sid).fetch(),
    404,
    20404,
    'fetch removed participant',
  );
  assert.equal(await v1(client).conversations(conversation.sid).participants(stay.sid).remove(), true, 'remove() resolves true');
  assert.deepEqual(await v1(client).conversations(conversation.sid).participants.list(), []);
});

test('the same identity cannot be added twice to one conversation (409)', async () => {
  const conversation = await newConversation();
  const identity = uniqueName('once');
  await v1(client).conversations(conversation.sid).participants.create({ identity });
  const error = await assertRestError(
    v1(client).conversations(conversation.sid).participants.create({ identity }),
    409,
    undefined,
    'duplicate identity',
  );
  assert.equal(error.code, 50433, 'Twilio error 50433 (participant already exists)');
  assert.equal((await v1(client).conversations(conversation.sid).participants.list()).length, 1);
});

test('a removed SMS binding can be added to another conversation', async () => {
  const address = phoneNumber();
  const proxy = phoneNumber();
  const first = await newConversation();
  const p = await v1(client)
    .conversations(first.sid)
    .participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': proxy });
  await v1(client).conversations(first.sid).participants(p.sid).remove();
  const second = await newConversation();
  const again = await v1(client)
    .conversations(second.sid)
    .participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': proxy });
  assert.equal(again.messagingBinding.address, address);
});

test('participants on the service-scoped path', async () => {
  const conversation = await newConversation();
  const service = v1(client).services(DEV.serviceSid);
  const identity = uniqueName('svc');
  const created = await service.conversations(conversation.sid).participants.create({ identity });
  assert.match(created.sid, SID.participant);
  assertUrlPath(created.url, `/v1/Services/${DEV.serviceSid}/Conversations/${conversation.sid}/Participants/${created.sid}`);
  const listed = await v1(client).conversations(conversation.sid).participants.list();
  assert.deepEqual(
    listed.map((x) => x.sid),
    [created.sid],
  );
  assert.equal((await service.conversations(conversation.sid).participants(created.sid).fetch()).identity, identity);
});

test('ParticipantConversations lists the conversations of an identity and of an address', async () => {
  const identity = uniqueName('member');
  const address = phoneNumber();
  const a = await newConversation('pc-a');
  const b = await newConversation('pc-b');
  const other = await newConversation('pc-other');
  await v1(client).conversations(a.sid).participants.create({ identity });
  await v1(client).conversations(b.sid).participants.create({ identity });
  await v1(client).conversations(b.sid).participants.create({
    'messagingBinding.address': address,
    'messagingBinding.proxyAddress': phoneNumber(),
  });
  await v1(client).conversations(other.sid).participants.create({ identity: uniqueName('someone-else') });

  const byIdentity = await v1(client).participantConversations.list({ identity });
  assert.deepEqual(byIdentity.map((pc) => pc.conversationSid).sort(), [a.sid, b.sid].sort());
  for (const pc of byIdentity) {
    assert.equal(pc.participantIdentity, identity);
    assert.match(pc.participantSid, SID.participant);
    assert.equal(pc.chatServiceSid, DEV.serviceSid);
  }
  const byAddress = await v1(client).participantConversations.list({ address });
  assert.deepEqual(
    byAddress.map((pc) => pc.conversationSid),
    [b.sid],
  );
});

test('a participant of an unknown conversation is 404 (20404)', async () => {
  const missing = 'CH' + '0'.repeat(31) + '1';
  await assertRestError(
    v1(client).conversations(missing).participants.create({ identity: 'nobody' }),
    404,
    20404,
    'participant in unknown conversation',
  );
  const conversation = await newConversation();
  await assertRestError(
    v1(client).conversations(conversation.sid).participants('MB' + '0'.repeat(32)).fetch(),
    404,
    20404,
    'unknown participant',
  );
});
