// Post-event webhooks (account-level target, /v1/Configuration/Webhooks): configured with the
// official helper library, delivered form-encoded with Twilio's field names, signed with
// X-Twilio-Signature as Twilio signs (checked by Python's hmac and by twilio.validateRequest).
// REST writes fire only with X-Twilio-Webhook-Enabled: true; SDK actions always fire (Source=SDK).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { DEV, once, ready, session, startEmulator, uniqueName, withTimeout } from './harness.mjs';
import {
  ALL_POST_EVENTS,
  AUTH_TOKEN,
  SID,
  WEBHOOKS_ON,
  assertSignedByTwilio,
  assertUrlPath,
  idle,
  phoneNumber,
  restClient,
  setGlobalWebhook,
  startWebhookReceiver,
  twilio,
  v1,
} from './rest-harness.mjs';

let emulator;
let client;
before(async () => {
  // The testing hooks: the timer test makes a conversation idle with the clock hook.
  emulator = await startEmulator({ testing: true });
  client = restClient(emulator);
});
after(async () => {
  await emulator?.stop();
});

/** A receiver wired as the global post-event webhook for `filters`; closed by the caller. */
async function hooked(filters = ALL_POST_EVENTS) {
  const receiver = await startWebhookReceiver();
  await setGlobalWebhook(client, receiver.url, filters);
  return receiver;
}

/** What every post-event webhook carries, plus Twilio's signature. */
async function assertCommon(request, receiver, { eventType, source, conversationSid }) {
  assert.equal(request.method, 'POST', `${eventType}: POST`);
  assert.match(
    request.headers['content-type'] ?? '',
    /^application\/x-www-form-urlencoded/,
    `${eventType}: form-encoded body`,
  );
  assert.equal(request.path, new URL(receiver.url).pathname + new URL(receiver.url).search, 'delivered to the configured URL, query intact');
  const p = request.params;
  assert.equal(p.EventType, eventType);
  assert.equal(p.AccountSid, DEV.accountSid, `${eventType}: AccountSid`);
  assert.equal(p.ChatServiceSid, DEV.serviceSid, `${eventType}: ChatServiceSid`);
  if (conversationSid) assert.equal(p.ConversationSid, conversationSid, `${eventType}: ConversationSid`);
  assert.equal(p.Source, source, `${eventType}: Source`);
  for (const [name, value] of request.pairs) {
    assert.ok(!Array.isArray(p[name]), `${eventType}: parameter ${name} appears once (value ${value})`);
  }
  await assertSignedByTwilio(request, receiver.url);
}

const isDate = (value, what) => assert.ok(Number.isFinite(Date.parse(value)), `${what} is an ISO 8601 date (got ${value})`);

test('configure the global webhook target; fetch reads it back', async () => {
  const url = `http://127.0.0.1:9/${uniqueName('hook')}?x=1`;
  const filters = ['onMessageAdded', 'onConversationAdded'];
  const updated = await setGlobalWebhook(client, url, filters);
  assert.equal(updated.accountSid, DEV.accountSid);
  assert.equal(updated.method, 'POST');
  assert.deepEqual(updated.filters, filters);
  assert.equal(updated.postWebhookUrl, url);
  assert.equal(updated.target, 'webhook');
  assertUrlPath(updated.url, '/v1/Configuration/Webhooks');

  const fetched = await v1(client).configuration.webhooks().fetch();
  assert.equal(fetched.postWebhookUrl, url);
  assert.equal(fetched.method, 'POST');
  assert.deepEqual(fetched.filters, filters);
  assert.equal(fetched.target, 'webhook');

  // A partial update keeps what it does not name.
  const partial = await v1(client).configuration.webhooks().update({ filters: ['onParticipantAdded'] });
  assert.equal(partial.postWebhookUrl, url);
  assert.deepEqual(partial.filters, ['onParticipantAdded']);
});

test('a REST write fires no webhook without X-Twilio-Webhook-Enabled, and fires with it', async () => {
  const receiver = await hooked();
  try {
    const conversation = await v1(client).conversations.create({ friendlyName: 'quiet' });
    const identity = uniqueName('agent');
    const participant = await v1(client).conversations(conversation.sid).participants.create({ identity });
    const silent = await v1(client).conversations(conversation.sid).messages.create({ author: identity, body: 'no webhook' });
    const attributes = JSON.stringify({ tag: 'loud' });
    const loud = await v1(client)
      .conversations(conversation.sid)
      .messages.create({ author: identity, body: 'webhook please', attributes, ...WEBHOOKS_ON });

    const hook = await receiver.waitForEvent('onMessageAdded', (r) => r.params.MessageSid === loud.sid);
    await assertCommon(hook, receiver, { eventType: 'onMessageAdded', source: 'API', conversationSid: conversation.sid });
    const p = hook.params;
    assert.equal(p.MessageSid, loud.sid);
    assert.match(p.MessageSid, SID.message);
    assert.equal(p.Index, '1');
    assert.equal(p.Author, identity);
    assert.equal(p.Body, 'webhook please');
    assert.deepEqual(JSON.parse(p.Attributes), { tag: 'loud' });
    assert.equal(p.ParticipantSid, participant.sid);
    isDate(p.DateCreated, 'DateCreated');
    assert.ok(!p.ClientIdentity, `no ClientIdentity for a REST write (got ${p.ClientIdentity})`);

    // Give any stray delivery time to land, then: nothing for the writes without the header.
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(
      receiver.requests.filter((r) => r.params.MessageSid === silent.sid).map((r) => r.params.EventType),
      [],
      'no webhook for the message sent without the header',
    );
    assert.deepEqual(
      receiver.requests.filter((r) => r.params.EventType === 'onConversationAdded' || r.params.EventType === 'onParticipantAdded').map((r) => r.params.EventType),
      [],
      'no webhook for the conversation and participant created without the header',
    );
    assert.equal(receiver.requests.length, 1, `exactly one delivery: ${receiver.requests.map((r) => r.params.EventType)}`);
  } finally {
    await receiver.close();
  }
});

test('X-Twilio-Webhook-Enabled: false fires nothing', async () => {
  const receiver = await hooked();
  try {
    const conversation = await v1(client).conversations.create({ friendlyName: 'explicitly quiet', xTwilioWebhookEnabled: 'false' });
    await v1(client).conversations(conversation.sid).messages.create({ body: 'shh', xTwilioWebhookEnabled: 'false' });
    const marker = await v1(client).conversations(conversation.sid).messages.create({ body: 'marker', ...WEBHOOKS_ON });
    await receiver.waitForEvent('onMessageAdded', (r) => r.params.MessageSid === marker.sid);
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(
      receiver.requests.map((r) => r.params.Body ?? r.params.EventType),
      ['marker'],
    );
  } finally {
    await receiver.close();
  }
});

// --- Every post-event webhook for REST writes with the header, one test per event -------------

/** A receiver for every event, plus a conversation created with the header. */
async function hookedConversation(extra = {}) {
  const receiver = await hooked();
  const unique = uniqueName('hooked');
  const conversation = await v1(client).conversations.create({
    friendlyName: 'Hooked',
    uniqueName: unique,
    attributes: '{"origin":"rest"}',
    ...extra,
    ...WEBHOOKS_ON,
  });
  return { receiver, conversation, unique, sid: conversation.sid, conversations: v1(client).conversations };
}

test('onConversationAdded (REST, header on)', async () => {
  const { receiver, sid, unique } = await hookedConversation();
  try {
    const hook = await receiver.waitForEvent('onConversationAdded', (r) => r.params.ConversationSid === sid);
    await assertCommon(hook, receiver, { eventType: 'onConversationAdded', source: 'API', conversationSid: sid });
    assert.equal(hook.params.FriendlyName, 'Hooked');
    assert.equal(hook.params.UniqueName, unique);
    assert.deepEqual(JSON.parse(hook.params.Attributes), { origin: 'rest' });
    assert.equal(hook.params.State, 'active');
    isDate(hook.params.DateCreated, 'DateCreated');
  } finally {
    await receiver.close();
  }
});

test('onConversationUpdated (REST, header on)', async () => {
  const { receiver, sid, conversations } = await hookedConversation();
  try {
    await conversations(sid).update({ friendlyName: 'Hooked (renamed)', attributes: '{"v":2}', ...WEBHOOKS_ON });
    const hook = await receiver.waitForEvent(
      'onConversationUpdated',
      (r) => r.params.ConversationSid === sid && r.params.FriendlyName === 'Hooked (renamed)',
    );
    await assertCommon(hook, receiver, { eventType: 'onConversationUpdated', source: 'API', conversationSid: sid });
    assert.deepEqual(JSON.parse(hook.params.Attributes), { v: 2 });
    assert.equal(hook.params.State, 'active');
    isDate(hook.params.DateCreated, 'DateCreated');
    isDate(hook.params.DateUpdated, 'DateUpdated');
  } finally {
    await receiver.close();
  }
});

test('onConversationStateUpdated (REST, header on): StateFrom, StateTo, Reason=API', async () => {
  const { receiver, sid, conversations } = await hookedConversation();
  try {
    await conversations(sid).update({ state: 'inactive', ...WEBHOOKS_ON });
    const hook = await receiver.waitForEvent('onConversationStateUpdated', (r) => r.params.ConversationSid === sid);
    await assertCommon(hook, receiver, { eventType: 'onConversationStateUpdated', source: 'API', conversationSid: sid });
    assert.equal(hook.params.StateFrom, 'active');
    assert.equal(hook.params.StateTo, 'inactive');
    assert.equal(hook.params.Reason, 'API');
  } finally {
    await receiver.close();
  }
});

test('onConversationRemoved (REST, header on)', async () => {
  const { receiver, sid, conversations } = await hookedConversation();
  try {
    await conversations(sid).remove(WEBHOOKS_ON);
    const hook = await receiver.waitForEvent('onConversationRemoved', (r) => r.params.ConversationSid === sid);
    await assertCommon(hook, receiver, { eventType: 'onConversationRemoved', source: 'API', conversationSid: sid });
    assert.equal(hook.params.FriendlyName, 'Hooked');
    isDate(hook.params.DateCreated, 'DateCreated');
  } finally {
    await receiver.close();
  }
});

test('onParticipantAdded (REST, header on): chat and SMS participants', async () => {
  const { receiver, sid, conversations } = await hookedConversation();
  try {
    const identity = uniqueName('member');
    const participant = await conversations(sid).participants.create({ identity, attributes: '{"seat":1}', ...WEBHOOKS_ON });
    const chat = await receiver.waitForEvent('onParticipantAdded', (r) => r.params.ParticipantSid === participant.sid);
    await assertCommon(chat, receiver, { eventType: 'onParticipantAdded', source: 'API', conversationSid: sid });
    assert.equal(chat.params.Identity, identity);
    assert.deepEqual(JSON.parse(chat.params.Attributes), { seat: 1 });
    isDate(chat.params.DateCreated, 'DateCreated');

    const address = phoneNumber();
    const proxy = phoneNumber();
    const sms = await conversations(sid).participants.create({
      'messagingBinding.address': address,
      'messagingBinding.proxyAddress': proxy,
      ...WEBHOOKS_ON,
    });
    const smsHook = await receiver.waitForEvent('onParticipantAdded', (r) => r.params.ParticipantSid === sms.sid);
    await assertCommon(smsHook, receiver, { eventType: 'onParticipantAdded', source: 'API', conversationSid: sid });
    assert.equal(smsHook.params['MessagingBinding.Address'], address);
    assert.equal(smsHook.params['MessagingBinding.ProxyAddress'], proxy);
  } finally {
    await receiver.close();
  }
});

test('onParticipantUpdated (REST, header on)', async () => {
  const { receiver, sid, conversations } = await hookedConversation();
  try {
    const identity = uniqueName('member');
    const participant = await conversations(sid).participants.create({ identity });
    await conversations(sid).participants(participant.sid).update({ attributes: '{"seat":2}', ...WEBHOOKS_ON });
    const hook = await receiver.waitForEvent('onParticipantUpdated', (r) => r.params.ParticipantSid === participant.sid);
    await assertCommon(hook, receiver, { eventType: 'onParticipantUpdated', source: 'API', conversationSid: sid });
    assert.equal(hook.params.Identity, identity);
    assert.deepEqual(JSON.parse(hook.params.Attributes), { seat: 2 });
  } finally {
    await receiver.close();
  }
});

test('onParticipantRemoved (REST, header on)', async () => {
  const { receiver, sid, conversations } = await hookedConversation();
  try {
    const identity = uniqueName('member');
    const participant = await conversations(sid).participants.create({ identity });
    await conversations(sid).participants(participant.sid).remove(WEBHOOKS_ON);
    const hook = await receiver.waitForEvent('onParticipantRemoved', (r) => r.params.ParticipantSid === participant.sid);
    await assertCommon(hook, receiver, { eventType: 'onParticipantRemoved', source: 'API', conversationSid: sid });
    assert.equal(hook.params.Identity, identity);
  } finally {
    await receiver.close();
  }
});

test('onMessageAdded / onMessageUpdated / onMessageRemoved (REST, header on)', async () => {
  const { receiver, sid, conversations } = await hookedConversation();
  try {
    const identity = uniqueName('member');
    const participant = await conversations(sid).participants.create({ identity });
    const message = await conversations(sid).messages.create({ author: identity, body: 'first', attributes: '{"n":1}', ...WEBHOOKS_ON });
    const added = await receiver.waitForEvent('onMessageAdded', (r) => r.params.MessageSid === message.sid);
    await assertCommon(added, receiver, { eventType: 'onMessageAdded', source: 'API', conversationSid: sid });
    assert.equal(added.params.Index, '0');
    assert.equal(added.params.Body, 'first');
    assert.equal(added.params.Author, identity);
    assert.equal(added.params.ParticipantSid, participant.sid);
    assert.deepEqual(JSON.parse(added.params.Attributes), { n: 1 });

    await conversations(sid).messages(message.sid).update({ body: 'first (edited)', ...WEBHOOKS_ON });
    const updated = await receiver.waitForEvent('onMessageUpdated', (r) => r.params.MessageSid === message.sid);
    await assertCommon(updated, receiver, { eventType: 'onMessageUpdated', source: 'API', conversationSid: sid });
    assert.equal(updated.params.Body, 'first (edited)');
    assert.equal(updated.params.Index, '0');
    assert.equal(updated.params.Author, identity);
    isDate(updated.params.DateUpdated, 'onMessageUpdated DateUpdated');

    await conversations(sid).messages(message.sid).remove(WEBHOOKS_ON);
    const removed = await receiver.waitForEvent('onMessageRemoved', (r) => r.params.MessageSid === message.sid);
    await assertCommon(removed, receiver, { eventType: 'onMessageRemoved', source: 'API', conversationSid: sid });
    assert.equal(removed.params.Index, '0');
    assert.equal(removed.params.Body, 'first (edited)', 'the removed message as it was');
    assert.equal(removed.params.Author, identity);
  } finally {
    await receiver.close();
  }
});

test('filters: only the configured events are delivered', async () => {
  const receiver = await hooked(['onMessageAdded']);
  try {
    const conversation = await v1(client).conversations.create({ friendlyName: 'filtered', ...WEBHOOKS_ON });
    const participant = await v1(client).conversations(conversation.sid).participants.create({ identity: uniqueName('f'), ...WEBHOOKS_ON });
    const message = await v1(client).conversations(conversation.sid).messages.create({ body: 'only me', ...WEBHOOKS_ON });
    await v1(client).conversations(conversation.sid).messages(message.sid).update({ body: 'edited', ...WEBHOOKS_ON });
    await v1(client).conversations(conversation.sid).participants(participant.sid).remove(WEBHOOKS_ON);
    const hook = await receiver.waitForEvent('onMessageAdded', (r) => r.params.MessageSid === message.sid);
    await assertSignedByTwilio(hook, receiver.url);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.deepEqual(
      receiver.requests.map((r) => r.params.EventType),
      ['onMessageAdded'],
      'onConversationAdded, onParticipantAdded, onMessageUpdated, onParticipantRemoved are filtered out',
    );
  } finally {
    await receiver.close();
  }
});

test('SDK actions fire webhooks with Source=SDK and ClientIdentity, signed', async () => {
  const receiver = await hooked();
  const s = session(emulator);
  try {
    const identity = uniqueName('sdk-user');
    const alice = await s.client(identity);

    // onConversationAdded from the SDK
    const conv = await alice.createConversation({ friendlyName: 'made in the SDK', uniqueName: uniqueName('sdk') });
    const cAdded = await receiver.waitForEvent('onConversationAdded', (r) => r.params.ConversationSid === conv.sid);
    await assertCommon(cAdded, receiver, { eventType: 'onConversationAdded', source: 'SDK', conversationSid: conv.sid });
    assert.equal(cAdded.params.ClientIdentity, identity);
    assert.equal(cAdded.params.FriendlyName, 'made in the SDK');

    // onParticipantAdded when the SDK user joins
    const joined = once(alice, 'conversationJoined', 10_000, (c) => c.sid === conv.sid);
    await conv.join();
    await joined;
    await ready(conv);
    const pAdded = await receiver.waitForEvent('onParticipantAdded', (r) => r.params.ConversationSid === conv.sid);
    await assertCommon(pAdded, receiver, { eventType: 'onParticipantAdded', source: 'SDK', conversationSid: conv.sid });
    assert.equal(pAdded.params.ClientIdentity, identity);
    assert.equal(pAdded.params.Identity, identity);
    assert.match(pAdded.params.ParticipantSid, SID.participant);

    // onMessageAdded from sendMessage
    const index = await conv.sendMessage('sent from the SDK', { kind: 'sdk' });
    const mAdded = await receiver.waitForEvent('onMessageAdded', (r) => r.params.ConversationSid === conv.sid);
    await assertCommon(mAdded, receiver, { eventType: 'onMessageAdded', source: 'SDK', conversationSid: conv.sid });
    assert.equal(mAdded.params.ClientIdentity, identity);
    assert.equal(mAdded.params.Author, identity);
    assert.equal(mAdded.params.Body, 'sent from the SDK');
    assert.equal(mAdded.params.Index, String(index));
    assert.deepEqual(JSON.parse(mAdded.params.Attributes), { kind: 'sdk' });
    assert.equal(mAdded.params.ParticipantSid, pAdded.params.ParticipantSid);
    assert.match(mAdded.params.MessageSid, SID.message);

    // onMessageUpdated / onMessageRemoved from the SDK
    const page = await withTimeout(conv.getMessages(1), 10_000, 'getMessages');
    const [mine] = page.items;
    assert.equal(mine.sid, mAdded.params.MessageSid);
    await mine.updateBody('edited in the SDK');
    const mUpdated = await receiver.waitForEvent('onMessageUpdated', (r) => r.params.MessageSid === mine.sid);
    await assertCommon(mUpdated, receiver, { eventType: 'onMessageUpdated', source: 'SDK', conversationSid: conv.sid });
    assert.equal(mUpdated.params.ClientIdentity, identity);
    assert.equal(mUpdated.params.Body, 'edited in the SDK');

    await mine.remove();
    const mRemoved = await receiver.waitForEvent('onMessageRemoved', (r) => r.params.MessageSid === mine.sid);
    await assertCommon(mRemoved, receiver, { eventType: 'onMessageRemoved', source: 'SDK', conversationSid: conv.sid });
    assert.equal(mRemoved.params.ClientIdentity, identity);

    // onConversationUpdated from the SDK
    await conv.updateFriendlyName('renamed in the SDK');
    const cUpdated = await receiver.waitForEvent(
      'onConversationUpdated',
      (r) => r.params.ConversationSid === conv.sid && r.params.FriendlyName === 'renamed in the SDK',
    );
    await assertCommon(cUpdated, receiver, { eventType: 'onConversationUpdated', source: 'SDK', conversationSid: conv.sid });
    assert.equal(cUpdated.params.ClientIdentity, identity);
  } finally {
    await s.close();
    await receiver.close();
  }
});

test('a timer state change fires onConversationStateUpdated (Reason TIMER)', async () => {
  const receiver = await hooked(['onConversationStateUpdated']);
  try {
    // Twilio's minimum inactive timer; the clock hook makes the minute pass at once.
    const conversation = await v1(client).conversations.create({ friendlyName: 'timer hook', state: 'active', 'timers.inactive': 'PT1M' });
    await idle(emulator, conversation.sid, 60);
    const hook = await receiver.waitForEvent(
      'onConversationStateUpdated',
      (r) => r.params.ConversationSid === conversation.sid,
      15_000,
    );
    assert.equal(hook.params.StateFrom, 'active');
    assert.equal(hook.params.StateTo, 'inactive');
    assert.equal(hook.params.Reason, 'TIMER');
    assert.equal(hook.params.AccountSid, DEV.accountSid);
    assert.equal(hook.params.ChatServiceSid, DEV.serviceSid);
    await assertSignedByTwilio(hook, receiver.url);
  } finally {
    await receiver.close();
  }
});

test('the signature covers the URL exactly as configured, and the auth token', async () => {
  const receiver = await hooked(['onMessageAdded']);
  try {
    const conversation = await v1(client).conversations.create();
    // Characters that must reach the signature unaltered: spaces, +, &, =, non-ASCII.
    const body = 'a+b & c=d ünïcödé 👋';
    const message = await v1(client).conversations(conversation.sid).messages.create({ author: 'x y', body, ...WEBHOOKS_ON });
    const hook = await receiver.waitForEvent('onMessageAdded', (r) => r.params.MessageSid === message.sid);
    assert.equal(hook.params.Body, body);
    assert.equal(hook.params.Author, 'x y');
    await assertSignedByTwilio(hook, receiver.url);
    // Without the query string the signature does not match: the URL is signed whole.
    const bare = receiver.url.split('?')[0];
    assert.equal(
      twilioValidate(hook, bare),
      false,
      'the signature is over the full URL including its query string',
    );
  } finally {
    await receiver.close();
  }
});

function twilioValidate(hook, url) {
  return twilio.validateRequest(AUTH_TOKEN, hook.headers['x-twilio-signature'], url, hook.params);
}
