// Media through MCS (transport.md §4, state.md §7.4): the SDK uploads bytes over plain HTTP, sends
// the message with media_sids, and the other side downloads the same bytes from the temporary URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import {
  aliceAndBob,
  bounded,
  once,
  randomPayload,
  session,
  startEmulator,
} from './harness.mjs';

let emulator;
before(async () => {
  emulator = await startEmulator();
});
after(async () => {
  await emulator?.stop();
});

/** Downloads a temporary URL with no credentials, as an app (or an <img>) would. */
async function download(url) {
  assert.equal(typeof url, 'string', `a temporary URL (got ${url})`);
  assert.match(url, /^https?:\/\//, 'the temporary URL is absolute');
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  assert.equal(response.status, 200, `GET ${url}`);
  return { bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') };
}

test('a media message uploaded by one client is downloaded byte-identical by the other', async () => {
  const s = session(emulator);
  try {
    const { alice, bob, aliceConv } = await aliceAndBob(s);

    const bytes = randomPayload(300_000);
    const atBob = once(bob, 'messageAdded', 15_000, (m) => m.conversation.sid === aliceConv.sid);
    const index = await aliceConv.sendMessage(
      { contentType: 'image/png', filename: 'random.png', media: bytes },
      { caption: 'noise' },
    );
    const message = await atBob;
    assert.equal(message.index, index);
    assert.equal(message.author, alice.user.identity);
    assert.equal(message.type, 'media');
    assert.deepEqual(message.attributes, { caption: 'noise' });
    assert.equal(message.attachedMedia.length, 1, 'one attached media');
    const [media] = message.attachedMedia;
    assert.match(media.sid, /^ME[0-9a-f]{32}$/);
    assert.equal(media.contentType, 'image/png');
    assert.equal(media.filename, 'random.png');
    assert.equal(media.size, bytes.length);
    assert.equal(media.category, 'media');

    const url = await bounded(media.getContentTemporaryUrl(), 'getContentTemporaryUrl');
    const downloaded = await download(url);
    assert.equal(downloaded.contentType, 'image/png');
    assert.equal(downloaded.bytes.length, bytes.length);
    assert.ok(downloaded.bytes.equals(bytes), 'the downloaded bytes are the uploaded bytes');

    // The batch endpoint (MediaSet) gives a working URL for the same media.
    const urls = await bounded(message.getTemporaryContentUrlsForAttachedMedia(), 'getTemporaryContentUrlsForAttachedMedia');
    assert.ok(urls.get(media.sid), 'MediaSet returns a URL for the media sid');
    assert.ok((await download(urls.get(media.sid))).bytes.equals(bytes));
  } finally {
    await s.close();
  }
});

test('several attachments of different types arrive in order with their own bytes', async () => {
  const s = session(emulator);
  try {
    const { bob, aliceConv } = await aliceAndBob(s);

    const files = [
      { contentType: 'text/plain', filename: 'note.txt', media: Buffer.from('héllo, wörld\n') },
      { contentType: 'application/octet-stream', filename: 'blob.bin', media: randomPayload(70_000) },
      { contentType: 'image/jpeg', filename: 'photo.jpg', media: randomPayload(5_000) },
    ];
    const atBob = once(bob, 'messageAdded', 15_000, (m) => m.conversation.sid === aliceConv.sid);
    const builder = aliceConv.prepareMessage().setBody('three files');
    for (const file of files) builder.addMedia(file);
    await builder.build().send();
    const message = await atBob;
    assert.equal(message.body, 'three files');
    assert.equal(message.attachedMedia.length, files.length);
    for (const [i, file] of files.entries()) {
      const media = message.attachedMedia[i];
      assert.equal(media.filename, file.filename);
      assert.equal(media.contentType, file.contentType);
      assert.equal(media.size, file.media.length);
      const downloaded = await download(await bounded(media.getContentTemporaryUrl(), 'getContentTemporaryUrl'));
      assert.ok(downloaded.bytes.equals(file.media), `${file.filename} bytes`);
      assert.equal(downloaded.contentType, file.contentType);
    }
  } finally {
    await s.close();
  }
});
