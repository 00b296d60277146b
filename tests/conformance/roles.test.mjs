// Roles and permissions: the official SDK refused what a participant's role does not grant
// (Twilio error 50107, "User not authorized for command", HTTP 403), and the Roles REST resource,
// the service Configuration's default roles and RoleSid on participants and users, driven by
// Twilio's official helper library. Role values: https://www.twilio.com/docs/conversations/api/role-resource
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  DEV,
  aliceAndBob,
  assertTwilioError,
  bounded,
  once,
  ready,
  rejectionOf,
  session,
  startEmulator,
  uniqueName,
} from './harness.mjs';
import { SID, assertRecentDate, assertRestError, assertUrlPath, restClient, v1 } from './rest-harness.mjs';

/** Twilio's "User not authorized for command" (https://www.twilio.com/docs/api/errors/50107). */
const NOT_AUTHORIZED = 50107;

let emulator;
let client;
let s;
before(async () => {
  emulator = await startEmulator();
  client = restClient(emulator);
  s = session(emulator);
});
after(async () => {
  await s?.close();
  await emulator?.stop();
});

/** An SDK rejection: HTTP 403 with Twilio's missing-permission code. */
async function assertNotAuthorized(promise, what) {
  const error = await bounded(rejectionOf(promise, what), what);
  assertTwilioError(error, 403);
  assert.equal(error.body.code, NOT_AUTHORIZED, `${what}: ${JSON.stringify(error.body)}`);
}

const roles = () => v1(client).roles;
const serviceConfiguration = () => v1(client).services(DEV.serviceSid).configuration();

/** The SDK conversation `client` gets once the backend adds it through REST (with `options`). */
async function addedThroughRest(conversationSid, sdkClient, options = {}) {
  const joined = once(sdkClient, 'conversationJoined', 10_000, (c) => c.sid === conversationSid);
  const participant = await v1(client)
    .conversations(conversationSid)
    .participants.create({ identity: sdkClient.user.identity, ...options });
  return { participant, conversation: await ready(await joined) };
}

test('a default-role participant cannot rename, re-attribute, add, remove or delete (403, 50107)', async () => {
  const { alice, bob, aliceConv, bobConv } = await aliceAndBob(s, { friendlyName: 'Kept', attributes: { v: 1 } });
  const carol = uniqueName('carol');

  await assertNotAuthorized(bobConv.updateFriendlyName('Taken over'), 'updateFriendlyName');
  await assertNotAuthorized(bobConv.updateAttributes({ v: 2 }), 'updateAttributes');
  await assertNotAuthorized(bobConv.add(carol), 'add');
  await assertNotAuthorized(bobConv.removeParticipant(alice.user.identity), 'removeParticipant');
  await assertNotAuthorized(bobConv.delete(), 'delete');

  const fetched = await v1(client).conversations(aliceConv.sid).fetch();
  assert.equal(fetched.friendlyName, 'Kept');
  assert.deepEqual(JSON.parse(fetched.attributes), { v: 1 });
  const identities = (await v1(client).conversations(aliceConv.sid).participants.list()).map((p) => p.identity).sort();
  assert.deepEqual(identities, [alice.user.identity, bob.user.identity].sort());
});

test('a default-role participant sends, edits and removes its own messages, edits its own attributes, reads and leaves', async () => {
  const { alice, bob, aliceConv, bobConv } = await aliceAndBob(s);
  await bounded(bobConv.sendMessage('mine'), 'sendMessage');
  const [mine] = (await bounded(bobConv.getMessages(), 'getMessages')).items;
  await bounded(mine.updateBody('mine, edited'), 'updateBody');
  await bounded(mine.updateAttributes({ edited: true }), 'message updateAttributes');
  const [me] = (await bounded(bobConv.getParticipants(), 'getParticipants')).filter((p) => p.identity === bob.user.identity);
  await bounded(me.updateAttributes({ away: true }), 'own participant updateAttributes');
  await bounded(bobConv.setAllMessagesRead(), 'setAllMessagesRead');
  await bounded(mine.remove(), 'remove own message');

  // Not someone else's: alice's message stays hers (refused with 403, as before roles).
  const arrived = once(bobConv, 'messageAdded', 10_000, (m) => m.author === alice.user.identity);
  await bounded(aliceConv.sendMessage('hers'), 'alice sendMessage');
  const hers = await arrived;
  assertTwilioError(await bounded(rejectionOf(hers.updateBody('not yours'), 'updateBody on another author\'s message'), 'updateBody'), 403);
  assertTwilioError(await bounded(rejectionOf(hers.remove(), 'remove another author\'s message'), 'remove'), 403);

  const left = once(aliceConv, 'participantLeft', 10_000, (p) => p.identity === bob.user.identity);
  await bounded(bobConv.leave(), 'leave');
  await left;
});

test('the creator joins with the creator role, others get the default conversation role', async () => {
  const { alice, bob, aliceConv } = await aliceAndBob(s);
  const configuration = await serviceConfiguration().fetch();
  const participants = await bounded(aliceConv.getParticipants(), 'getParticipants');
  const roleOf = (identity) => participants.find((p) => p.identity === identity).roleSid;
  assert.equal(roleOf(alice.user.identity), configuration.defaultConversationCreatorRoleSid);
  assert.equal(roleOf(bob.user.identity), configuration.defaultConversationRoleSid);
});

test('the service starts with Twilio\'s default roles, named by its Configuration', async () => {
  const configuration = await serviceConfiguration().fetch();
  assert.equal(configuration.chatServiceSid, DEV.serviceSid);
  assertUrlPath(configuration.url, `/v1/Services/${DEV.serviceSid}/Configuration`);
  for (const field of ['defaultChatServiceRoleSid', 'defaultConversationRoleSid', 'defaultConversationCreatorRoleSid']) {
    assert.match(configuration[field], SID.role, field);
  }

  const listed = await roles().list();
  const byName = Object.fromEntries(listed.map((r) => [r.friendlyName, r]));
  assert.deepEqual(
    ['service admin', 'service user', 'channel admin', 'channel user'].map((name) => byName[name]?.type),
    ['service', 'service', 'conversation', 'conversation'],
  );
  assert.equal(byName['service user'].sid, configuration.defaultChatServiceRoleSid);
  assert.equal(byName['channel user'].sid, configuration.defaultConversationRoleSid);
  assert.equal(byName['channel admin'].sid, configuration.defaultConversationCreatorRoleSid);
  const user = byName['channel user'].permissions;
  for (const granted of ['sendMessage', 'sendMediaMessage', 'leaveConversation', 'editOwnMessage', 'deleteOwnMessage', 'editOwnParticipantAttributes']) {
    assert.ok(user.includes(granted), `channel user has ${granted}`);
  }
  for (const denied of ['addParticipant', 'removeParticipant', 'editConversationName', 'editConversationAttributes', 'deleteConversation']) {
    assert.ok(!user.includes(denied), `channel user lacks ${denied}`);
  }
  // The service-scoped path lists the same roles.
  const scoped = await v1(client).services(DEV.serviceSid).roles.list();
  assert.deepEqual(scoped.map((r) => r.sid).sort(), listed.map((r) => r.sid).sort());
});

test('roles.create / fetch / update / list / remove, with Twilio\'s fields', async () => {
  const name = uniqueName('moderator');
  const created = await roles().create({ friendlyName: name, type: 'conversation', permission: ['sendMessage', 'editConversationName'] });
  assert.match(created.sid, SID.role);
  assert.equal(created.accountSid, DEV.accountSid);
  assert.equal(created.chatServiceSid, DEV.serviceSid);
  assert.equal(created.friendlyName, name);
  assert.equal(created.type, 'conversation');
  assert.deepEqual(created.permissions, ['sendMessage', 'editConversationName']);
  assertRecentDate(created.dateCreated, 'dateCreated');
  assertRecentDate(created.dateUpdated, 'dateUpdated');
  assertUrlPath(created.url, `/v1/Roles/${created.sid}`);

  const fetched = await roles()(created.sid).fetch();
  assert.deepEqual(fetched.toJSON(), created.toJSON());

  // An update replaces the permissions (Twilio: "replaces all previously assigned permissions").
  const updated = await roles()(created.sid).update({ permission: ['removeParticipant'] });
  assert.deepEqual(updated.permissions, ['removeParticipant']);
  assert.ok((await roles().list()).some((r) => r.sid === created.sid && r.permissions.join() === 'removeParticipant'));

  // Service-scoped: the same role.
  const scoped = await v1(client).services(DEV.serviceSid).roles(created.sid).fetch();
  assertUrlPath(scoped.url, `/v1/Services/${DEV.serviceSid}/Roles/${created.sid}`);

  assert.equal(await roles()(created.sid).remove(), true);
  await assertRestError(roles()(created.sid).fetch(), 404, undefined, 'fetch a removed role');
});

test('service roles; bad types and permissions are refused; default roles cannot be removed', async () => {
  const service = await v1(client).services(DEV.serviceSid).roles.create({
    friendlyName: uniqueName('supervisor'),
    type: 'service',
    permission: ['joinConversation', 'addParticipant', 'removeParticipant', 'editOwnUserInfo'],
  });
  assert.equal(service.type, 'service');
  await assertRestError(
    roles().create({ friendlyName: uniqueName('bad'), type: 'conversation', permission: ['createConversation'] }),
    400,
    undefined,
    'a service permission in a conversation role',
  );
  await assertRestError(
    roles().create({ friendlyName: uniqueName('bad'), type: 'conversation', permission: ['sendMesage'] }),
    400,
    undefined,
    'an unknown permission',
  );
  await assertRestError(roles().create({ friendlyName: uniqueName('bad'), type: 'channel', permission: ['sendMessage'] }), 400, undefined, 'an unknown type');
  const configuration = await serviceConfiguration().fetch();
  await assertRestError(roles()(configuration.defaultConversationRoleSid).remove(), 400, undefined, 'removing the default conversation role');
});

test('an admin role given through REST grants what the default lacks; RoleSid on participants', async () => {
  const moderator = await roles().create({
    friendlyName: uniqueName('moderator'),
    type: 'conversation',
    permission: ['sendMessage', 'editConversationName', 'editConversationAttributes', 'removeParticipant', 'addParticipant'],
  });
  const conversation = await v1(client).conversations.create({ friendlyName: 'Support' });
  const visitor = await s.client(uniqueName('visitor'));
  const agent = await s.client(uniqueName('agent'));
  const { participant: visitorParticipant, conversation: visitorConv } = await addedThroughRest(conversation.sid, visitor);
  const agentSeen = once(visitorConv, 'participantJoined', 10_000, (p) => p.identity === agent.user.identity);
  const { participant: agentParticipant, conversation: agentConv } = await addedThroughRest(conversation.sid, agent, { roleSid: moderator.sid });
  const configuration = await serviceConfiguration().fetch();
  assert.equal(visitorParticipant.roleSid, configuration.defaultConversationRoleSid);
  assert.equal(agentParticipant.roleSid, moderator.sid);
  const seen = await agentSeen;
  assert.equal(seen.roleSid, moderator.sid, 'the roster carries the role to the SDK');

  await assertNotAuthorized(visitorConv.updateFriendlyName('Mine now'), 'visitor updateFriendlyName');
  await bounded(agentConv.updateFriendlyName('Support (resolved)'), 'agent updateFriendlyName');
  await bounded(agentConv.updateAttributes({ resolved: true }), 'agent updateAttributes');
  await assertNotAuthorized(agentConv.delete(), 'agent delete (not granted)');

  // Upgraded through REST, the visitor may rename too.
  const upgraded = await v1(client).conversations(conversation.sid).participants(visitorParticipant.sid).update({ roleSid: moderator.sid });
  assert.equal(upgraded.roleSid, moderator.sid);
  await bounded(visitorConv.updateFriendlyName('Renamed by an upgraded visitor'), 'upgraded visitor updateFriendlyName');

  // And the moderator removes the visitor.
  const left = once(agentConv, 'participantLeft', 10_000, (p) => p.identity === visitor.user.identity);
  await bounded(agentConv.removeParticipant(visitor.user.identity), 'agent removeParticipant');
  await left;

  await assertRestError(
    v1(client).conversations(conversation.sid).participants.create({ identity: uniqueName('x'), roleSid: configuration.defaultChatServiceRoleSid }),
    400,
    undefined,
    'a service role given to a participant',
  );
});

test('RoleSid on users; default_conversation_role_sid decides what new participants get', async () => {
  const configuration = await serviceConfiguration().fetch();
  const plain = await v1(client).users.create({ identity: uniqueName('plain') });
  assert.equal(plain.roleSid, configuration.defaultChatServiceRoleSid);
  const admin = (await roles().list()).find((r) => r.friendlyName === 'service admin');
  const boss = await v1(client).users.create({ identity: uniqueName('boss'), roleSid: admin.sid });
  assert.equal(boss.roleSid, admin.sid);
  const demoted = await v1(client).users(boss.sid).update({ roleSid: configuration.defaultChatServiceRoleSid });
  assert.equal(demoted.roleSid, configuration.defaultChatServiceRoleSid);

  const quiet = await roles().create({ friendlyName: uniqueName('read-mostly'), type: 'conversation', permission: ['leaveConversation'] });
  try {
    const updated = await serviceConfiguration().update({ defaultConversationRoleSid: quiet.sid });
    assert.equal(updated.defaultConversationRoleSid, quiet.sid);
    const conversation = await v1(client).conversations.create({});
    const reader = await s.client(uniqueName('reader'));
    const { participant, conversation: readerConv } = await addedThroughRest(conversation.sid, reader);
    assert.equal(participant.roleSid, quiet.sid);
    await assertNotAuthorized(readerConv.sendMessage('may I?'), 'sendMessage without sendMessage');
  } finally {
    await serviceConfiguration().update({ defaultConversationRoleSid: configuration.defaultConversationRoleSid });
  }
  await assertRestError(
    serviceConfiguration().update({ defaultConversationRoleSid: configuration.defaultChatServiceRoleSid }),
    400,
    undefined,
    'a service role as the default conversation role',
  );
});
