// Conversations and their participants (state.md §3.1, §3.5, §7.2, §7.5): create, join, add,
// leave and remove as both sides see them, and how a client finds its conversations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  addParticipant,
  aliceAndBob,
  allPages,
  bounded,
  once,
  ready,
  record,
  session,
  startConversation,
  startEmulator,
  uniqueName,
  until,
} from './harness.mjs';

let emulator;
before(async () => {
  emulator = await startEmulator();
});
after(async () => {
  await emulator?.stop();
});

const sids = (conversations) => conversations.map((c) => c.sid).sort();

test('getSubscribedConversations and getConversationBySid list exactly the joined conversations', async () => {
  const s = session(emulator);
  try {
    const alice = await s.client(uniqueName('alice'));
    const bob = await s.client(uniqueName('bob'));
    const shared = await startConversation(alice, { friendlyName: 'Shared room', attributes: { topic: 'x' } });
    const own = await startConversation(alice, { friendlyName: 'Alice only' });
    await addParticipant(shared, bob);

    const aliceList = await bounded(alice.getSubscribedConversations().then(allPages), 'getSubscribedConversations');
    assert.deepEqual(sids(aliceList.filter((c) => c.status === 'joined')), sids([shared, own]));
    const bobList = await bounded(bob.getSubscribedConversations().then(allPages), 'getSubscribedConversations');
    assert.deepEqual(sids(bobList.filter((c) => c.status === 'joined')), [shared.sid]);
    assert.ok(!bobList.some((c) => c.sid === own.sid), 'bob does not see a conversation he is not in');

    const found = await bounded(bob.getConversationBySid(shared.sid), 'getConversationBySid');
    assert.equal(found.sid, shared.sid);
    assert.equal(found.friendlyName, 'Shared room');
    assert.equal(found.uniqueName, shared.uniqueName);
    assert.deepEqual(found.attributes, { topic: 'x' });
    assert.equal(found.createdBy, alice.user.identity);
    assert.equal(found.status, 'joined');

    // A client that starts after the fact learns the same from the server at init.
    const alice2 = await s.client(alice.user.identity);
    const fresh = await bounded(alice2.getSubscribedConversations().then(allPages), 'getSubscribedConversations');
    assert.deepEqual(sids(fresh.filter((c) => c.status === 'joined')), sids([shared, own]));
    const own2 = await bounded(alice2.getConversationBySid(own.sid), 'getConversationBySid');
    assert.equal(own2.friendlyName, 'Alice only');
    assert.equal(own2.status, 'joined');
  } finally {
    await s.close();
  }
});

test('getConversationByUniqueName finds a joined conversation', async () => {
  const s = session(emulator);
  try {
    const alice = await s.client(uniqueName('alice'));
    const name = uniqueName('unique');
    const created = await startConversation(alice, { uniqueName: name, friendlyName: 'By name' });
    const alice2 = await s.client(alice.user.identity);
    const found = await bounded(alice2.getConversationByUniqueName(name), 'getConversationByUniqueName');
    assert.equal(found.sid, created.sid);
    assert.equal(found.friendlyName, 'By name');
  } finally {
    await s.close();
  }
});

test('create, join, add and leave are seen by both sides', async () => {
  const s = session(emulator);
  try {
    const alice = await s.client(uniqueName('alice'));
    const bob = await s.client(uniqueName('bob'));

    // Created: known to alice, not joined yet (the creator joins explicitly).
    const added = once(alice, 'conversationAdded', 10_000);
    const conversation = await alice.createConversation({ friendlyName: 'Lifecycle', uniqueName: uniqueName('life') });
    assert.match(conversation.sid, /^CH[0-9a-f]{32}$/);
    assert.equal((await added).sid, conversation.sid);
    assert.notEqual(conversation.status, 'joined');

    const aliceJoined = once(alice, 'conversationJoined', 10_000, (c) => c.sid === conversation.sid);
    await conversation.join();
    await aliceJoined;
    assert.equal(conversation.status, 'joined');
    await ready(conversation);
    const participants = await bounded(conversation.getParticipants(), 'getParticipants');
    assert.deepEqual(participants.map((p) => p.identity), [alice.user.identity]);

    // Added: bob's client learns of it and joins; alice sees a participant join.
    const participantJoined = once(conversation, 'participantJoined', 10_000);
    const bobJoined = once(bob, 'conversationJoined', 10_000, (c) => c.sid === conversation.sid);
    const response = await conversation.add(bob.user.identity, { role: 'guest' });
    assert.equal(response.identity, bob.user.identity);
    assert.match(response.sid, /^MB[0-9a-f]{32}$/);
    assert.equal(response.conversation_sid, conversation.sid);
    const joinedParticipant = await participantJoined;
    assert.equal(joinedParticipant.identity, bob.user.identity);
    assert.equal(joinedParticipant.sid, response.sid);
    assert.deepEqual(joinedParticipant.attributes, { role: 'guest' });
    assert.equal(joinedParticipant.type, 'chat');
    const bobConv = await bobJoined;
    assert.equal(bobConv.status, 'joined');
    assert.equal(bobConv.friendlyName, 'Lifecycle');
    await ready(bobConv);
    const seenByBob = await bounded(bobConv.getParticipants(), 'getParticipants');
    assert.deepEqual(seenByBob.map((p) => p.identity).sort(), [alice.user.identity, bob.user.identity].sort());

    // Left: alice sees the participant go; bob's client leaves the conversation.
    const participantLeft = once(conversation, 'participantLeft', 10_000);
    const bobLeft = once(bob, 'conversationLeft', 10_000, (c) => c.sid === conversation.sid);
    await bobConv.leave();
    assert.equal((await participantLeft).identity, bob.user.identity);
    await bobLeft;
    assert.notEqual(bobConv.status, 'joined');
    const remaining = await bounded(conversation.getParticipants(), 'getParticipants');
    assert.deepEqual(remaining.map((p) => p.identity), [alice.user.identity]);
    const bobList = await bounded(bob.getSubscribedConversations().then(allPages), 'getSubscribedConversations');
    assert.ok(!bobList.some((c) => c.sid === conversation.sid && c.status === 'joined'), 'bob no longer lists it as joined');
  } finally {
    await s.close();
  }
});

test('a participant removed by another is told so, and stops receiving messages', async () => {
  const s = session(emulator);
  try {
    const { alice, bob, aliceConv: conversation } = await aliceAndBob(s);

    const left = once(conversation, 'participantLeft', 10_000);
    const bobLeft = once(bob, 'conversationLeft', 10_000, (c) => c.sid === conversation.sid);
    await conversation.removeParticipant(bob.user.identity);
    assert.equal((await left).identity, bob.user.identity);
    await bobLeft;

    const leaked = record(bob, 'messageAdded', (m) => m.conversation.sid === conversation.sid);
    const mine = once(alice, 'messageAdded', 10_000, (m) => m.conversation.sid === conversation.sid);
    await conversation.sendMessage('after bob left');
    await mine;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(leaked.events.length, 0, 'a removed participant still received a message');
    leaked.stop();
  } finally {
    await s.close();
  }
});

test('friendly name and attribute changes reach the other member', async () => {
  const s = session(emulator);
  try {
    const { bob, aliceConv: conversation, bobConv } = await aliceAndBob(s, { friendlyName: 'Before', attributes: { v: 1 } });
    assert.deepEqual(bobConv.attributes, { v: 1 });

    await conversation.updateFriendlyName('After');
    await until(bobConv, 'updated', () => bobConv.friendlyName === 'After', 10_000, 'bob sees the new friendly name');
    await conversation.updateAttributes({ v: 2, tags: ['a'] });
    await until(bobConv, 'updated', () => bobConv.attributes?.v === 2, 10_000, 'bob sees the new attributes');
    assert.deepEqual(bobConv.attributes, { v: 2, tags: ['a'] });
    assert.equal(bobConv.friendlyName, 'After', 'an attributes update keeps the friendly name');
  } finally {
    await s.close();
  }
});

test('participant attributes updates reach the other member', async () => {
  const s = session(emulator);
  try {
    const { alice, bob, aliceConv: conversation } = await aliceAndBob(s);
    const [me] = (await bounded(conversation.getParticipants(), 'getParticipants')).filter((p) => p.identity === alice.user.identity);
    const updated = once(bob, 'participantUpdated', 10_000, ({ participant, updateReasons }) => participant.identity === alice.user.identity && updateReasons.includes('attributes'));
    await me.updateAttributes({ status: 'away' });
    const { participant } = await updated;
    assert.deepEqual(participant.attributes, { status: 'away' });
  } finally {
    await s.close();
  }
});
