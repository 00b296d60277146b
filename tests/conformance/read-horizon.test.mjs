// Read horizon and unread counts (state.md §7.7): the POST moves the caller's roster item and
// my-conversations item; the reply and the REST read carry the unread count.
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

test('advancing the read horizon sets the unread count and is seen by the other side', async () => {
  const s = session(emulator);
  try {
    const { alice, bob, aliceConv, bobConv } = await aliceAndBob(s);

    const arrived = record(bob, 'messageAdded', (m) => m.conversation.sid === aliceConv.sid);
    for (let i = 0; i < 5; i++) await aliceConv.sendMessage(`unread ${i}`);
    await arrived.waitFor(5);
    arrived.stop();
    assert.deepEqual(arrived.events.map((m) => m.index), [0, 1, 2, 3, 4]);

    const seenByAlice = once(alice, 'participantUpdated', 10_000, ({ participant, updateReasons }) =>
      participant.identity === bob.user.identity && updateReasons.includes('lastReadMessageIndex'));
    const unread = await bobConv.advanceLastReadMessageIndex(2);
    assert.equal(unread, 2, 'the POST reply carries the unread count (messages 3 and 4)');
    assert.equal(await bounded(bobConv.getUnreadMessagesCount(), 'getUnreadMessagesCount'), 2, 'the REST read agrees');

    const { participant } = await seenByAlice;
    assert.equal(participant.lastReadMessageIndex, 2);
    assert.ok(participant.lastReadTimestamp instanceof Date, 'lastReadTimestamp is set');

    // bob's own client tracks its horizon through the my-conversations map.
    await until(bobConv, 'updated', () => bobConv.lastReadMessageIndex === 2, 10_000, 'bob\'s lastReadMessageIndex');

    // Reading everything: 0 unread, and alice sees the horizon move to the last message.
    const allRead = once(alice, 'participantUpdated', 10_000, ({ participant: p }) =>
      p.identity === bob.user.identity && p.lastReadMessageIndex === 4);
    assert.equal(await bobConv.setAllMessagesRead(), 0);
    await allRead;
  } finally {
    await s.close();
  }
});

test('the unread count is null before a horizon is set, and setAllMessagesUnread clears it', async () => {
  const s = session(emulator);
  try {
    const { bob, aliceConv, bobConv } = await aliceAndBob(s);
    const arrived = record(bob, 'messageAdded', (m) => m.conversation.sid === aliceConv.sid);
    for (let i = 0; i < 3; i++) await aliceConv.sendMessage(`m${i}`);
    await arrived.waitFor(3);
    arrived.stop();

    assert.equal(await bounded(bobConv.getUnreadMessagesCount(), 'getUnreadMessagesCount'), null, 'no horizon yet');
    assert.equal(await bobConv.updateLastReadMessageIndex(0), 2);

    // A second client of bob's (its own REST cache) reads the stored horizon.
    const bob2 = await s.client(bob.user.identity);
    const conv2 = await bounded(bob2.getConversationBySid(aliceConv.sid), 'getConversationBySid');
    assert.equal(conv2.lastReadMessageIndex, 0);
    assert.equal(await bounded(conv2.getUnreadMessagesCount(), 'getUnreadMessagesCount'), 2);

    assert.equal(await bobConv.setAllMessagesUnread(), null, 'no horizon again: the count is null');
    await until(bobConv, 'updated', () => bobConv.lastReadMessageIndex === null, 10_000, 'horizon cleared');
  } finally {
    await s.close();
  }
});
