// Access-token lifecycle on a live connection (transport.md §2.7–§2.9, §3.3): the server warns
// 3 minutes before `exp` (at once when less is left), accepts a refreshed token with `update`,
// and closes with 410 at `exp`. (Refusals at init are in init.test.mjs.)
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  accessToken,
  bounded,
  initialized,
  once,
  record,
  rejectionOf,
  session,
  sleep,
  startConversation,
  startEmulator,
  tokenExpiryMs,
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
describe('token lifecycle', { concurrency: true }, () => {
  test('tokenAboutToExpire fires for a token with less than 3 minutes left, not for a fresh one', async () => {
    const s = session(emulator);
    try {
      const shortLived = s.sdk(accessToken(uniqueName('short'), { ttl: 120 }));
      const longLived = s.sdk(accessToken(uniqueName('long'), { ttl: 3600 }));
      const warnedLong = record(longLived, 'tokenAboutToExpire');
      const warned = once(shortLived, 'tokenAboutToExpire', 10_000);
      await Promise.all([initialized(shortLived), initialized(longLived)]);
      await warned;
      // Bounded wait for something that must not happen.
      await sleep(1_500);
      assert.equal(warnedLong.events.length, 0, 'a token with an hour left was reported as about to expire');
      warnedLong.stop();
    } finally {
      await s.close();
    }
  });

  test('updateToken before expiry keeps the session alive past the old expiry', async () => {
    const s = session(emulator);
    try {
      const identity = uniqueName('refresh');
      const oldToken = accessToken(identity, { ttl: 6 });
      const client = s.sdk(oldToken);
      const expired = record(client, 'tokenExpired');
      const warned = once(client, 'tokenAboutToExpire', 5_000);
      await initialized(client);
      await warned;
      const states = record(client, 'connectionStateChanged');

      await client.updateToken(accessToken(identity, { ttl: 3600 }));
      // Past the old token's exp (+2 s slack for the server's timer), the session must still be up.
      await sleep(Math.max(0, tokenExpiryMs(oldToken) + 2_000 - Date.now()));
      assert.equal(expired.events.length, 0, 'tokenExpired after a successful updateToken');
      assert.equal(client.connectionState, 'connected');
      assert.deepEqual(states.events, [], 'the connection did not drop');
      // And the server still serves it.
      const conversation = await startConversation(client);
      assert.match(conversation.sid, /^CH[0-9a-f]{32}$/);
      expired.stop();
      states.stop();
    } finally {
      await s.close();
    }
  });

  test('at expiry the server closes with 410: tokenExpired, no reconnect', async () => {
    const s = session(emulator);
    try {
      const token = accessToken(uniqueName('expiring'), { ttl: 5 });
      const expiresAt = tokenExpiryMs(token);
      const client = s.sdk(token);
      const expired = once(client, 'tokenExpired', 15_000);
      await initialized(client);
      assert.equal(client.connectionState, 'connected');
      const states = record(client, 'connectionStateChanged');

      await expired;
      const at = Date.now();
      assert.ok(at >= expiresAt - 1_000, `tokenExpired ${expiresAt - at} ms before exp`);
      assert.ok(at <= expiresAt + 3_000, `tokenExpired ${at - expiresAt} ms after exp`);
      // 410 means "disconnecting" then "disconnected" (after the SDK's 3 s timer), never "connecting".
      await states.waitFor(2, 8_000);
      await sleep(1_500);
      assert.deepEqual(states.events, ['disconnecting', 'disconnected'], 'state changes after the 410');
      states.stop();
    } finally {
      await s.close();
    }
  });

  test('updateToken with a forged token is refused and the client is denied', async () => {
    const s = session(emulator);
    try {
      const identity = uniqueName('forger');
      const client = await s.client(identity);
      // Let the background load of the conversation list finish first: requests still in flight
      // when the connection is refused would fail inside the SDK, with nobody to catch them.
      await bounded(client.getSubscribedConversations(), 'getSubscribedConversations');
      const denied = once(client, 'connectionStateChanged', 10_000, (state) => state === 'denied');
      const error = await rejectionOf(client.updateToken(accessToken(identity, { secret: 'not-the-secret' })), 'a forged token update');
      assert.ok(error instanceof Error);
      await denied;
      assert.equal(client.connectionState, 'denied');
    } finally {
      await s.close();
    }
  });
});
