// The official SDK's browser build in headless Chromium, against the emulator, talking to a Node
// SDK client: text and media both ways. The page is served from its own origin (another port), so
// this proves binary websocket frames from a real browser, and CORS on MCS uploads (preflighted:
// X-Twilio-Token) and on temporary content URLs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

import { launchChromium } from '../chromium.mjs';

import {
  accessToken,
  bounded,
  once,
  randomPayload,
  session,
  startConversation,
  startEmulator,
  uniqueName,
} from './harness.mjs';

const require = createRequire(import.meta.url);
// package.json's "browser" field (builds/browser.js) is CommonJS for bundlers; the standalone
// build for a <script> tag, which defines window.Twilio.Conversations, sits beside it.
const SDK_DIR = path.dirname(require.resolve('@twilio/conversations/package.json'));
const BUNDLE = readFileSync(path.join(SDK_DIR, 'builds', 'twilio-conversations.js'));
const PAGE = '<!doctype html><meta charset="utf-8"><title>conformance</title><script src="/twilio-conversations.js"></script>';

let emulator;
let pageServer;
let pageUrl;
let browser;

before(async () => {
  emulator = await startEmulator();
  pageServer = http.createServer((request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      response.end(PAGE);
    } else if (request.url === '/twilio-conversations.js') {
      response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
      response.end(BUNDLE);
    } else {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  pageUrl = `http://127.0.0.1:${pageServer.address().port}/`;
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
  await emulator?.stop();
});

test('the browser build exchanges text and media with a Node client', async () => {
  const s = session(emulator);
  const context = await browser.newContext();
  s.defer(() => context.close());
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  try {
    await page.goto(pageUrl);
    await page.waitForFunction(() => typeof window.Twilio?.Conversations?.Client === 'function', null, { timeout: 10_000 });
    assert.notEqual(new URL(pageUrl).origin, new URL(emulator.url).origin, 'the page is cross-origin to the emulator');

    // The browser user connects with only twilsock.uri set.
    const browserIdentity = uniqueName('browser');
    const identity = await bounded(page.evaluate(async ({ token, uri }) => {
      const client = new window.Twilio.Conversations.Client(token, { twilsock: { uri }, logLevel: 'silent' });
      window.convo = { client, messages: [], joined: new Map() };
      client.on('messageAdded', (message) => window.convo.messages.push(message));
      client.on('conversationJoined', (conversation) => window.convo.joined.set(conversation.sid, conversation));
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('browser client not initialised in 15 s')), 15_000);
        client.on('initialized', () => {
          clearTimeout(timer);
          resolve();
        });
        client.on('initFailed', ({ error }) => {
          clearTimeout(timer);
          reject(new Error(`initFailed: ${error?.message}`));
        });
      });
      return client.user.identity;
    }, { token: accessToken(browserIdentity), uri: emulator.twilsockUri }), 'the browser client initialises', 20_000);
    assert.equal(identity, browserIdentity);
    s.defer(() => page.evaluate(() => window.convo?.client.shutdown()).catch(() => {}));

    // A Node user starts a conversation and adds the browser user.
    const node = await s.client(uniqueName('node'));
    const conversation = await startConversation(node);
    await conversation.add(browserIdentity);
    await page.waitForFunction((sid) => window.convo.joined.has(sid), conversation.sid, { timeout: 15_000 });
    await bounded(page.evaluate(async (sid) => {
      const c = window.convo.joined.get(sid);
      await Promise.all([c.getParticipants(), c.getMessages(1)]);
    }, conversation.sid), 'the browser conversation is ready', 20_000);

    // Text, Node → browser.
    await conversation.sendMessage('hello from node', { from: 'node' });
    const received = await page.waitForFunction(
      (sid) => window.convo.messages.find((m) => m.conversation.sid === sid && m.body === 'hello from node'),
      conversation.sid,
      { timeout: 10_000 },
    );
    const seen = await received.evaluate((m) => ({ author: m.author, attributes: m.attributes }));
    assert.deepEqual(seen, { author: node.user.identity, attributes: { from: 'node' } });

    // Text, browser → Node.
    const atNode = once(node, 'messageAdded', 10_000, (m) => m.author === browserIdentity && m.type === 'text');
    await bounded(page.evaluate((sid) => window.convo.joined.get(sid).sendMessage('hello from the browser'), conversation.sid), 'the browser sends text', 20_000);
    assert.equal((await atNode).body, 'hello from the browser');

    // Media, Node → browser: the browser downloads it cross-origin from the temporary URL.
    const toBrowser = randomPayload(100_000);
    await conversation.sendMessage({ contentType: 'image/png', filename: 'from-node.png', media: toBrowser });
    await page.waitForFunction(
      (sid) => window.convo.messages.some((m) => m.conversation.sid === sid && m.type === 'media' && m.attachedMedia?.length === 1),
      conversation.sid,
      { timeout: 15_000 },
    );
    const downloaded = await bounded(page.evaluate(async (sid) => {
      const message = window.convo.messages.find((m) => m.conversation.sid === sid && m.type === 'media');
      const media = message.attachedMedia[0];
      const url = await media.getContentTemporaryUrl();
      const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
      const bytes = new Uint8Array(await response.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      return {
        status: response.status,
        contentType: response.headers.get('content-type'),
        base64: btoa(binary),
        filename: media.filename,
        size: media.size,
        author: message.author,
      };
    }, conversation.sid), 'the browser downloads media', 20_000);
    assert.equal(downloaded.status, 200);
    assert.equal(downloaded.contentType, 'image/png');
    assert.equal(downloaded.filename, 'from-node.png');
    assert.equal(downloaded.size, toBrowser.length);
    assert.equal(downloaded.author, node.user.identity);
    assert.ok(Buffer.from(downloaded.base64, 'base64').equals(toBrowser), 'the browser downloaded the bytes Node uploaded');

    // Media, browser → Node: an XHR upload with X-Twilio-Token from another origin (preflighted).
    const fromBrowser = randomPayload(80_000);
    const mediaAtNode = once(node, 'messageAdded', 15_000, (m) => m.author === browserIdentity && m.type === 'media');
    await bounded(page.evaluate(async ({ sid, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
      const media = new Blob([bytes], { type: 'application/pdf' });
      await window.convo.joined.get(sid).sendMessage({ contentType: 'application/pdf', filename: 'from-browser.pdf', media });
    }, { sid: conversation.sid, base64: fromBrowser.toString('base64') }), 'the browser sends media', 20_000);
    const message = await mediaAtNode;
    const [media] = message.attachedMedia;
    assert.equal(media.filename, 'from-browser.pdf');
    assert.equal(media.contentType, 'application/pdf');
    assert.equal(media.size, fromBrowser.length);
    const response = await fetch(await bounded(media.getContentTemporaryUrl(), 'getContentTemporaryUrl'), { signal: AbortSignal.timeout(15_000) });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/pdf');
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(fromBrowser), 'Node downloaded the bytes the browser uploaded');

    assert.deepEqual(problems, []);
  } finally {
    await s.close();
  }
});
