// Conversation state timers (Timers.Inactive / Timers.Closed, ISO 8601 durations): the state
// moves on time (REST fetch shows it, a connected SDK client sees conversationUpdated, webhooks
// say Reason TIMER), a closed conversation refuses new messages, activity restarts the clock and
// brings an inactive conversation back.
//
// The emulator is exactly as strict as Twilio: Timers.Inactive at least a minute (50375),
// Timers.Closed at least ten (50376), ISO 8601 or 50379/50380, and a create that sets timers
// names a State (50382). The same minimums hold for the account's default timers. Real-minimum
// timers still run in seconds: the emulator's clock hook (POST /_testing/idle, served with
// CONVO_EMULATOR_TESTING=1) makes a conversation N seconds idler, and what falls due has fired
// when the hook answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { once, session, startEmulator, uniqueName, until } from './harness.mjs';
import { assertRestError, idle, is4xx, restClient, v1 } from './rest-harness.mjs';

let emulator;
let client;
before(async () => {
  emulator = await startEmulator({ testing: true });
  client = restClient(emulator);
});
after(async () => {
  await emulator?.stop();
});

const state = (sid) => v1(client).conversations(sid).fetch();
/** Twilio's minimum timers, on a create (which needs a State with them). */
const MINIMUM_TIMERS = { state: 'active', 'timers.inactive': 'PT1M', 'timers.closed': 'PT10M' };
const near = (actual, expected, what, slackMs = 5_000) =>
  assert.ok(Math.abs(actual - expected) < slackMs, `${what}: ${new Date(actual).toISOString()} ≈ ${new Date(expected).toISOString()}`);

test('Timers.Inactive and Timers.Closed are reported as date_inactive / date_closed', async () => {
  const t0 = Date.now();
  const conversation = await v1(client).conversations.create({ friendlyName: 'timed', ...MINIMUM_TIMERS });
  assert.ok(conversation.timers && typeof conversation.timers === 'object', `timers: ${JSON.stringify(conversation.timers)}`);
  const inactiveAt = Date.parse(conversation.timers.date_inactive);
  const closedAt = Date.parse(conversation.timers.date_closed);
  assert.ok(Number.isFinite(inactiveAt), `date_inactive is an ISO date: ${conversation.timers.date_inactive}`);
  assert.ok(Number.isFinite(closedAt), `date_closed is an ISO date: ${conversation.timers.date_closed}`);
  near(inactiveAt, t0 + 60_000, 'date_inactive ≈ now + 1 min');
  near(closedAt, t0 + 600_000, 'date_closed ≈ now + 10 min');
  assert.equal(conversation.state, 'active');

  const fetched = await state(conversation.sid);
  assert.deepEqual(fetched.timers, conversation.timers, 'fetch shows the same timers');

  // Thirty seconds of silence later, both deadlines are thirty seconds nearer.
  await idle(emulator, conversation.sid, 30);
  const later = await state(conversation.sid);
  near(Date.parse(later.timers.date_inactive), inactiveAt - 30_000, 'date_inactive after 30 s idle');
  near(Date.parse(later.timers.date_closed), closedAt - 30_000, 'date_closed after 30 s idle');
  assert.equal(later.state, 'active');
});

test('the state moves to inactive, then closed, on time; closed refuses messages', async () => {
  const conversation = await v1(client).conversations.create({ friendlyName: 'minimum timers', ...MINIMUM_TIMERS });
  assert.equal(conversation.state, 'active');

  await idle(emulator, conversation.sid, 50);
  assert.equal((await state(conversation.sid)).state, 'active', 'active before the 1 min inactive timer');

  await idle(emulator, conversation.sid, 10);
  const inactive = await state(conversation.sid);
  assert.equal(inactive.state, 'inactive', 'inactive at 1 min (not straight to closed)');
  assert.equal(inactive.timers.date_inactive ?? null, null, 'a fired timer is no longer reported');
  assert.ok(inactive.timers.date_closed, 'the closed timer is still to come');

  await idle(emulator, conversation.sid, 530);
  assert.equal((await state(conversation.sid)).state, 'inactive', 'still inactive before the 10 min closed timer');

  await idle(emulator, conversation.sid, 10);
  const closed = await state(conversation.sid);
  assert.equal(closed.state, 'closed', 'closed at 10 min');
  assert.deepEqual(closed.timers, {}, 'no timers left');

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

test('Timers.Closed alone closes the conversation, without passing through inactive', async () => {
  const conversation = await v1(client).conversations.create({ state: 'active', 'timers.closed': 'PT10M' });
  assert.ok(conversation.timers.date_closed, 'date_closed set');
  assert.equal(conversation.timers.date_inactive ?? null, null, 'no inactive timer');
  await idle(emulator, conversation.sid, 599);
  assert.equal((await state(conversation.sid)).state, 'active', 'active until the closed timer');
  await idle(emulator, conversation.sid, 1);
  assert.equal((await state(conversation.sid)).state, 'closed');
});

test('timers set by an update fire too (an update needs no State)', async () => {
  const conversation = await v1(client).conversations.create({ friendlyName: 'later timers' });
  assert.equal(conversation.timers?.date_inactive ?? null, null, 'no timer yet');
  const t0 = Date.now();
  const updated = await v1(client).conversations(conversation.sid).update({ 'timers.inactive': 'PT1M' });
  assert.ok(updated.timers.date_inactive, `date_inactive after update: ${JSON.stringify(updated.timers)}`);
  // The timer counts from the last activity (here, the creation), not from the update.
  assert.ok(Date.parse(updated.timers.date_inactive) <= t0 + 60_000, `date_inactive ${updated.timers.date_inactive}`);
  await idle(emulator, conversation.sid, 60);
  assert.equal((await state(conversation.sid)).state, 'inactive');
});

test('an empty timer clears it', async () => {
  const conversation = await v1(client).conversations.create(MINIMUM_TIMERS);
  const updated = await v1(client).conversations(conversation.sid).update({ 'timers.inactive': '' });
  assert.equal(updated.timers.date_inactive ?? null, null, `date_inactive cleared: ${JSON.stringify(updated.timers)}`);
  assert.ok(updated.timers.date_closed, 'date_closed untouched');
  await idle(emulator, conversation.sid, 120);
  assert.equal((await state(conversation.sid)).state, 'active', 'a cleared timer never fires');
  const cleared = await v1(client).conversations(conversation.sid).update({ 'timers.closed': '' });
  assert.deepEqual(cleared.timers, {}, 'both cleared');
});

test('a new message brings an inactive conversation back to active', async () => {
  const conversation = await v1(client).conversations.create({ state: 'inactive' });
  assert.equal(conversation.state, 'inactive');
  await v1(client).conversations(conversation.sid).messages.create({ author: 'customer', body: 'hello again' });
  assert.equal((await state(conversation.sid)).state, 'active');
});

test('activity restarts the inactive timer', async () => {
  const conversation = await v1(client).conversations.create({ state: 'active', 'timers.inactive': 'PT1M' });
  // Talk every 50 s for 5 minutes: the 1 min inactive timer never elapses.
  for (let i = 0; i < 6; i++) {
    await idle(emulator, conversation.sid, 50);
    const before = Date.now();
    await v1(client).conversations(conversation.sid).messages.create({ author: 'chatty', body: `still here ${i}` });
    const now = await state(conversation.sid);
    assert.equal(now.state, 'active', `still active after ${(i + 1) * 50} s of talk`);
    near(Date.parse(now.timers.date_inactive), before + 60_000, `date_inactive restarts from message ${i}`);
  }
  await idle(emulator, conversation.sid, 50);
  assert.equal((await state(conversation.sid)).state, 'active', '50 s after the last message');
  await idle(emulator, conversation.sid, 10);
  assert.equal((await state(conversation.sid)).state, 'inactive', 'a minute after the last message');
});

test('a connected SDK participant sees conversationUpdated as the timers fire, in order', async () => {
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
      await v1(client).conversations(conversation.sid).update({ 'timers.inactive': 'PT1M', 'timers.closed': 'PT10M' });
      // One jump past both deadlines: they fire in the order they fell due, as they would have
      // with the time really passing.
      await idle(emulator, conversation.sid, 600);
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

// ---------------------------------------------------------------------------------------------
// Twilio's refusals

test('Timers.Inactive under a minute → 400/50375; Timers.Closed under ten minutes → 400/50376', async () => {
  for (const [params, code, what] of [
    [{ 'timers.inactive': 'PT30S' }, 50375, 'PT30S inactive'],
    [{ 'timers.inactive': 'PT59S' }, 50375, 'PT59S inactive'],
    [{ 'timers.inactive': 'PT0S' }, 50375, 'PT0S inactive (a valid duration, below the minimum)'],
    [{ 'timers.closed': 'PT5M' }, 50376, 'PT5M closed'],
    [{ 'timers.closed': 'PT9M59S' }, 50376, 'PT9M59S closed'],
    [{ 'timers.closed': 'PT0S' }, 50376, 'PT0S closed'],
    [{ 'timers.inactive': 'PT1M', 'timers.closed': 'PT5M' }, 50376, 'a good inactive does not save a short closed'],
  ]) {
    await assertRestError(v1(client).conversations.create({ state: 'active', ...params }), 400, code, `create: ${what}`);
  }
  const existing = await v1(client).conversations.create(MINIMUM_TIMERS);
  await assertRestError(v1(client).conversations(existing.sid).update({ 'timers.inactive': 'PT30S' }), 400, 50375, 'update: PT30S inactive');
  await assertRestError(v1(client).conversations(existing.sid).update({ 'timers.closed': 'PT5M' }), 400, 50376, 'update: PT5M closed');
  assert.deepEqual((await state(existing.sid)).timers, existing.timers, 'a refused update changes no timer');
  // Exactly the minimums are accepted.
  const minimums = await v1(client).conversations.create({ state: 'active', 'timers.inactive': 'PT60S', 'timers.closed': 'PT600S' });
  assert.ok(minimums.timers.date_inactive && minimums.timers.date_closed);
});

test('a timer that is not an ISO 8601 duration → 400/50379 (inactive) or 400/50380 (closed)', async () => {
  await assertRestError(v1(client).conversations.create({ state: 'active', 'timers.inactive': 'soon' }), 400, 50379, 'create: "soon" inactive');
  await assertRestError(v1(client).conversations.create({ state: 'active', 'timers.closed': 'soon' }), 400, 50380, 'create: "soon" closed');
  await assertRestError(v1(client).conversations.create({ state: 'active', 'timers.inactive': '10m' }), 400, 50379, 'create: "10m" inactive');
  const existing = await v1(client).conversations.create();
  await assertRestError(v1(client).conversations(existing.sid).update({ 'timers.inactive': 'soon' }), 400, 50379, 'update: "soon" inactive');
  await assertRestError(v1(client).conversations(existing.sid).update({ 'timers.closed': 'soon' }), 400, 50380, 'update: "soon" closed');
});

test('timers on a create without State → 400/50382, and nothing is created', async () => {
  const before = (await v1(client).conversations.list()).length;
  const name = uniqueName('stateless');
  await assertRestError(v1(client).conversations.create({ uniqueName: name, 'timers.inactive': 'PT1M' }), 400, 50382, 'inactive without State');
  await assertRestError(v1(client).conversations.create({ uniqueName: name, 'timers.closed': 'PT10M' }), 400, 50382, 'closed without State');
  await assertRestError(
    v1(client).conversationWithParticipants.create({ uniqueName: name, 'timers.closed': 'PT10M' }),
    400,
    50382,
    'ConversationWithParticipants: closed without State',
  );
  assert.equal((await v1(client).conversations.list()).length, before, 'no conversation was created');
  const created = await v1(client).conversations.create({ uniqueName: name, state: 'active', 'timers.closed': 'PT10M' });
  assert.ok(created.timers.date_closed, 'with a State the same create succeeds');
});

// ---------------------------------------------------------------------------------------------
// The account's default timers (Configuration DefaultInactiveTimer / DefaultClosedTimer)

test('default timers obey the same minimums, and apply to conversations created afterwards', async () => {
  const configuration = () => v1(client).configuration();
  try {
    for (const [params, code] of [
      [{ defaultInactiveTimer: 'PT30S' }, 50375],
      [{ defaultClosedTimer: 'PT5M' }, 50376],
      [{ defaultInactiveTimer: 'soon' }, 50379],
      [{ defaultClosedTimer: 'soon' }, 50380],
      [{ defaultInactiveTimer: 'PT1M', defaultClosedTimer: 'PT0S' }, 50376],
    ]) {
      await assertRestError(configuration().update(params), 400, code, `Configuration ${JSON.stringify(params)}`);
    }
    const untouched = await configuration().fetch();
    assert.equal(untouched.defaultInactiveTimer, null, 'a refused update sets nothing');
    assert.equal(untouched.defaultClosedTimer, null);

    const set = await configuration().update({ defaultInactiveTimer: 'PT1M', defaultClosedTimer: 'PT10M' });
    assert.equal(set.defaultInactiveTimer, 'PT1M');
    assert.equal(set.defaultClosedTimer, 'PT10M');
    assert.equal((await configuration().fetch()).defaultInactiveTimer, 'PT1M', 'fetch reads it back');

    const t0 = Date.now();
    const conversation = await v1(client).conversations.create({ friendlyName: 'defaults' });
    near(Date.parse(conversation.timers.date_inactive), t0 + 60_000, 'the default inactive timer');
    near(Date.parse(conversation.timers.date_closed), t0 + 600_000, 'the default closed timer');
    await idle(emulator, conversation.sid, 60);
    assert.equal((await state(conversation.sid)).state, 'inactive', 'a default timer fires like its own');

    const own = await v1(client).conversations.create({ state: 'active', 'timers.inactive': 'PT5M' });
    near(Date.parse(own.timers.date_inactive), Date.now() + 300_000, 'a create’s own timer wins over the default');
  } finally {
    const cleared = await configuration().update({ defaultInactiveTimer: '', defaultClosedTimer: '' });
    assert.equal(cleared.defaultInactiveTimer, null, 'empty clears the default');
    assert.equal(cleared.defaultClosedTimer, null);
  }
  assert.deepEqual((await v1(client).conversations.create()).timers, {}, 'no defaults, no timers');
});

// ---------------------------------------------------------------------------------------------
// The clock hook itself

test('the idle hook: 404 for an unknown conversation, 400 for a bad N', async () => {
  await idle(emulator, `CH${'0'.repeat(32)}`, 60, { expect: 404 });
  const conversation = await v1(client).conversations.create(MINIMUM_TIMERS);
  for (const bad of ['0', '-5', '1.5', 'soon', '']) {
    await idle(emulator, conversation.sid, bad, { expect: 400 });
  }
  const missing = await fetch(`${emulator.url}/_testing/idle?seconds=60`, { method: 'POST', signal: AbortSignal.timeout(10_000) });
  assert.equal(missing.status, 400, 'no conversation');
  const after = await state(conversation.sid);
  assert.equal(after.state, 'active', 'refused hooks move no clock');
  assert.deepEqual(after.timers, conversation.timers, 'the deadlines did not move');
});
