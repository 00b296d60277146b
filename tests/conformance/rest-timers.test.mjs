// Conversation state timers (Timers.Inactive / Timers.Closed, ISO 8601 durations): the state
// moves on time (REST fetch shows it, a connected SDK client sees conversationUpdated), a
// closed conversation refuses new messages, activity brings an inactive conversation back.
// The emulator accepts short durations (PT2S) so this runs in seconds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { once, session, startEmulator, uniqueName, until } from './harness.mjs';
import { assertRestError, is4xx, poll, restClient, v1 } from './rest-harness.mjs';

let emulator;
let client;
before(async () => {
  emulator = await startEmulator();
  client = restClient(emulator);
});
after(async () => {
  await emulator?.stop();
});

const state = (sid) => v1(client).conversations(sid).fetch();

test('Timers.Inactive and Timers.Closed are reported as date_inactive / date_closed', async () => {
  const t0 = Date.now();
  const conversation = await v1(client).conversations.create({
    friendlyName: 'timed',
    'timers.inactive': 'PT30S',
    'timers.closed': 'PT60S',
  });
  assert.ok(conversation.timers && typeof conversation.timers === 'object', `timers: ${JSON.stringify(conversation.timers)}`);
  const inactiveAt = Date.parse(conversation.timers.date_inactive);
  const closedAt = Date.parse(conversation.timers.date_closed);
  assert.ok(Number.isFinite(inactiveAt), `date_inactive is an ISO date: ${conversation.timers.date_inactive}`);
  assert.ok(Number.isFinite(closedAt), `date_closed is an ISO date: ${conversation.timers.date_closed}`);
  assert.ok(Math.abs(inactiveAt - (t0 + 30_000)) < 5_000, `date_inactive ≈ now + 30 s (${conversation.timers.date_inactive})`);
  assert.ok(Math.abs(closedAt - (t0 + 60_000)) < 5_000, `date_closed ≈ now + 60 s (${conversation.timers.date_closed})`);
  assert.equal(conversation.state, 'active');

  const fetched = await state(conversation.sid);
  assert.deepEqual(fetched.timers, conversation.timers, 'fetch shows the same timers');
});

test('the state moves to inactive, then closed, on time; closed refuses messages', async () => {
  const created = Date.now();
  const conversation = await v1(client).conversations.create({
    friendlyName: 'short timers',
    'timers.inactive': 'PT2S',
    'timers.closed': 'PT4S',
  });
  assert.equal(conversation.state, 'active');
  // Still active well before the inactive timer.
  await new Promise((r) => setTimeout(r, 800));
  assert.equal((await state(conversation.sid)).state, 'active', 'active before the inactive timer fires');

  const inactive = await poll(() => state(conversation.sid), (c) => c.state !== 'active', { ms: 10_000, what: 'leave active' });
  assert.equal(inactive.state, 'inactive', 'first inactive (not straight to closed)');
  assert.ok(Date.now() - created >= 1_500, 'not before the 2 s timer');

  const closed = await poll(() => state(conversation.sid), (c) => c.state === 'closed', { ms: 10_000, what: 'closed' });
  assert.equal(closed.state, 'closed');
  assert.ok(Date.now() - created >= 3_500, 'not before the 4 s timer');

  await assertRestError(
    v1(client).conversations(conversation.sid).messages.create({ author: 'late', body: 'anyone there?' }),
    is4xx,
    undefined,
    'message to a conversation closed by its timer',
  );
  assert.deepEqual(await v1(client).conversations(conversation.sid).messages.list(), [], 'nothing stored');

  const listedClosed = await v1(client).conversations.list({ state: 'closed' });
  assert.ok(listedClosed.some((c) => c.sid === conversation.sid), 'the State=closed filter sees the timer-closed conversation');
});

test('Timers.Closed alone closes the conversation', async () => {
  const conversation = await v1(client).conversations.create({ 'timers.closed': 'PT2S' });
  assert.ok(conversation.timers.date_closed, 'date_closed set');
  const closed = await poll(() => state(conversation.sid), (c) => c.state === 'closed', { ms: 10_000, what: 'closed' });
  assert.equal(closed.state, 'closed');
});

test('timers set by an update fire too', async () => {
  const conversation = await v1(client).conversations.create({ friendlyName: 'later timers' });
  assert.equal(conversation.timers?.date_inactive ?? null, null, 'no timer yet');
  const updated = await v1(client).conversations(conversation.sid).update({ 'timers.inactive': 'PT2S' });
  assert.ok(updated.timers.date_inactive, `date_inactive after update: ${JSON.stringify(updated.timers)}`);
  const inactive = await poll(() => state(conversation.sid), (c) => c.state === 'inactive', { ms: 10_000, what: 'inactive' });
  assert.equal(inactive.state, 'inactive');
});

test('a new message brings an inactive conversation back to active', async () => {
  const conversation = await v1(client).conversations.create({ state: 'inactive' });
  assert.equal(conversation.state, 'inactive');
  await v1(client).conversations(conversation.sid).messages.create({ author: 'customer', body: 'hello again' });
  const after = await poll(() => state(conversation.sid), (c) => c.state === 'active', { ms: 5_000, what: 'active again' });
  assert.equal(after.state, 'active');
});

test('activity restarts the inactive timer', async () => {
  const conversation = await v1(client).conversations.create({ 'timers.inactive': 'PT3S' });
  // Keep talking every second for ~5 s: the 3 s inactive timer never elapses.
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 1_000));
    await v1(client).conversations(conversation.sid).messages.create({ author: 'chatty', body: `still here ${i}` });
    assert.equal((await state(conversation.sid)).state, 'active', `still active after ${i + 1} s of activity`);
  }
  const inactive = await poll(() => state(conversation.sid), (c) => c.state === 'inactive', { ms: 10_000, what: 'inactive after silence' });
  assert.equal(inactive.state, 'inactive');
});

test('a connected SDK participant sees conversationUpdated as the timers fire', async () => {
  const s = session(emulator);
  try {
    const identity = uniqueName('watcher');
    const watcher = await s.client(identity);
    const conversation = await v1(client).conversations.create({ friendlyName: 'watched' });
    const joined = once(watcher, 'conversationJoined', 10_000, (c) => c.sid === conversation.sid);
    await v1(client).conversations(conversation.sid).participants.create({ identity });
    const conv = await joined;
    assert.equal(conv.state?.current, 'active');

    // The state each conversationUpdated(state) carried when it fired.
    const seen = [];
    const onUpdated = (e) => {
      if (e.conversation.sid === conversation.sid && e.updateReasons.includes('state')) seen.push(e.conversation.state?.current);
    };
    watcher.on('conversationUpdated', onUpdated);
    try {
      await v1(client).conversations(conversation.sid).update({ 'timers.inactive': 'PT2S', 'timers.closed': 'PT4S' });
      await until(watcher, 'conversationUpdated', () => seen.includes('closed'), 15_000, 'conversationUpdated to closed');
      assert.deepEqual(seen, ['inactive', 'closed'], 'conversationUpdated(state): inactive, then closed');
      assert.equal(conv.state.current, 'closed');
      assert.ok(conv.state.dateUpdated instanceof Date);
    } finally {
      watcher.removeListener('conversationUpdated', onUpdated);
    }
  } finally {
    await s.close();
  }
});
