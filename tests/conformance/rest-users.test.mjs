// The Conversation User resource over REST (v1), driven by Twilio's official helper library:
// create, fetch by SID and by identity, update, list, delete, User Conversations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { DEV, startEmulator, uniqueName } from './harness.mjs';
import { SID, assertRecentDate, assertRestError, assertUrlPath, rawRest, restClient, v1 } from './rest-harness.mjs';

let emulator;
let client;
before(async () => {
  emulator = await startEmulator();
  client = restClient(emulator);
});
after(async () => {
  await emulator?.stop();
});

test('create a user: every documented field comes back', async () => {
  const identity = uniqueName('user');
  const user = await v1(client).users.create({
    identity,
    friendlyName: 'Ada Lovelace',
    attributes: JSON.stringify({ tier: 'gold' }),
  });
  assert.match(user.sid, SID.user);
  assert.equal(user.accountSid, DEV.accountSid);
  assert.equal(user.chatServiceSid, DEV.serviceSid);
  assert.equal(user.identity, identity);
  assert.equal(user.friendlyName, 'Ada Lovelace');
  assert.deepEqual(JSON.parse(user.attributes), { tier: 'gold' });
  assert.match(user.roleSid, SID.role, 'the service default user role');
  assertRecentDate(user.dateCreated, 'date_created');
  assertRecentDate(user.dateUpdated, 'date_updated');
  assertUrlPath(user.url, `/v1/Users/${user.sid}`);
  assert.ok(user.links && typeof user.links === 'object', 'links');
  assertUrlPath(user.links.user_conversations, `/v1/Users/${user.sid}/Conversations`, 'links.user_conversations');
});

test('a user created with only Identity has the documented defaults', async () => {
  const identity = uniqueName('plain');
  const reply = await rawRest(emulator, 'POST', '/v1/Users', { form: { Identity: identity } });
  assert.equal(reply.status, 201, reply.text);
  assert.equal(reply.body.identity, identity);
  assert.equal(reply.body.friendly_name, null);
  assert.equal(reply.body.attributes, '{}');
  for (const field of ['sid', 'account_sid', 'chat_service_sid', 'role_sid', 'is_online', 'is_notifiable', 'date_created', 'date_updated', 'url', 'links']) {
    assert.ok(field in reply.body, `user has ${field}: ${reply.text}`);
  }
});

test('Identity is required', async () => {
  const reply = await rawRest(emulator, 'POST', '/v1/Users', { form: { FriendlyName: 'no identity' } });
  assert.equal(reply.status, 400, reply.text);
  assert.equal(typeof reply.body?.code, 'number', reply.text);
});

test('fetch a user by SID and by identity', async () => {
  const identity = uniqueName('fetch');
  const created = await v1(client).users.create({ identity, friendlyName: 'Fetchable' });
  const bySid = await v1(client).users(created.sid).fetch();
  assert.equal(bySid.sid, created.sid);
  assert.equal(bySid.identity, identity);
  assert.equal(bySid.friendlyName, 'Fetchable');
  // "sid: The SID of the User resource to fetch. This value can be either the sid or the identity."
  const byIdentity = await v1(client).users(identity).fetch();
  assert.equal(byIdentity.sid, created.sid);
  assert.equal(byIdentity.friendlyName, 'Fetchable');
});

test('update a user (by SID and by identity)', async () => {
  const identity = uniqueName('update');
  const created = await v1(client).users.create({ identity });
  const updated = await v1(client)
    .users(created.sid)
    .update({ friendlyName: 'Renamed', attributes: JSON.stringify({ a: 1 }) });
  assert.equal(updated.sid, created.sid);
  assert.equal(updated.friendlyName, 'Renamed');
  assert.deepEqual(JSON.parse(updated.attributes), { a: 1 });
  assert.equal(updated.identity, identity, 'identity never changes');

  const again = await v1(client).users(identity).update({ friendlyName: 'Renamed twice' });
  assert.equal(again.sid, created.sid);
  assert.equal(again.friendlyName, 'Renamed twice');
  assert.deepEqual(JSON.parse(again.attributes), { a: 1 }, 'attributes unchanged when not given');

  const fetched = await v1(client).users(created.sid).fetch();
  assert.equal(fetched.friendlyName, 'Renamed twice');
});

test('list users across pages', async () => {
  const made = [];
  for (let i = 0; i < 5; i++) made.push((await v1(client).users.create({ identity: uniqueName(`list${i}`) })).sid);
  const all = await v1(client).users.list({ pageSize: 2 });
  const sids = all.map((u) => u.sid);
  assert.equal(new Set(sids).size, sids.length, 'no user listed twice');
  for (const sid of made) assert.ok(sids.includes(sid), `${sid} listed`);

  const reply = await rawRest(emulator, 'GET', '/v1/Users?PageSize=2');
  assert.equal(reply.status, 200, reply.text);
  assert.equal(reply.body.meta.key, 'users');
  assert.equal(reply.body.users.length, 2);
});

test('a duplicate identity is refused with 409', async () => {
  const identity = uniqueName('dup');
  await v1(client).users.create({ identity });
  await assertRestError(v1(client).users.create({ identity }), 409, undefined, 'duplicate identity');
});

test('delete a user: 204, then fetch → 404 (20404)', async () => {
  const identity = uniqueName('gone');
  const created = await v1(client).users.create({ identity });
  const reply = await rawRest(emulator, 'DELETE', `/v1/Users/${created.sid}`);
  assert.equal(reply.status, 204, `${reply.status} ${reply.text}`);
  await assertRestError(v1(client).users(created.sid).fetch(), 404, 20404, 'fetch deleted user');
  await assertRestError(v1(client).users(identity).fetch(), 404, 20404, 'fetch deleted user by identity');
  const second = await v1(client).users.create({ identity: uniqueName('gone2') });
  assert.equal(await v1(client).users(second.sid).remove(), true);
});

test('an unknown user is 404 (20404)', async () => {
  await assertRestError(v1(client).users('US' + '0'.repeat(32)).fetch(), 404, 20404, 'unknown user SID');
  await assertRestError(v1(client).users(uniqueName('nobody')).fetch(), 404, 20404, 'unknown identity');
});

test('adding a chat participant creates its user; User Conversations lists the conversation', async () => {
  const identity = uniqueName('implicit');
  const conversation = await v1(client).conversations.create({ friendlyName: 'user conversations', uniqueName: uniqueName('uc') });
  const participant = await v1(client).conversations(conversation.sid).participants.create({ identity });
  const user = await v1(client).users(identity).fetch();
  assert.equal(user.identity, identity);
  assert.match(user.sid, SID.user);

  const conversations = await v1(client).users(user.sid).userConversations.list();
  assert.deepEqual(
    conversations.map((c) => c.conversationSid),
    [conversation.sid],
  );
  const [uc] = conversations;
  assert.equal(uc.participantSid, participant.sid);
  assert.equal(uc.userSid, user.sid);
  assert.equal(uc.friendlyName, 'user conversations');
  assert.equal(uc.conversationState, 'active');
  assert.equal(uc.chatServiceSid, DEV.serviceSid);
});

test('users on the service-scoped path', async () => {
  const identity = uniqueName('svc-user');
  const service = v1(client).services(DEV.serviceSid);
  const created = await service.users.create({ identity, friendlyName: 'via service' });
  assert.match(created.sid, SID.user);
  assertUrlPath(created.url, `/v1/Services/${DEV.serviceSid}/Users/${created.sid}`);
  assert.equal((await v1(client).users(created.sid).fetch()).friendlyName, 'via service');
  assert.equal((await service.users(identity).fetch()).sid, created.sid);
});
