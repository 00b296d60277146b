// Twilio's documented limits (DESIGN.md rule 8): message body 32 KB, message and participant
// attributes 4 KB, conversation attributes 16 KB, friendly name 256 characters, media 150 MB per
// file and 10 per message. Over a limit the request is refused with HTTP 400 and a Twilio error
// body, and nothing is stored; at the limit it is accepted (so a limit that is too low fails too).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';

import {
  LIMITS,
  accessToken,
  addParticipant,
  assertTwilioBody,
  assertTwilioError,
  bounded,
  once,
  randomPayload,
  record,
  rejectionOf,
  session,
  sleep,
  startConversation,
  startEmulator,
  uniqueName,
  until,
  withTimeout,
} from './harness.mjs';

const AIM = 'https://aim.us1.twilio.com';

let emulator;
let s;
/** alice and bob in one conversation; alice also has a raw socket and her links. */
let fx;

before(async () => {
  emulator = await startEmulator();
  s = session(emulator);
  const aliceIdentity = uniqueName('alice');
  const alice = await s.client(aliceIdentity);
  const bob = await s.client(uniqueName('bob'));
  const conversation = await startConversation(alice);
  const bobConv = await addParticipant(conversation, bob);
  const aliceRaw = await s.rawAs(aliceIdentity);
  const config = await aliceRaw.ok('GET', `${AIM}/Client/v2/Configuration`);
  fx = { alice, bob, conversation, bobConv, aliceRaw, config, token: accessToken(aliceIdentity) };
});
after(async () => {
  await s?.close();
  await emulator?.stop();
});

/** The stored message count, read from the server (the SDK's own read is cached). */
async function storedMessages(conversation = fx.conversation) {
  const body = await fx.aliceRaw.ok('GET', `${fx.config.links.conversations}/${conversation.sid}`);
  assert.equal(typeof body.messages_count, 'number', 'messages_count in the conversation resource');
  return body.messages_count;
}

/** Attributes whose JSON is exactly `bytes` long. */
function attributesOfSize(bytes) {
  const attributes = { pad: 'x'.repeat(bytes - '{"pad":""}'.length) };
  assert.equal(Buffer.byteLength(JSON.stringify(attributes)), bytes);
  return attributes;
}

/** Messages bob's client is told about in the fixture conversation from now on. */
const bobSees = () => record(fx.bob, 'messageAdded', (m) => m.conversation.sid === fx.conversation.sid);

/** Sends a marker and waits for bob to get it: everything sent before it has been delivered. */
async function flush(seen) {
  const marker = uniqueName('marker');
  await fx.conversation.sendMessage(marker);
  await until(fx.bob, 'messageAdded', () => seen.events.some((m) => m.body === marker), 10_000, 'marker message');
  return seen.events.filter((m) => m.body !== marker);
}

test('the configuration advertises 10 media per message and 150 MB per file', () => {
  const { limits } = fx.conversation;
  assert.equal(limits.mediaAttachmentsCountLimit, LIMITS.mediaPerMessage);
  assert.equal(limits.mediaAttachmentSizeLimitInMb, 150);
});

test('a message body over 32 KB is refused; exactly 32 KB is accepted', async () => {
  const seen = bobSees();
  try {
    const before = await storedMessages();
    const atLimit = 'b'.repeat(LIMITS.messageBodyBytes);
    await fx.conversation.sendMessage(atLimit);

    assertTwilioError(await rejectionOf(fx.conversation.sendMessage('b'.repeat(LIMITS.messageBodyBytes + 1)), '32 KB + 1 body'), 400);
    // The limit is in bytes: 16 385 two-byte characters are 32 770 bytes.
    assertTwilioError(await rejectionOf(fx.conversation.sendMessage('é'.repeat(LIMITS.messageBodyBytes / 2 + 1)), 'multi-byte body over 32 KB'), 400);

    const delivered = await flush(seen);
    assert.deepEqual(delivered.map((m) => m.body.length), [LIMITS.messageBodyBytes], 'only the at-limit body was delivered');
    assert.equal(await storedMessages(), before + 2, 'the at-limit message and the marker were stored, nothing else');
  } finally {
    seen.stop();
  }
});

test('message attributes over 4 KB are refused; exactly 4 KB is accepted', async () => {
  const seen = bobSees();
  try {
    const before = await storedMessages();
    await fx.conversation.sendMessage('attrs at limit', attributesOfSize(LIMITS.messageAttributesBytes));
    assertTwilioError(await rejectionOf(fx.conversation.sendMessage('attrs over', attributesOfSize(LIMITS.messageAttributesBytes + 1)), 'message attributes of 4 KB + 1'), 400);
    const delivered = await flush(seen);
    assert.deepEqual(delivered.map((m) => m.body), ['attrs at limit']);
    assert.deepEqual(delivered[0].attributes, attributesOfSize(LIMITS.messageAttributesBytes));
    assert.equal(await storedMessages(), before + 2);
  } finally {
    seen.stop();
  }
});

test('editing a message over the body or attributes limit is refused and changes nothing', async () => {
  const arrived = once(fx.bob, 'messageAdded', 10_000, (m) => m.body === 'edit me');
  const mineArrived = once(fx.alice, 'messageAdded', 10_000, (m) => m.body === 'edit me');
  await fx.conversation.sendMessage('edit me', { v: 1 });
  const [theirs, mine] = await Promise.all([arrived, mineArrived]);
  const updates = record(fx.bob, 'messageUpdated', ({ message }) => message.sid === theirs.sid);
  try {
    assertTwilioError(await rejectionOf(mine.updateBody('e'.repeat(LIMITS.messageBodyBytes + 1)), 'an edit to a 32 KB + 1 body'), 400);
    assertTwilioError(await rejectionOf(mine.updateAttributes(attributesOfSize(LIMITS.messageAttributesBytes + 1)), 'an edit to 4 KB + 1 attributes'), 400);
    await sleep(1_000);
    assert.deepEqual(updates.events, [], 'a refused edit was pushed');
    // A fresh read from the server shows the original.
    const bob2 = await s.client(fx.bob.user.identity);
    const page = await bounded(bob2.getConversationBySid(fx.conversation.sid).then((c) => c.getMessages(5)), 'getMessages');
    const stored = page.items.find((m) => m.sid === theirs.sid);
    assert.equal(stored.body, 'edit me');
    assert.deepEqual(stored.attributes, { v: 1 });
  } finally {
    updates.stop();
  }
});

test('participant attributes over 4 KB are refused; exactly 4 KB is accepted', async () => {
  const over = uniqueName('over');
  const at = uniqueName('at');
  const joined = record(fx.conversation, 'participantJoined');
  try {
    assertTwilioError(await rejectionOf(fx.conversation.add(over, attributesOfSize(LIMITS.participantAttributesBytes + 1)), 'participant attributes of 4 KB + 1'), 400);
    await fx.conversation.add(at, attributesOfSize(LIMITS.participantAttributesBytes));
    await until(fx.conversation, 'participantJoined', () => joined.events.some((p) => p.identity === at), 10_000, 'the at-limit participant joins');
    const identities = (await bounded(fx.conversation.getParticipants(), 'getParticipants')).map((p) => p.identity);
    assert.ok(identities.includes(at));
    assert.ok(!identities.includes(over), 'the refused participant was added');
    assert.deepEqual(joined.events.map((p) => p.identity), [at]);

    // Updating a participant over the limit is refused too, and changes nothing.
    const [me] = (await bounded(fx.conversation.getParticipants(), 'getParticipants')).filter((p) => p.identity === fx.alice.user.identity);
    const before = me.attributes;
    const updates = record(fx.bobConv, 'participantUpdated', ({ participant }) => participant.identity === fx.alice.user.identity);
    assertTwilioError(await rejectionOf(me.updateAttributes(attributesOfSize(LIMITS.participantAttributesBytes + 1)), 'participant update of 4 KB + 1'), 400);
    await sleep(1_000);
    updates.stop();
    assert.deepEqual(updates.events, [], 'a refused participant update was pushed');
    assert.deepEqual(me.attributes, before);
  } finally {
    joined.stop();
  }
});

test('conversation attributes over 16 KB are refused; exactly 16 KB is accepted', async () => {
  const name = uniqueName('big-attrs');
  assertTwilioError(await rejectionOf(fx.alice.createConversation({ uniqueName: name, attributes: attributesOfSize(LIMITS.conversationAttributesBytes + 1) }), 'conversation attributes of 16 KB + 1'), 400);
  // Nothing stored: the unique name is still free.
  const created = await fx.alice.createConversation({ uniqueName: name, attributes: attributesOfSize(LIMITS.conversationAttributesBytes) });
  assert.deepEqual(created.attributes, attributesOfSize(LIMITS.conversationAttributesBytes));

  const updates = record(fx.bobConv, 'updated');
  try {
    assertTwilioError(await rejectionOf(fx.conversation.updateAttributes(attributesOfSize(LIMITS.conversationAttributesBytes + 1)), 'conversation update of 16 KB + 1'), 400);
    await sleep(1_000);
    assert.deepEqual(updates.events.filter((e) => e.updateReasons.includes('attributes')), [], 'a refused update was pushed');
    assert.deepEqual(fx.bobConv.attributes, {});
    const fresh = await fx.aliceRaw.ok('GET', `${fx.config.links.conversations}/${fx.conversation.sid}`);
    const stored = typeof fresh.attributes === 'string' ? JSON.parse(fresh.attributes) : fresh.attributes;
    assert.deepEqual(stored, {}, 'stored attributes unchanged');
  } finally {
    updates.stop();
  }
});

test('a friendly name over 256 characters is refused; 256 characters are accepted', async () => {
  const name = uniqueName('long-name');
  assertTwilioError(await rejectionOf(fx.alice.createConversation({ uniqueName: name, friendlyName: 'n'.repeat(LIMITS.friendlyNameChars + 1) }), 'a 257-character friendly name'), 400);
  // The limit counts characters: 256 two-byte characters are fine. And the unique name is free.
  const longest = 'é'.repeat(LIMITS.friendlyNameChars);
  const created = await fx.alice.createConversation({ uniqueName: name, friendlyName: longest });
  assert.equal(created.friendlyName, longest);

  const original = fx.conversation.friendlyName;
  assertTwilioError(await rejectionOf(fx.conversation.updateFriendlyName('n'.repeat(LIMITS.friendlyNameChars + 1)), 'a 257-character rename'), 400);
  await sleep(500);
  assert.equal(fx.bobConv.friendlyName, original);
  const fresh = await fx.aliceRaw.ok('GET', `${fx.config.links.conversations}/${fx.conversation.sid}`);
  assert.equal(fresh.friendly_name, original);
});

test('a media file over 150 MB is refused by the SDK path and no message is stored', async () => {
  const seen = bobSees();
  try {
    const before = await storedMessages();
    const huge = Buffer.alloc(LIMITS.mediaBytesOver, 0x61);
    // A timeout is a failure, not a refusal: the send must settle, and settle as a rejection.
    const outcome = await withTimeout(
      fx.conversation.sendMessage({ contentType: 'application/octet-stream', filename: 'huge.bin', media: huge }).then(() => 'sent', (error) => error),
      90_000,
      'the oversized media send',
    );
    assert.ok(outcome instanceof Error, `a media file of 150 MB + 1 was accepted (${outcome})`);
    const delivered = await flush(seen);
    assert.deepEqual(delivered, [], 'a message was delivered for the refused media');
    assert.equal(await storedMessages(), before + 1, 'only the marker was stored');
  } finally {
    seen.stop();
  }
});

/**
 * POSTs `size` bytes to MCS, streamed in 1 MB chunks, stopping as soon as the server answers.
 * With `expectContinue`, the server may refuse on Content-Length before any byte is sent.
 */
function postMedia(url, token, size, { expectContinue = false } = {}) {
  return withTimeout(new Promise((resolve, reject) => {
    let responded = false;
    const request = http.request(url, {
      method: 'POST',
      headers: {
        'X-Twilio-Token': token,
        'Content-Type': 'application/octet-stream',
        'Content-Length': size,
        ...(expectContinue ? { Expect: '100-continue' } : {}),
      },
    });
    request.on('response', (response) => {
      responded = true;
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body = text;
        try {
          body = JSON.parse(text);
        } catch {
          // Left as text for the assertion message.
        }
        resolve({ status: response.statusCode, body });
        request.destroy();
      });
    });
    request.on('error', (error) => {
      if (!responded) reject(error);
    });
    const chunk = Buffer.alloc(1024 * 1024, 0x5a);
    const writeBody = async () => {
      let left = size;
      while (left > 0 && !responded && !request.destroyed) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!request.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          await new Promise((resume) => {
            const done = () => {
              request.off('drain', done);
              request.off('response', done);
              request.off('close', done);
              resume();
            };
            request.on('drain', done);
            request.on('response', done);
            request.on('close', done);
          });
        }
      }
      if (!responded && !request.destroyed) request.end();
    };
    if (expectContinue) {
      request.on('continue', writeBody);
      request.flushHeaders();
    } else {
      writeBody();
    }
  }), 90_000, `POST ${size} bytes to ${url}`);
}

test('MCS refuses a file over 150 MB with a 400 Twilio error and accepts one under it', async () => {
  const url = `${fx.config.links.media_service}?Category=media`;
  const refused = await postMedia(url, fx.token, LIMITS.mediaBytesOver, { expectContinue: true });
  assert.equal(refused.status, 400, `HTTP status (body ${JSON.stringify(refused.body)})`);
  assertTwilioBody(refused.body, 400, 'MCS refusal');

  const accepted = await postMedia(url, fx.token, LIMITS.mediaBytesUnder);
  assert.equal(accepted.status, 201, `HTTP status (body ${JSON.stringify(accepted.body).slice(0, 300)})`);
  assert.match(accepted.body.sid, /^ME[0-9a-f]{32}$/);
  assert.equal(accepted.body.size, LIMITS.mediaBytesUnder);
});

/** Uploads a small file straight to MCS; resolves with its sid. */
async function upload(bytes) {
  const response = await fetch(`${fx.config.links.media_service}?Category=media&Filename=f.bin`, {
    signal: AbortSignal.timeout(15_000),
    method: 'POST',
    headers: { 'X-Twilio-Token': fx.token, 'Content-Type': 'application/octet-stream' },
    body: bytes,
  });
  assert.ok(response.status >= 200 && response.status < 300, `upload: HTTP ${response.status}`);
  const record = await response.json();
  assert.match(record.sid, /^ME[0-9a-f]{32}$/);
  return record.sid;
}

test('a message with 10 media is accepted; with 11 it is refused by the server', async () => {
  const seen = bobSees();
  try {
    const before = await storedMessages();
    // Ten through the SDK's message builder (which itself enforces the advertised limit).
    const builder = fx.conversation.prepareMessage().setBody('ten files');
    for (let i = 0; i < LIMITS.mediaPerMessage; i++) builder.addMedia({ contentType: 'text/plain', filename: `f${i}.txt`, media: Buffer.from(`file ${i}`) });
    await builder.build().send();
    const tooMany = fx.conversation.prepareMessage();
    for (let i = 0; i <= LIMITS.mediaPerMessage; i++) tooMany.addMedia({ contentType: 'text/plain', media: Buffer.from(`x${i}`) });
    assert.throws(() => tooMany.build(), /Too many media/, 'the SDK refuses 11 against the advertised limit');

    // Eleven straight to the server, bypassing the SDK's own check.
    const sids = [];
    for (let i = 0; i <= LIMITS.mediaPerMessage; i++) sids.push(await upload(randomPayload(64)));
    const reply = await fx.aliceRaw.request('POST', `${fx.config.links.conversations}/${fx.conversation.sid}/Messages`, JSON.stringify({ media_sids: sids, attributes: '{}' }));
    assert.equal(reply.httpStatus, 400, `11 media: HTTP ${reply.httpStatus} ${JSON.stringify(reply.body)}`);
    assertTwilioBody(reply.body, 400, '11 media refusal');

    const delivered = await flush(seen);
    assert.equal(delivered.length, 1, 'only the 10-media message was delivered');
    assert.equal(delivered[0].body, 'ten files');
    assert.equal(delivered[0].attachedMedia.length, LIMITS.mediaPerMessage);
    assert.equal(await storedMessages(), before + 2);
  } finally {
    seen.stop();
  }
});
