// The official-SDK side of `scripts/soak` (crates/client/examples/soak): one long-lived SDK
// client that joins each run's conversation, sends that run's messages while the driver fires
// faults, and lists what it holds at the end. Commands are JSON lines on stdin; replies and
// events are JSON lines on stdout. Not a test file itself.
//   env: CONVO_PEER_TWILSOCK, CONVO_PEER_IDENTITY
import { createInterface } from 'node:readline';

import { Client, accessToken, sleep, withTimeout } from './harness.mjs';

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const identity = process.env.CONVO_PEER_IDENTITY;
const client = new Client(accessToken(identity), {
  twilsock: { uri: process.env.CONVO_PEER_TWILSOCK },
  logLevel: 'silent',
});
// A fresh token whenever the SDK asks (the driver expires tokens with close 410), as an app's
// token endpoint would give it. On a close 410 the SDK fires tokenExpired while it still waits
// for the socket to close, a state updateToken cannot leave (the call never settles); so the
// update is made once the SDK is disconnected. Each token differs: updateToken ignores the
// token it already has, and two minted in the same second would be equal.
let expired = false;
let minted = 0;
const refresh = () => {
  minted += 1;
  client.updateToken(accessToken(identity, { ttl: 3600 + minted })).catch((e) => emit({ event: 'log', message: `updateToken: ${e}` }));
};
client.on('tokenAboutToExpire', refresh);
client.on('tokenExpired', () => {
  expired = true;
  if (client.connectionState === 'disconnected') refresh();
});
client.on('connectionStateChanged', (state) => {
  emit({ event: 'state', state });
  if (state === 'connected') expired = false;
  if (state === 'disconnected' && expired) refresh();
});

const ready = new Promise((resolve, reject) => {
  client.on('initialized', resolve);
  client.on('initFailed', (e) => reject(new Error(`initFailed: ${e?.error?.message}`)));
});
const conversations = new Map();

/** Bodies of every message of `sid`, oldest first, as the SDK's getMessages pages give them. */
async function bodies(sid) {
  const conversation = conversations.get(sid);
  const newest = await conversation.getMessages(100);
  const items = [...newest.items];
  let page = newest;
  while (page.hasPrevPage) {
    page = await page.prevPage();
    items.unshift(...page.items);
  }
  return items.map((m) => m.body);
}

/**
 * `fn()`, tried again while it rejects, for up to `ms`: between a close 410 and the token update
 * the SDK refuses every request at once ("Unable to connect"), as it would for an app.
 */
async function persistently(fn, what, ms = 40_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await withTimeout(fn(), ms, what);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

const commands = {
  async join({ sid }) {
    const conversation = await persistently(() => client.getConversationBySid(sid), 'getConversationBySid', 20_000);
    conversations.set(sid, conversation);
    // Open the messages list, so later messages arrive as events on a subscribed list.
    await persistently(() => conversation.getMessages(1), 'getMessages');
  },
  // Sends `bodies` in order, one at a time, waiting `gaps[i]` ms before each. A send the SDK
  // rejects (its socket dropped mid-request) may or may not have been applied; like a careful
  // app, look before sending it again, so what is measured is the transport, not app retries.
  async send({ sid, bodies: toSend, gaps }) {
    const conversation = conversations.get(sid);
    let rejections = 0;
    for (const [i, body] of toSend.entries()) {
      await sleep(gaps[i] ?? 0);
      for (let attempt = 0; ; attempt++) {
        try {
          await withTimeout(conversation.sendMessage(body), 40_000, `sendMessage ${body}`);
          break;
        } catch (error) {
          rejections++;
          if (attempt >= 5) throw error;
          await sleep(500);
          const held = await persistently(() => bodies(sid), 'getMessages');
          if (held.includes(body)) break;
        }
      }
    }
    return { rejections };
  },
  async list({ sid }) {
    return { bodies: await persistently(() => bodies(sid), 'getMessages') };
  },
  async leave({ sid }) {
    const conversation = conversations.get(sid);
    conversations.delete(sid);
    conversation?.removeAllListeners();
  },
  async quit() {
    await withTimeout(client.shutdown(), 5_000, 'shutdown').catch(() => {});
    process.exit(0);
  },
};

try {
  await withTimeout(ready, 30_000, 'SDK init');
  emit({ event: 'ready', identity: client.user.identity });
} catch (error) {
  emit({ event: 'error', message: String(error) });
  process.exit(1);
}
// Commands run concurrently (a `send` runs while the driver asks for nothing else of this
// run); each answers with its `id`.
createInterface({ input: process.stdin }).on('line', async (line) => {
  const command = JSON.parse(line);
  try {
    const result = await commands[command.cmd](command);
    emit({ event: 'done', id: command.id, ...result });
  } catch (error) {
    emit({ event: 'failed', id: command.id, message: String(error) });
  }
});
process.stdin.on('end', () => process.exit(0));
