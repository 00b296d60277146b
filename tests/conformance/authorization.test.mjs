// Authorization: a user reads and subscribes only to its own data and the conversations it is in,
// and writes only as itself (state.md §2.9 step 1, §12.1 ACL). Refusals are Twilio-shaped errors.
// The SDK never asks for other users' objects, so most requests here are made over raw twilsock,
// exactly as the SDK would make them with the object names a participant sees.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  addParticipant,
  allPages,
  assertTwilioBody,
  bounded,
  once,
  rejectionOf,
  session,
  sleep,
  startConversation,
  startEmulator,
  uniqueName,
} from './harness.mjs';

const AIM = 'https://aim.us1.twilio.com';
const CDS = 'https://cds.us1.twilio.com';
const REFUSED = [403, 404];

let emulator;
let s;
/** Shared fixture: alice and bob in a conversation with one message; carol outside it. */
let fx;

before(async () => {
  emulator = await startEmulator();
  s = session(emulator);
  const alice = await s.client(uniqueName('alice'));
  const bob = await s.client(uniqueName('bob'));
  const carolIdentity = uniqueName('carol');
  const carol = await s.client(carolIdentity);
  const conversation = await startConversation(alice, { friendlyName: 'Private' });
  await addParticipant(conversation, bob);
  await conversation.sendMessage('for participants only');

  // What a participant sees: the conversation's Sync object names and URLs.
  const aliceRaw = await s.rawAs(alice.user.identity);
  const config = await aliceRaw.ok('GET', `${AIM}/Client/v2/Configuration`);
  const conversationUrl = `${config.links.conversations}/${conversation.sid}`;
  const rest = await aliceRaw.ok('GET', conversationUrl);
  const documentUrl = `${CDS}/v3/Documents/${rest.sync_objects.conversation}`;
  const listUrl = `${CDS}/v3/Lists/${rest.sync_objects.messages}`;
  const rosterUrl = `${CDS}/v3/Maps/${rest.sync_objects.participants}`;
  const document = await aliceRaw.ok('GET', documentUrl);
  const list = await aliceRaw.ok('GET', listUrl);
  const itemsUrl = `${list.links.items}?HideExpired=true&PageSize=30&Order=desc`;
  const items = await aliceRaw.ok('GET', itemsUrl);
  assert.equal(items.items.length, 1, 'the participant reads the message (fixture sanity)');

  const carolRaw = await s.rawAs(carolIdentity);
  fx = { alice, bob, carol, carolRaw, conversation, config, conversationUrl, documentUrl, listUrl, rosterUrl, itemsUrl, document, list };
});
after(async () => {
  await s?.close();
  await emulator?.stop();
});

/** A tunnelled request refused with 403 or 404 and a Twilio error body. */
async function assertRefused(raw, method, url, body) {
  const reply = await raw.request(method, url, body);
  assert.equal(reply.status?.code, 200, `the tunnel itself works for ${method} ${url}`);
  assert.ok(REFUSED.includes(reply.httpStatus), `${method} ${url} → HTTP ${reply.httpStatus} ${JSON.stringify(reply.body)}`);
  assertTwilioBody(reply.body, reply.httpStatus, `${method} ${url}`);
  return reply;
}

test('a user outside a conversation cannot get or peek it through the SDK', async () => {
  const { carol, conversation } = fx;
  await bounded(rejectionOf(carol.getConversationBySid(conversation.sid), 'getConversationBySid by a non-participant'), 'getConversationBySid');
  await bounded(rejectionOf(carol.peekConversationBySid(conversation.sid), 'peekConversationBySid by a non-participant'), 'peekConversationBySid');
  const listed = await bounded(carol.getSubscribedConversations().then(allPages), 'getSubscribedConversations');
  assert.ok(!listed.some((c) => c.sid === conversation.sid), 'not among carol\'s conversations');
});

test('a user outside a conversation cannot read it or its messages over the wire', async () => {
  const { carolRaw, conversationUrl, documentUrl, listUrl, rosterUrl, itemsUrl, list } = fx;
  await assertRefused(carolRaw, 'GET', conversationUrl);
  await assertRefused(carolRaw, 'GET', documentUrl);
  await assertRefused(carolRaw, 'GET', listUrl);
  await assertRefused(carolRaw, 'GET', rosterUrl);
  await assertRefused(carolRaw, 'GET', itemsUrl);
  // By sid as well as by unique name.
  await assertRefused(carolRaw, 'GET', `${CDS}/v3/Lists/${list.sid}`);
  await assertRefused(carolRaw, 'GET', `${list.links.items}?HideExpired=true&Index=0`);
});

test('a user outside a conversation cannot subscribe to it, and is sent none of its events', async () => {
  const { alice, carolRaw, conversation, document, list } = fx;
  const correlationId = Date.now();
  const reply = await carolRaw.request('POST', `${CDS}/v4/Subscriptions`, {
    event_protocol_version: 4,
    action: 'establish',
    correlation_id: correlationId,
    retried_requests: 0,
    ttl_in_s: -1,
    requests: [
      { object_sid: list.sid, object_type: 'list', last_event_id: -1 },
      { object_sid: document.sid, object_type: 'document', last_event_id: -1 },
    ],
  });
  assert.equal(reply.status?.code, 200);
  if (reply.httpStatus >= 200 && reply.httpStatus < 300) {
    // Accepted as a request: each object must then fail (state.md §2.9 step 1).
    const failed = new Set();
    await carolRaw.waitForFrame((f) => {
      if (f.header.message_type !== 'twilio.sync.event' || f.payload?.event_type !== 'subscription_failed') return false;
      if (f.payload.correlation_id !== correlationId) return false;
      for (const event of f.payload.events ?? [f.payload.event]) {
        if (REFUSED.includes(event?.error?.status)) failed.add(event.object_sid);
      }
      return failed.has(list.sid) && failed.has(document.sid);
    }, 10_000, 'subscription_failed (403/404) for the list and the document');
  } else {
    assert.ok(REFUSED.includes(reply.httpStatus), `subscription refused with HTTP ${reply.httpStatus}`);
    assertTwilioBody(reply.body, reply.httpStatus, 'subscription refusal');
  }

  const delivered = once(alice, 'messageAdded', 10_000, (m) => m.body === 'not for carol');
  await conversation.sendMessage('not for carol');
  await delivered;
  await sleep(1_500);
  const leaked = carolRaw.notifications().filter((f) => {
    const p = f.payload ?? {};
    const events = p.events ?? (p.event ? [p.event] : []);
    return events.some((e) => e.list_sid === list.sid || e.document_sid === document.sid) ||
      (p.event_type === 'subscription_established' && events.some((e) => e.object_sid === list.sid || e.object_sid === document.sid));
  });
  assert.deepEqual(leaked.map((f) => f.payload), [], 'carol received events of a conversation she is not in');
});

test('a user outside a conversation cannot send into it or remove its participants', async () => {
  const { bob, carolRaw, conversation, conversationUrl } = fx;
  await assertRefused(carolRaw, 'POST', `${conversationUrl}/Messages`, JSON.stringify({ body: 'intruder', attributes: '{}' }));
  await assertRefused(carolRaw, 'DELETE', `${conversationUrl}/Participants/${encodeURIComponent(bob.user.identity)}`, '{}');

  const participants = await bounded(conversation.getParticipants(), 'getParticipants');
  assert.ok(participants.some((p) => p.identity === bob.user.identity), 'bob is still a participant');
  const bobs = await bounded(bob.getSubscribedConversations().then(allPages), 'getSubscribedConversations');
  assert.ok(bobs.some((c) => c.sid === conversation.sid && c.status === 'joined'), 'bob is still joined');
  // Nothing was stored: the participant view of the list has no intruder message.
  const page = await bounded(conversation.getMessages(50), 'getMessages');
  assert.ok(!page.items.some((m) => m.body === 'intruder'), 'the refused message was stored');
});

test('a user cannot change another user\'s profile', async () => {
  const { alice, carolRaw, config } = fx;
  const target = `${config.links.users}/${encodeURIComponent(alice.user.identity)}`;
  const original = alice.user.friendlyName;
  const changed = [];
  const listener = (event) => {
    if (event.user.identity === alice.user.identity) changed.push(event.updateReasons);
  };
  alice.on('userUpdated', listener);
  try {
    await assertRefused(carolRaw, 'POST', target, JSON.stringify({ friendly_name: 'pwned by carol' }));
    await assertRefused(carolRaw, 'POST', target, JSON.stringify({ attributes: '{"pwned":true}' }));
    await sleep(1_000);
    assert.deepEqual(changed, [], 'alice\'s profile changed');
    assert.equal(alice.user.friendlyName, original);
    assert.deepEqual(alice.user.attributes, {});
  } finally {
    alice.removeListener('userUpdated', listener);
  }
});

test('a user can change its own profile, and the change is pushed to its client', async () => {
  // The positive counterpart of the refusal above, through the SDK.
  const { bob } = fx;
  const updated = once(bob, 'userUpdated', 10_000, ({ user, updateReasons }) => user.identity === bob.user.identity && updateReasons.includes('friendlyName'));
  await bob.user.updateFriendlyName('Bob B.');
  await updated;
  assert.equal(bob.user.friendlyName, 'Bob B.');
});
