// Service-scoped post-event webhooks (/v1/Services/{ChatServiceSid}/Configuration/Webhooks):
// configured with the official helper library, delivered and signed as Twilio does.
// Its own emulator, so no account-level target is configured here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { DEV, session, ready, startEmulator, uniqueName, withTimeout } from './harness.mjs';
import {
  SID,
  WEBHOOKS_ON,
  assertRestError,
  assertSignedByTwilio,
  assertUrlPath,
  restClient,
  startWebhookReceiver,
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

const serviceWebhooks = () => v1(client).services(DEV.serviceSid).configuration.webhooks();

test('configure the service webhook; fetch reads it back', async () => {
  const url = `http://127.0.0.1:9/${uniqueName('svc-hook')}`;
  const filters = ['onMessageAdded', 'onParticipantAdded'];
  const updated = await serviceWebhooks().update({ postWebhookUrl: url, method: 'POST', filters });
  assert.equal(updated.accountSid, DEV.accountSid);
  assert.equal(updated.chatServiceSid, DEV.serviceSid);
  assert.equal(updated.postWebhookUrl, url);
  assert.equal(updated.method, 'POST');
  assert.deepEqual(updated.filters, filters);
  assertUrlPath(updated.url, `/v1/Services/${DEV.serviceSid}/Configuration/Webhooks`);

  const fetched = await serviceWebhooks().fetch();
  assert.equal(fetched.postWebhookUrl, url);
  assert.deepEqual(fetched.filters, filters);
  assert.equal(fetched.method, 'POST');
});

test('an unknown service has no webhook configuration (404)', async () => {
  await assertRestError(
    v1(client).services('IS' + 'f'.repeat(32)).configuration.webhooks().fetch(),
    404,
    20404,
    'unknown service webhooks',
  );
});

test('the service webhook receives REST (with the header) and SDK events, signed', async () => {
  const receiver = await startWebhookReceiver();
  const s = session(emulator);
  try {
    await serviceWebhooks().update({ postWebhookUrl: receiver.url, method: 'POST', filters: ['onMessageAdded', 'onParticipantAdded'] });

    const conversation = await v1(client).services(DEV.serviceSid).conversations.create({ friendlyName: 'svc hooked' });
    const identity = uniqueName('svc-member');
    const participant = await v1(client)
      .services(DEV.serviceSid)
      .conversations(conversation.sid)
      .participants.create({ identity, ...WEBHOOKS_ON });
    const pAdded = await receiver.waitForEvent('onParticipantAdded', (r) => r.params.ParticipantSid === participant.sid);
    assert.equal(pAdded.params.ChatServiceSid, DEV.serviceSid);
    assert.equal(pAdded.params.AccountSid, DEV.accountSid);
    assert.equal(pAdded.params.ConversationSid, conversation.sid);
    assert.equal(pAdded.params.Identity, identity);
    assert.equal(pAdded.params.Source, 'API');
    await assertSignedByTwilio(pAdded, receiver.url);

    const restMessage = await v1(client).conversations(conversation.sid).messages.create({ author: identity, body: 'rest', ...WEBHOOKS_ON });
    const restHook = await receiver.waitForEvent('onMessageAdded', (r) => r.params.MessageSid === restMessage.sid);
    assert.equal(restHook.params.Source, 'API');
    assert.equal(restHook.params.Body, 'rest');
    assert.equal(restHook.params.ChatServiceSid, DEV.serviceSid);
    await assertSignedByTwilio(restHook, receiver.url);

    const user = await s.client(identity);
    const conv = await ready(await withTimeout(user.getConversationBySid(conversation.sid), 10_000, 'getConversationBySid'));
    await conv.sendMessage('sdk');
    const sdkHook = await receiver.waitForEvent('onMessageAdded', (r) => r.params.Body === 'sdk');
    assert.equal(sdkHook.params.Source, 'SDK');
    assert.equal(sdkHook.params.ClientIdentity, identity);
    assert.equal(sdkHook.params.Author, identity);
    assert.match(sdkHook.params.MessageSid, SID.message);
    assert.equal(sdkHook.params.ParticipantSid, participant.sid);
    await assertSignedByTwilio(sdkHook, receiver.url);

    // A REST write without the header: nothing.
    const quiet = await v1(client).conversations(conversation.sid).messages.create({ body: 'quiet' });
    await new Promise((r) => setTimeout(r, 1_000));
    assert.ok(!receiver.requests.some((r) => r.params.MessageSid === quiet.sid), 'no webhook without X-Twilio-Webhook-Enabled');
  } finally {
    await s.close();
    await receiver.close();
  }
});
