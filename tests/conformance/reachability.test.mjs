// Reachability (state.md §3.2, §12.2 E7): with reachability enabled the service keeps each user's
// `reachability` item current, so other users see online → offline → online.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  addParticipant,
  bounded,
  once,
  session,
  startConversation,
  startEmulator,
  uniqueName,
} from './harness.mjs';

let emulator;
before(async () => {
  emulator = await startEmulator();
});
after(async () => {
  await emulator?.stop();
});

const reachabilityOf = (identity, online) => ({ user, updateReasons }) =>
  user.identity === identity && updateReasons.includes('reachabilityOnline') && user.isOnline === online;

test('a user goes offline when its only client disconnects, and online again when it returns', async () => {
  const s = session(emulator);
  try {
    const alice = await s.client(uniqueName('alice'));
    assert.equal(alice.reachabilityEnabled, true, 'the service has reachability enabled');
    assert.equal(alice.user.isOnline, true, 'a connected user is online to itself');

    const bobIdentity = uniqueName('bob');
    const bob = await s.client(bobIdentity);
    const conversation = await startConversation(alice);
    await addParticipant(conversation, bob);
    const participant = (await bounded(conversation.getParticipants(), 'getParticipants')).find((p) => p.identity === bobIdentity);
    assert.ok(participant, 'bob is a participant');
    const bobUser = await bounded(participant.getUser(), 'getUser');
    assert.equal(bobUser.identity, bobIdentity);
    assert.equal(bobUser.isOnline, true, 'bob is online while connected');

    const offline = once(alice, 'userUpdated', 10_000, reachabilityOf(bobIdentity, false));
    await bob.shutdown();
    await offline;
    assert.equal(bobUser.isOnline, false);

    const online = once(alice, 'userUpdated', 10_000, reachabilityOf(bobIdentity, true));
    await s.client(bobIdentity);
    await online;
    assert.equal(bobUser.isOnline, true);
  } finally {
    await s.close();
  }
});

test('a user with two clients stays online until the last one disconnects', async () => {
  const s = session(emulator);
  try {
    const alice = await s.client(uniqueName('alice'));
    const bobIdentity = uniqueName('bob');
    const bobPhone = await s.client(bobIdentity);
    const bobLaptop = await s.client(bobIdentity);
    const conversation = await startConversation(alice);
    await addParticipant(conversation, bobPhone);
    const participant = (await bounded(conversation.getParticipants(), 'getParticipants')).find((p) => p.identity === bobIdentity);
    const bobUser = await bounded(participant.getUser(), 'getUser');
    assert.equal(bobUser.isOnline, true);

    const updates = [];
    const listener = (event) => {
      if (event.user.identity === bobIdentity) updates.push(event.user.isOnline);
    };
    alice.on('userUpdated', listener);
    try {
      await bobPhone.shutdown();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(bobUser.isOnline, true, 'still online through the second client');

      const offline = once(alice, 'userUpdated', 10_000, reachabilityOf(bobIdentity, false));
      await bobLaptop.shutdown();
      await offline;
      assert.ok(!updates.slice(0, -1).includes(false), `offline only after the last client (${updates})`);
    } finally {
      alice.removeListener('userUpdated', listener);
    }
  } finally {
    await s.close();
  }
});
