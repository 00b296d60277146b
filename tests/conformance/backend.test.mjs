// The host backend (with its embedded emulator) as a site owner runs it: a visitor session,
// then the official SDK connects with the returned token and sees the visitor's question and
// the demo bot's reply.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client, once } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const BACKEND_BIN = process.env.CONVO_BACKEND_BIN ?? path.resolve(here, '../../target/debug/convo-backend');

let backend;
before(async () => {
  backend = await startBackend();
});
after(async () => {
  await backend?.stop();
});

/** Starts convo-backend on free ports; resolves to {url, twilsockUri, stop()}. */
function startBackend() {
  return new Promise((resolve, reject) => {
    const child = spawn(BACKEND_BIN, [], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, CONVO_LISTEN: '127.0.0.1:0', CONVO_EMULATOR_LISTEN: '127.0.0.1:0', RUST_LOG: 'warn' },
    });
    const timer = setTimeout(() => reject(new Error('backend did not start in 20 s')), 20_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = out.match(/^listening on (http:\/\/127\.0\.0\.1:\d+)/m);
      const twilsock = out.match(/twilsock (ws:\/\/127\.0\.0\.1:\d+\/v3\/wsconnect)/);
      if (url && twilsock) {
        clearTimeout(timer);
        resolve({
          url: url[1],
          twilsockUri: twilsock[1],
          stop: () => new Promise((done) => { child.once('exit', done); child.kill('SIGINT'); }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`backend exited (${code}) before listening`)));
  });
}

async function postJson(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

test('a visitor session: the official SDK sees the question and the bot reply', async () => {
  const { status, body: grant } = await postJson(`${backend.url}/api/session`, { name: 'Ana', question: 'Do you ship to Lisbon?' });
  assert.equal(status, 200, JSON.stringify(grant));
  const client = new Client(grant.token, { twilsock: { uri: backend.twilsockUri }, logLevel: 'silent' });
  try {
    await once(client, 'stateChanged', 10_000, (s) => s === 'initialized');
    assert.equal(client.user.identity, grant.identity);
    const conversation = await client.getConversationBySid(grant.conversation_sid);
    let messages = (await conversation.getMessages()).items;
    if (messages.length < 2) {
      await once(conversation, 'messageAdded', 10_000, (m) => m.author === 'convo-bot');
      messages = (await conversation.getMessages()).items;
    }
    assert.deepEqual(messages.map((m) => [m.index, m.author, m.body]), [
      [0, grant.identity, 'Do you ship to Lisbon?'],
      [1, 'convo-bot', 'Thanks — an agent will be with you shortly.'],
    ]);
    assert.deepEqual(messages[1].attributes, { bot: true });
  } finally {
    await client.shutdown();
  }
});

test('a refreshed token keeps the same conversation and works with updateToken', async () => {
  const { body: grant } = await postJson(`${backend.url}/api/session`, {});
  const client = new Client(grant.token, { twilsock: { uri: backend.twilsockUri }, logLevel: 'silent' });
  try {
    await once(client, 'stateChanged', 10_000, (s) => s === 'initialized');
    // Tokens are minted per second (jti = key + iat): wait for a different one.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const { status, body: fresh } = await postJson(`${backend.url}/api/token`, { session: grant.session });
    assert.equal(status, 200);
    assert.equal(fresh.conversation_sid, grant.conversation_sid);
    assert.equal(fresh.identity, grant.identity);
    assert.notEqual(fresh.token, grant.token);
    await client.updateToken(fresh.token);
    assert.equal(client.connectionState, 'connected');
    const conversation = await client.getConversationBySid(grant.conversation_sid);
    const index = await conversation.sendMessage('still here after the refresh');
    const sent = (await conversation.getMessages(5)).items.find((m) => m.index === index);
    assert.equal(sent?.body, 'still here after the refresh');
    assert.equal(sent?.author, grant.identity);
  } finally {
    await client.shutdown();
  }
});
