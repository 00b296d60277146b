// REST error cases: authentication (20003), Twilio's documented size limits (400 and nothing
// stored), duplicate messaging bindings (409), malformed input, unknown resources (20404).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { DEV, LIMITS, startEmulator, uniqueName } from './harness.mjs';
import {
  AUTH_TOKEN,
  assertErrorBody,
  assertRestError,
  basicAuth,
  phoneNumber,
  rawRest,
  restClient,
  v1,
} from './rest-harness.mjs';

let emulator;
let client;
before(async () => {
  emulator = await startEmulator();
  client = restClient(emulator);
});
after(async () => {
  await emulator?.stop();
});

/** A JSON object string of exactly `bytes` UTF-8 bytes. */
function jsonOfSize(bytes) {
  const prefix = '{"pad":"';
  const suffix = '"}';
  const s = prefix + 'x'.repeat(bytes - prefix.length - suffix.length) + suffix;
  assert.equal(Buffer.byteLength(s), bytes);
  return s;
}

// --- Authentication ------------------------------------------------------------------------

test('API key SID + secret (with accountSid) authenticates', async () => {
  const keyClient = restClient(emulator, { apiKey: true });
  const conversation = await v1(keyClient).conversations.create({ friendlyName: 'via API key' });
  assert.equal(conversation.accountSid, DEV.accountSid);
  assert.equal((await v1(client).conversations(conversation.sid).fetch()).friendlyName, 'via API key');
});

test('a wrong auth token is 401 with Twilio error 20003', async () => {
  const bad = restClient(emulator, { password: 'not-the-auth-token' });
  const before = (await v1(client).conversations.list()).length;
  await assertRestError(v1(bad).conversations.list(), 401, 20003, 'list with wrong token');
  await assertRestError(v1(bad).conversations.create({ friendlyName: 'intruder' }), 401, 20003, 'create with wrong token');
  assert.equal((await v1(client).conversations.list()).length, before, 'nothing was created');
});

test('an unknown account SID is 401 (20003)', async () => {
  const bad = restClient(emulator, { username: 'AC' + 'f'.repeat(32), password: AUTH_TOKEN });
  await assertRestError(v1(bad).conversations.list(), 401, 20003, 'unknown account');
});

test('a wrong API key secret, or an unknown API key, is 401 (20003)', async () => {
  const wrongSecret = restClient(emulator, { apiKey: true, password: 'not-the-secret' });
  await assertRestError(v1(wrongSecret).users.list(), 401, 20003, 'wrong API key secret');
  const unknownKey = restClient(emulator, { apiKey: true, username: 'SK' + 'f'.repeat(32) });
  await assertRestError(v1(unknownKey).users.list(), 401, 20003, 'unknown API key');
});

test('no credentials at all is 401 (20003) with a full Twilio error body', async () => {
  const reply = await rawRest(emulator, 'GET', '/v1/Conversations', { auth: false });
  assertErrorBody(reply, 401, 20003, 'no Authorization header');
  const garbage = await rawRest(emulator, 'POST', '/v1/Conversations', { auth: 'Basic !!!not-base64!!!', form: { FriendlyName: 'x' } });
  assertErrorBody(garbage, 401, 20003, 'malformed Authorization header');
  const bearer = await rawRest(emulator, 'GET', '/v1/Users', { auth: 'Bearer something' });
  assertErrorBody(bearer, 401, 20003, 'non-Basic Authorization');
});

test('the auth token of the account is not accepted as the API key secret and vice versa', async () => {
  const reply = await rawRest(emulator, 'GET', '/v1/Conversations', { auth: basicAuth(DEV.accountSid, DEV.apiSecret) });
  assertErrorBody(reply, 401, 20003, 'account SID + API secret');
  const reply2 = await rawRest(emulator, 'GET', '/v1/Conversations', { auth: basicAuth(DEV.apiKey, AUTH_TOKEN) });
  assertErrorBody(reply2, 401, 20003, 'API key + auth token');
});

// --- Limits --------------------------------------------------------------------------------

test(`friendly name: ${LIMITS.friendlyNameChars} characters accepted, one more → 400 and nothing stored`, async () => {
  const unique = uniqueName('long-name');
  const ok = await v1(client).conversations.create({ friendlyName: 'n'.repeat(LIMITS.friendlyNameChars) });
  assert.equal(ok.friendlyName.length, LIMITS.friendlyNameChars);

  await assertRestError(
    v1(client).conversations.create({ friendlyName: 'n'.repeat(LIMITS.friendlyNameChars + 1), uniqueName: unique }),
    400,
    undefined,
    'friendly name over 256',
  );
  await assertRestError(v1(client).conversations(unique).fetch(), 404, 20404, 'the refused conversation does not exist');

  await assertRestError(
    v1(client).conversations(ok.sid).update({ friendlyName: 'm'.repeat(LIMITS.friendlyNameChars + 1) }),
    400,
    undefined,
    'update to a friendly name over 256',
  );
  assert.equal((await v1(client).conversations(ok.sid).fetch()).friendlyName, 'n'.repeat(LIMITS.friendlyNameChars), 'unchanged');
});

test('conversation attributes over 16 KB → 400 and nothing stored (create and update)', async () => {
  const unique = uniqueName('fat');
  await assertRestError(
    v1(client).conversations.create({ uniqueName: unique, attributes: jsonOfSize(LIMITS.conversationAttributesBytes + 1) }),
    400,
    undefined,
    'conversation attributes over 16 KB',
  );
  await assertRestError(v1(client).conversations(unique).fetch(), 404, 20404, 'refused conversation not stored');

  const under = jsonOfSize(15_000);
  const ok = await v1(client).conversations.create({ attributes: under });
  assert.equal(ok.attributes.length, under.length, 'attributes under the limit are accepted whole');
  await assertRestError(
    v1(client).conversations(ok.sid).update({ attributes: jsonOfSize(LIMITS.conversationAttributesBytes + 1) }),
    400,
    undefined,
    'update with attributes over 16 KB',
  );
  assert.equal((await v1(client).conversations(ok.sid).fetch()).attributes, under, 'attributes unchanged');
});

test('message attributes over 4 KB → 400 and nothing stored', async () => {
  const conversation = await v1(client).conversations.create();
  const messages = v1(client).conversations(conversation.sid).messages;
  await assertRestError(
    messages.create({ body: 'fat', attributes: jsonOfSize(LIMITS.messageAttributesBytes + 1) }),
    400,
    undefined,
    'message attributes over 4 KB',
  );
  assert.deepEqual(await messages.list(), [], 'no message stored');

  const ok = await messages.create({ body: 'slim', attributes: jsonOfSize(3_900) });
  assert.equal(ok.index, 0, 'the refused message did not take an index');
  await assertRestError(
    v1(client).conversations(conversation.sid).messages(ok.sid).update({ attributes: jsonOfSize(LIMITS.messageAttributesBytes + 1) }),
    400,
    undefined,
    'message update with attributes over 4 KB',
  );
  assert.equal((await v1(client).conversations(conversation.sid).messages(ok.sid).fetch()).attributes, jsonOfSize(3_900));
});

test('participant attributes over 4 KB → 400 and nothing stored', async () => {
  const conversation = await v1(client).conversations.create();
  const participants = v1(client).conversations(conversation.sid).participants;
  await assertRestError(
    participants.create({ identity: uniqueName('fat'), attributes: jsonOfSize(LIMITS.participantAttributesBytes + 1) }),
    400,
    undefined,
    'participant attributes over 4 KB',
  );
  assert.deepEqual(await participants.list(), [], 'no participant stored');

  const ok = await participants.create({ identity: uniqueName('slim'), attributes: '{"a":1}' });
  await assertRestError(
    v1(client).conversations(conversation.sid).participants(ok.sid).update({ attributes: jsonOfSize(LIMITS.participantAttributesBytes + 1) }),
    400,
    undefined,
    'participant update with attributes over 4 KB',
  );
  assert.equal((await v1(client).conversations(conversation.sid).participants(ok.sid).fetch()).attributes, '{"a":1}');
});

test('message body over 32 KB → 400 and nothing stored', async () => {
  const conversation = await v1(client).conversations.create();
  const messages = v1(client).conversations(conversation.sid).messages;
  await assertRestError(
    messages.create({ author: 'big', body: 'b'.repeat(LIMITS.messageBodyBytes + 1) }),
    400,
    undefined,
    'message body over 32 KB',
  );
  assert.deepEqual(await messages.list(), [], 'no message stored');

  const ok = await messages.create({ author: 'big', body: 'b'.repeat(30_000) });
  assert.equal(ok.body.length, 30_000, 'a 30 000-byte body is accepted whole');
  await assertRestError(
    v1(client).conversations(conversation.sid).messages(ok.sid).update({ body: 'c'.repeat(LIMITS.messageBodyBytes + 1) }),
    400,
    undefined,
    'message update with a body over 32 KB',
  );
  assert.equal((await v1(client).conversations(conversation.sid).messages(ok.sid).fetch()).body.length, 30_000);
});

// --- Conflicts and malformed input -----------------------------------------------------------

test('the same MessagingBinding.Address + ProxyAddress in a second conversation → 409 (50416)', async () => {
  const address = phoneNumber();
  const proxy = phoneNumber();
  const first = await v1(client).conversations.create({ friendlyName: 'first' });
  await v1(client)
    .conversations(first.sid)
    .participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': proxy });

  const second = await v1(client).conversations.create({ friendlyName: 'second' });
  const error = await assertRestError(
    v1(client).conversations(second.sid).participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': proxy }),
    409,
    undefined,
    'duplicate binding',
  );
  assert.equal(error.code, 50416, `Twilio error 50416 (binding already exists): ${error.message}`);
  assert.ok(error.message.includes(first.sid), `the message names the conversation holding the binding: ${error.message}`);
  assert.deepEqual(await v1(client).conversations(second.sid).participants.list(), [], 'nothing added to the second conversation');

  // The same address with a different proxy address is a different binding.
  const other = await v1(client)
    .conversations(second.sid)
    .participants.create({ 'messagingBinding.address': address, 'messagingBinding.proxyAddress': phoneNumber() });
  assert.equal(other.messagingBinding.address, address);
});

test('an SMS participant needs a ProxyAddress', async () => {
  const conversation = await v1(client).conversations.create();
  await assertRestError(
    v1(client).conversations(conversation.sid).participants.create({ 'messagingBinding.address': phoneNumber() }),
    400,
    undefined,
    'address without proxy address',
  );
});

test('Attributes that are not JSON → 400', async () => {
  await assertRestError(v1(client).conversations.create({ attributes: '{not json' }), 400, undefined, 'conversation attributes');
  const conversation = await v1(client).conversations.create();
  await assertRestError(
    v1(client).conversations(conversation.sid).messages.create({ body: 'x', attributes: 'nope' }),
    400,
    undefined,
    'message attributes',
  );
  await assertRestError(
    v1(client).conversations(conversation.sid).participants.create({ identity: uniqueName('p'), attributes: '[1,' }),
    400,
    undefined,
    'participant attributes',
  );
  assert.deepEqual(await v1(client).conversations(conversation.sid).messages.list(), []);
  assert.deepEqual(await v1(client).conversations(conversation.sid).participants.list(), []);
});

test('an unknown State value → 400', async () => {
  const conversation = await v1(client).conversations.create();
  await assertRestError(v1(client).conversations(conversation.sid).update({ state: 'sleeping' }), 400, undefined, 'bad state');
  assert.equal((await v1(client).conversations(conversation.sid).fetch()).state, 'active');
});

test('a malformed ISO 8601 timer → 400/50379 (inactive), 400/50380 (closed)', async () => {
  await assertRestError(v1(client).conversations.create({ state: 'active', 'timers.inactive': 'ten minutes' }), 400, 50379, 'bad timer');
  await assertRestError(v1(client).conversations.create({ state: 'active', 'timers.closed': 'ten minutes' }), 400, 50380, 'bad timer');
});

test('unknown resources answer 404 with Twilio error 20404 bodies', async () => {
  for (const path of [
    `/v1/Conversations/CH${'0'.repeat(32)}`,
    `/v1/Conversations/CH${'0'.repeat(32)}/Messages`,
    `/v1/Users/US${'0'.repeat(32)}`,
    `/v1/Services/IS${'f'.repeat(32)}/Conversations`,
  ]) {
    const reply = await rawRest(emulator, 'GET', path);
    assertErrorBody(reply, 404, 20404, `GET ${path}`);
    assert.match(reply.body.more_info, /20404/, 'more_info links the error code');
  }
});
