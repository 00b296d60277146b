// An official-SDK peer for convo-client's interop test (crates/client/tests/interop.rs).
// It joins one conversation and takes commands as JSON lines on stdin; everything it observes
// is printed as JSON lines on stdout. Not a test file itself.
//   env: CONVO_PEER_TWILSOCK, CONVO_PEER_TOKEN, CONVO_PEER_CONVERSATION
import { createInterface } from 'node:readline';

import { Client } from './harness.mjs';

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const client = new Client(process.env.CONVO_PEER_TOKEN, {
  twilsock: { uri: process.env.CONVO_PEER_TWILSOCK },
  logLevel: 'silent',
});
// Never hang a test run: the driver must finish well within this.
setTimeout(() => {
  emit({ event: 'error', message: 'peer timed out' });
  process.exit(2);
}, 60_000).unref();

const media = (m) => m.attachedMedia.map((x) => ({ sid: x.sid, filename: x.filename, contentType: x.contentType, size: x.size }));

client.on('stateChanged', async (state) => {
  if (state !== 'initialized') return;
  try {
    const conversation = await client.getConversationBySid(process.env.CONVO_PEER_CONVERSATION);
    conversation.on('messageAdded', (m) =>
      emit({ event: 'messageAdded', index: m.index, author: m.author, body: m.body, attributes: m.attributes, media: media(m) }));
    conversation.on('messageUpdated', ({ message: m }) => emit({ event: 'messageUpdated', index: m.index, body: m.body, attributes: m.attributes }));
    conversation.on('messageRemoved', (m) => emit({ event: 'messageRemoved', index: m.index }));
    conversation.on('typingStarted', (p) => emit({ event: 'typingStarted', identity: p.identity }));
    conversation.on('participantUpdated', ({ participant: p }) =>
      emit({ event: 'participantUpdated', identity: p.identity, lastReadMessageIndex: p.lastReadMessageIndex }));
    const byIndex = async (index) => (await conversation.getMessages(100)).items.find((m) => m.index === index);
    const commands = {
      send: async ({ body, attributes }) => emit({ event: 'sent', index: await conversation.sendMessage(body, attributes) }),
      sendMedia: async ({ contentType, filename, base64 }) => {
        const index = await conversation.sendMessage({ contentType, filename, media: Buffer.from(base64, 'base64') });
        emit({ event: 'sent', index });
      },
      typing: async () => conversation.typing(),
      read: async ({ index }) => emit({ event: 'unread', count: await conversation.advanceLastReadMessageIndex(index) }),
      update: async ({ index, body }) => (await byIndex(index)).updateBody(body),
      remove: async ({ index }) => (await byIndex(index)).remove(),
      download: async ({ index }) => {
        const message = await byIndex(index);
        const url = await message.attachedMedia[0].getContentTemporaryUrl();
        const response = await fetch(url);
        const bytes = Buffer.from(await response.arrayBuffer());
        emit({ event: 'downloaded', base64: bytes.toString('base64'), contentType: response.headers.get('content-type') });
      },
      quit: async () => {
        await client.shutdown();
        process.exit(0);
      },
    };
    createInterface({ input: process.stdin }).on('line', async (line) => {
      const command = JSON.parse(line);
      try {
        await commands[command.cmd](command);
        emit({ event: 'done', cmd: command.cmd });
      } catch (error) {
        emit({ event: 'error', cmd: command.cmd, message: String(error) });
      }
    });
    // Open the messages list before saying ready: a message sent before the SDK has read the
    // list lands in its first snapshot and fires no messageAdded (state.md §7.6).
    await conversation.getMessages(1);
    emit({ event: 'ready', identity: client.user.identity });

  } catch (error) {
    emit({ event: 'error', message: String(error) });
    process.exit(1);
  }
});
