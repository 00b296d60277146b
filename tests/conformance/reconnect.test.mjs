// Reconnect with replay (state.md §2.7 "Reconnect", §2.9): a client whose socket is lost while
// messages are sent gets every one of them exactly once after it reconnects, because the server
// replays events newer than the last_event_id the client re-subscribes with.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  addParticipant,
  once,
  record,
  session,
  sleep,
  startConversation,
  startEmulator,
  startTcpProxy,
  uniqueName,
} from './harness.mjs';

const MISSED = 20;

let emulator;
before(async () => {
  emulator = await startEmulator();
});
after(async () => {
  await emulator?.stop();
});

test('a client whose socket dropped receives all 20 missed messages exactly once after reconnecting', async () => {
  const s = session(emulator);
  const proxy = await startTcpProxy(emulator.port);
  s.defer(() => proxy.close());
  try {
    const alice = await s.client(uniqueName('alice'));
    // bob's twilsock goes through the proxy; his media links still point at the emulator.
    const bob = await s.client(uniqueName('bob'), { twilsockUri: proxy.twilsockUri });
    assert.equal(proxy.connections, 1);
    const conversation = await startConversation(alice);
    const bobConv = await addParticipant(conversation, bob);

    // A message before the drop proves the live path, and gives bob's list a last_event_id.
    const warmup = once(bob, 'messageAdded', 10_000, (m) => m.conversation.sid === conversation.sid);
    await conversation.sendMessage('before the drop');
    const first = await warmup;

    const added = record(bob, 'messageAdded', (m) => m.conversation.sid === conversation.sid);
    const states = record(bob, 'connectionStateChanged');
    proxy.hold();
    const lost = once(bob, 'connectionStateChanged', 5_000, (state) => state === 'connecting');
    proxy.dropAll();
    await lost;
    const framesBeforeReconnect = proxy.serverFrames.length;

    const sent = [];
    for (let i = 0; i < MISSED; i++) sent.push(await conversation.sendMessage(`missed ${i}`));
    assert.deepEqual(sent, Array.from({ length: MISSED }, (_, i) => first.index + 1 + i));
    assert.equal(added.events.length, 0, 'nothing can arrive while the socket is down');

    // bob's client retries after its ≈1 s backoff; the proxy holds that attempt until now.
    const back = once(bob, 'connectionStateChanged', 10_000, (state) => state === 'connected');
    proxy.release();
    await back;
    assert.ok(proxy.connections >= 2, 'bob reconnected through the proxy');

    await added.waitFor(MISSED, 15_000);
    // Let any duplicate that is coming arrive before counting (bounded).
    await sleep(1_000);
    const byIndex = new Map();
    for (const message of added.events) byIndex.set(message.index, (byIndex.get(message.index) ?? 0) + 1);
    for (const index of sent) assert.equal(byIndex.get(index), 1, `message ${index} delivered once`);
    assert.equal(added.events.length, MISSED, 'no other message was added');
    for (const message of added.events) assert.equal(message.body, `missed ${message.index - first.index - 1}`);
    assert.deepEqual(states.events.filter((st) => st !== 'connecting'), ['connected'], `states ${states.events}`);

    // On the wire: each missed message's list event reached bob exactly once (the SDK would hide
    // a duplicate; the replay contract forbids sending one).
    assert.equal(proxy.compressedFrames, 0, 'frames stayed uncompressed (no deflate was offered)');
    const listEvents = proxy.serverFrames
      .slice(framesBeforeReconnect)
      .filter((f) => f.header.method === 'notification' && f.payload)
      .flatMap((f) => (f.payload.events ?? [f.payload.event]).map((event) => ({ type: f.payload.event_type, event })))
      .filter(({ type, event }) => type?.startsWith('list_item_') && event && sent.includes(event.item_index) && event.item_data?.text?.startsWith('missed '));
    const deliveries = new Map();
    for (const { event } of listEvents) deliveries.set(event.item_index, (deliveries.get(event.item_index) ?? 0) + 1);
    for (const index of sent) assert.equal(deliveries.get(index), 1, `list event for message ${index} sent once on the wire`);
    added.stop();
    states.stop();

    // The reconnected client is fully live again.
    const live = once(bob, 'messageAdded', 10_000, (m) => m.body === 'after the reconnect');
    await conversation.sendMessage('after the reconnect');
    await live;
    const reply = once(alice, 'messageAdded', 10_000, (m) => m.body === 'bob is back');
    await bobConv.sendMessage('bob is back');
    await reply;
  } finally {
    await s.close();
  }
});
