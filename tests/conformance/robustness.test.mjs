// Malformed input on one socket ends that socket only (DESIGN.md rule 8, transport.md §2.2): the
// emulator closes the offending connection while connected SDK clients keep working untouched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  accessToken,
  aliceAndBob,
  encodeFrame,
  once,
  record,
  session,
  startConversation,
  startEmulator,
  uniqueName,
  withTimeout,
} from './harness.mjs';

let emulator;
before(async () => {
  emulator = await startEmulator();
});
after(async () => {
  await emulator?.stop();
});

const frameWith = (headerText, rest = '') => Buffer.from(`TWILSOCK V3.0 ${Buffer.byteLength(headerText)}\r\n${headerText}\r\n${rest}`);

/** Each entry: a name and what to send on a fresh raw socket (after `init` when `afterInit`). */
const MALFORMED = [
  { name: 'random bytes', send: (raw) => raw.sendBytes(Buffer.from('this is not twilsock at all')) },
  { name: 'a text frame', send: (raw) => raw.sendText(encodeFrame({ id: 'TMx', method: 'init', token: 'x' }).toString()) },
  { name: 'a wrong protocol version', send: (raw) => raw.sendBytes(Buffer.from('TWILSOCK V2.0 2\r\n{}\r\n')) },
  { name: 'a header length past the end', send: (raw) => raw.sendBytes(Buffer.from('TWILSOCK V3.0 500\r\n{"method":"init"}\r\n')) },
  { name: 'a non-numeric header length', send: (raw) => raw.sendBytes(Buffer.from('TWILSOCK V3.0 abc\r\n{}\r\n')) },
  { name: 'a header that is not JSON', send: (raw) => raw.sendBytes(frameWith('{"method": init,,}')) },
  { name: 'a header that is a JSON array', send: (raw) => raw.sendBytes(frameWith('[1,2,3]')) },
  {
    name: 'a payload shorter than payload_size',
    afterInit: true,
    send: (raw) => raw.sendBytes(frameWith(JSON.stringify({ id: 'TMshort', method: 'message', active_grant: 'ip_messaging', payload_type: 'application/json', http_request: { host: 'aim.us1.twilio.com', path: '/Client/v2/Configuration', method: 'GET', params: {}, headers: {} }, payload_size: 100 }), '{}')),
  },
  { name: 'an oversized message (1 MB)', send: (raw) => raw.sendBytes(Buffer.alloc(1024 * 1024, 0x41)) },
];

test('malformed frames close the offending socket and do not disturb connected clients', async () => {
  const s = session(emulator);
  try {
    const { alice, bob, aliceConv, bobConv } = await aliceAndBob(s);
    const aliceStates = record(alice, 'connectionStateChanged');
    const bobStates = record(bob, 'connectionStateChanged');

    for (const malformed of MALFORMED) {
      const raw = await s.raw();
      if (malformed.afterInit) {
        const reply = await raw.init(accessToken(uniqueName('raw')));
        assert.equal(reply.status.code, 200, `${malformed.name}: init before the bad frame`);
      }
      malformed.send(raw);
      const closed = await withTimeout(raw.closed, 5_000, `${malformed.name}: the server closes the socket`);
      assert.ok(closed.code >= 1000, `${malformed.name}: closed (${closed.code})`);
    }

    // The SDK clients never noticed, and still exchange messages both ways.
    assert.deepEqual(aliceStates.events, [], 'alice\'s connection state changed');
    assert.deepEqual(bobStates.events, [], 'bob\'s connection state changed');
    assert.equal(alice.connectionState, 'connected');
    assert.equal(bob.connectionState, 'connected');
    const toBob = once(bob, 'messageAdded', 10_000, (m) => m.body === 'still here?');
    await aliceConv.sendMessage('still here?');
    await toBob;
    const toAlice = once(alice, 'messageAdded', 10_000, (m) => m.body === 'still here!');
    await bobConv.sendMessage('still here!');
    await toAlice;
    aliceStates.stop();
    bobStates.stop();

    // And new connections are still served.
    const carol = await s.client(uniqueName('carol'));
    assert.equal(carol.connectionState, 'connected');
  } finally {
    await s.close();
  }
});

test('a request before init is not served', async () => {
  const s = session(emulator);
  try {
    const raw = await s.raw();
    const reply = raw.call({
      method: 'message',
      active_grant: 'ip_messaging',
      payload_type: 'application/json',
      http_request: { host: 'aim.us1.twilio.com', path: '/Client/v2/Configuration', method: 'GET', params: {}, headers: {} },
    });
    reply.catch(() => {});
    // Either an error reply or a closed socket; never the configuration.
    const outcome = await withTimeout(Promise.race([reply.then((frame) => ({ frame })), raw.closed.then(() => ({ closed: true }))]), 10_000, 'a reply or a close');
    if (outcome.frame) {
      assert.ok(outcome.frame.header.status.code >= 400, `a request before init was served (${JSON.stringify(outcome.frame.header.status)})`);
      assert.equal(outcome.frame.payload?.identity, undefined, 'no configuration before init');
    }
  } finally {
    await s.close();
  }
});

test('many sockets opened and abandoned mid-handshake do not disturb a connected client', async () => {
  const s = session(emulator);
  try {
    const alice = await s.client(uniqueName('alice'));
    const conversation = await startConversation(alice);
    const states = record(alice, 'connectionStateChanged');
    const sockets = await Promise.all(Array.from({ length: 30 }, () => s.raw()));
    // Half send a partial init frame, then everyone vanishes without a close handshake.
    sockets.slice(0, 15).forEach((raw) => raw.sendBytes(Buffer.from('TWILSOCK V3.0 9')));
    for (const raw of sockets) raw.ws.terminate();

    const mine = once(alice, 'messageAdded', 10_000, (m) => m.body === 'unbothered');
    await conversation.sendMessage('unbothered');
    await mine;
    assert.deepEqual(states.events, []);
    states.stop();
  } finally {
    await s.close();
  }
});
