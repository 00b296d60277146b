// Messages between two official SDK clients: real-time delivery to both sides, attributes,
// edits and removal (state.md §3.4, §7.2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  aliceAndBob,
  bounded,
  once,
  record,
  session,
  startEmulator,
  until,
} from './harness.mjs';

let emulator;
before(async () => {
  emulator = await startEmulator();
});
after(async () => {
  await emulator?.stop();
});

/** Two connected users sharing a conversation, both ready for events. */
async function pair(s) {
  const { alice, bob, aliceConv, bobConv } = await aliceAndBob(s);
  return { alice, bob, aliceConv, bobConv };
}

const inConversation = (sid) => (message) => message.conversation.sid === sid;

test('two clients see each other\'s messages in real time', async () => {
  const s = session(emulator);
  try {
    const { alice, bob, aliceConv, bobConv } = await pair(s);

    // alice → bob: both clients fire messageAdded (the sender's own copy comes from Sync too).
    const atAlice = once(alice, 'messageAdded', 10_000, inConversation(aliceConv.sid));
    const atBob = once(bob, 'messageAdded', 10_000, inConversation(aliceConv.sid));
    const index = await aliceConv.sendMessage('hello bob');
    const [mine, theirs] = await Promise.all([atAlice, atBob]);
    for (const message of [mine, theirs]) {
      assert.equal(message.author, alice.user.identity);
      assert.equal(message.body, 'hello bob');
      assert.equal(message.index, index);
      assert.equal(message.type, 'text');
      assert.match(message.sid, /^IM[0-9a-f]{32}$/);
    }
    assert.equal(mine.sid, theirs.sid);
    assert.ok(theirs.dateCreated instanceof Date && !Number.isNaN(theirs.dateCreated.getTime()));
    assert.match(theirs.participantSid, /^MB[0-9a-f]{32}$/);

    // bob → alice, on bob's own conversation object.
    const back = once(alice, 'messageAdded', 10_000, (m) => m.conversation.sid === aliceConv.sid && m.author === bob.user.identity);
    const backIndex = await bobConv.sendMessage('hi alice');
    const reply = await back;
    assert.equal(reply.body, 'hi alice');
    assert.equal(reply.index, backIndex);
    assert.ok(backIndex > index, `indices grow in send order (${index} then ${backIndex})`);

    // The conversation document tracks the last message for both members.
    for (const conversation of [aliceConv, bobConv]) {
      await until(conversation, 'updated', () => conversation.lastMessage?.index === backIndex, 10_000, 'lastMessage.index');
      assert.ok(conversation.lastMessage.dateCreated instanceof Date);
    }
  } finally {
    await s.close();
  }
});

test('message attributes round-trip as objects', async () => {
  const s = session(emulator);
  try {
    const { bob, aliceConv } = await pair(s);
    const attributes = { priority: 'high', count: 3, ok: true, nested: { list: [1, 'two', null] }, text: 'héllo ✓' };
    const atBob = once(bob, 'messageAdded', 10_000, inConversation(aliceConv.sid));
    await aliceConv.sendMessage('with attributes', attributes);
    const message = await atBob;
    assert.equal(message.body, 'with attributes');
    assert.deepEqual(message.attributes, attributes);

    // Without attributes the SDK reads an empty object, not null or a string.
    const plain = once(bob, 'messageAdded', 10_000, inConversation(aliceConv.sid));
    await aliceConv.sendMessage('plain');
    assert.deepEqual((await plain).attributes, {});
  } finally {
    await s.close();
  }
});

test('a body edit and an attributes edit reach the other side as messageUpdated', async () => {
  const s = session(emulator);
  try {
    const { alice, bob, aliceConv } = await pair(s);
    const atAlice = once(alice, 'messageAdded', 10_000, inConversation(aliceConv.sid));
    const atBob = once(bob, 'messageAdded', 10_000, inConversation(aliceConv.sid));
    await aliceConv.sendMessage('first draft', { v: 1 });
    const [mine, theirs] = await Promise.all([atAlice, atBob]);

    const bodyUpdate = once(bob, 'messageUpdated', 10_000, ({ message }) => message.sid === theirs.sid);
    await mine.updateBody('final text');
    const { message: edited, updateReasons } = await bodyUpdate;
    assert.ok(updateReasons.includes('body'), `reasons ${updateReasons}`);
    assert.equal(edited.body, 'final text');
    assert.equal(edited.index, theirs.index);
    assert.equal(edited.author, alice.user.identity, 'an edit does not change the author');
    assert.equal(edited.lastUpdatedBy, alice.user.identity);
    assert.deepEqual(edited.attributes, { v: 1 }, 'a body edit keeps the attributes');

    const attributesUpdate = once(bob, 'messageUpdated', 10_000, ({ message, updateReasons: reasons }) => message.sid === theirs.sid && reasons.includes('attributes'));
    await mine.updateAttributes({ v: 2, edited: true });
    const { message: retagged } = await attributesUpdate;
    assert.deepEqual(retagged.attributes, { v: 2, edited: true });
    assert.equal(retagged.body, 'final text', 'an attributes edit keeps the body');

    // A fresh client reads the edited message from the server, not from a cache.
    const bob2 = await s.client(bob.user.identity);
    const conv2 = await bounded(bob2.getConversationBySid(aliceConv.sid), 'getConversationBySid');
    const page = await bounded(conv2.getMessages(10), 'getMessages');
    const stored = page.items.find((m) => m.sid === theirs.sid);
    assert.ok(stored, 'the message is still there');
    assert.equal(stored.body, 'final text');
    assert.deepEqual(stored.attributes, { v: 2, edited: true });
  } finally {
    await s.close();
  }
});

test('a removed message fires messageRemoved on both sides and is gone', async () => {
  const s = session(emulator);
  try {
    const { alice, bob, aliceConv } = await pair(s);
    const added = record(bob, 'messageAdded', inConversation(aliceConv.sid));
    const atAlice = once(alice, 'messageAdded', 10_000, (m) => m.conversation.sid === aliceConv.sid && m.body === 'doomed');
    await aliceConv.sendMessage('keeper');
    await aliceConv.sendMessage('doomed');
    const doomed = await atAlice;
    await added.waitFor(2);
    added.stop();

    const removedAtBob = once(bob, 'messageRemoved', 10_000, (m) => m.conversation.sid === aliceConv.sid);
    const removedAtAlice = once(alice, 'messageRemoved', 10_000, (m) => m.conversation.sid === aliceConv.sid);
    await doomed.remove();
    const [gone, goneMine] = await Promise.all([removedAtBob, removedAtAlice]);
    assert.equal(gone.sid, doomed.sid);
    assert.equal(gone.index, doomed.index);
    assert.equal(goneMine.sid, doomed.sid);

    // A fresh client pages the list from the server: only the keeper is left.
    const bob2 = await s.client(bob.user.identity);
    const conv2 = await bounded(bob2.getConversationBySid(aliceConv.sid), 'getConversationBySid');
    const page = await bounded(conv2.getMessages(10), 'getMessages');
    assert.deepEqual(page.items.map((m) => m.body), ['keeper']);
  } finally {
    await s.close();
  }
});
