// Typing indicator (state.md §8): the POST fans out to the other participants only, with the
// service timeout + 1 s (5 + 1 = 6 s here) as the typing_timeout the receiver waits for.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  addParticipant,
  aliceAndBob,
  once,
  record,
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

// The tests are independent (own users, own conversations) and mostly wait on timers: run them
// concurrently to keep the suite short.
describe('typing indicator', { concurrency: true }, () => {
  test('typing is seen by the other client only, and ends after the notified timeout', async () => {
    const s = session(emulator);
    try {
      const { alice, bob, aliceConv, bobConv } = await aliceAndBob(s);
      // The sender must never see itself typing, on any object.
      const echoed = record(alice, 'typingStarted');
      const echoedOnConversation = record(aliceConv, 'typingStarted');

      const started = once(bobConv, 'typingStarted', 5_000);
      const startedOnClient = once(bob, 'typingStarted', 5_000);
      await aliceConv.typing();
      const participant = await started;
      const startedAt = Date.now();
      assert.equal(participant.identity, alice.user.identity);
      assert.equal(participant.isTyping, true);
      assert.equal((await startedOnClient).identity, alice.user.identity);

      const ended = await once(bobConv, 'typingEnded', 10_000);
      const elapsed = Date.now() - startedAt;
      assert.equal(ended.identity, alice.user.identity);
      assert.equal(ended.isTyping, false);
      // The receiver's timer is the notification's typing_timeout: 6 s for a 5 s service timeout.
      assert.ok(elapsed >= 5_500 && elapsed <= 7_500, `typingEnded ${elapsed} ms after typingStarted (expected ≈6000)`);

      assert.equal(echoed.events.length, 0, 'alice saw her own typing on the client');
      assert.equal(echoedOnConversation.events.length, 0, 'alice saw her own typing on the conversation');
      echoed.stop();
      echoedOnConversation.stop();
    } finally {
      await s.close();
    }
  });

  test('typing ends at once when the typist\'s message arrives', async () => {
    const s = session(emulator);
    try {
      const { alice, aliceConv, bobConv } = await aliceAndBob(s);

      const started = once(bobConv, 'typingStarted', 5_000);
      await aliceConv.typing();
      await started;
      const sentAt = Date.now();
      const ended = once(bobConv, 'typingEnded', 3_000);
      const added = once(bobConv, 'messageAdded', 5_000);
      await aliceConv.sendMessage('done typing');
      const participant = await ended;
      assert.equal(participant.identity, alice.user.identity);
      assert.ok(Date.now() - sentAt < 3_000, 'typingEnded came with the message, not after the timeout');
      assert.equal((await added).body, 'done typing');
    } finally {
      await s.close();
    }
  });

  test('typing in one conversation is not announced in another', async () => {
    const s = session(emulator);
    try {
      const alice = await s.client(uniqueName('alice'));
      const bob = await s.client(uniqueName('bob'));
      const first = await startConversation(alice);
      const second = await startConversation(alice);
      const bobFirst = await addParticipant(first, bob);
      const bobSecond = await addParticipant(second, bob);
      const elsewhere = record(bobSecond, 'typingStarted');

      const started = once(bobFirst, 'typingStarted', 5_000);
      await first.typing();
      assert.equal((await started).conversation.sid, first.sid);
      // Bounded wait for something that must not happen.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      assert.equal(elsewhere.events.length, 0, 'typing leaked into the other conversation');
      elsewhere.stop();
    } finally {
      await s.close();
    }
  });
});
