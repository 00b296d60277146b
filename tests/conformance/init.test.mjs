// The official SDK's init against convo-emulator: accepted with a valid token, denied with a
// forged or expired one — the same outcomes the SDK shows against Twilio.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { accessToken, closeClient, once, sdkClient, startEmulator } from './harness.mjs';

let emulator;
before(async () => {
  emulator = await startEmulator();
});
after(async () => {
  await emulator?.stop();
});

test('the official SDK initialises with only twilsock.uri set', async () => {
  const client = sdkClient(accessToken('alice'), emulator);
  try {
    const state = await once(client, 'connectionStateChanged', 10_000, (s) => s === 'connected' || s === 'denied');
    assert.equal(state, 'connected');
    assert.equal(client.connectionState, 'connected');
  } finally {
    await closeClient(client);
  }
});

test('a token signed with the wrong secret is denied', async () => {
  const client = sdkClient(accessToken('alice', { secret: 'not-the-secret' }), emulator);
  try {
    const error = await once(client, 'connectionError');
    assert.equal(error.terminal, true);
    assert.equal(error.httpStatusCode, 401);
    assert.equal(error.errorCode, 20101);
    assert.equal(client.connectionState, 'denied');
  } finally {
    await closeClient(client);
  }
});

test('an expired token is denied and reported as expired', async () => {
  const expired = accessToken('alice', { issuedAt: Math.floor(Date.now() / 1000) - 7200 });
  const client = sdkClient(expired, emulator);
  try {
    const [error] = await Promise.all([once(client, 'connectionError'), once(client, 'tokenExpired')]);
    assert.equal(error.errorCode, 20104);
    assert.equal(client.connectionState, 'denied');
  } finally {
    await closeClient(client);
  }
});
