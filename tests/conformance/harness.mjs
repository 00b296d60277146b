// Shared helpers for the conformance suite: start the `convo-emulator` binary, mint tokens
// with an independent implementation (node:crypto), create official SDK clients, talk raw
// twilsock, and put a TCP proxy between a client and the emulator.
//
// Everything here is bounded in time: every wait has a timeout, and everything a test opens is
// closed by `session().close()` in the test's `finally`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const { Client } = require('@twilio/conversations');
// `ws` is the websocket implementation the SDK itself uses in Node; resolve it the way twilsock
// does so the suite does not depend on how npm hoisted it.
export const WebSocket = createRequire(require.resolve('twilsock'))('ws');

const here = path.dirname(fileURLToPath(import.meta.url));
const EMULATOR_BIN =
  process.env.CONVO_EMULATOR_BIN ?? path.resolve(here, '../../target/debug/convo-emulator');

// The emulator's documented development defaults (convo_wire::credentials::dev).
export const DEV = {
  accountSid: 'AC00000000000000000000000000000000',
  apiKey: 'SK00000000000000000000000000000000',
  apiSecret: 'convo-dev-api-secret',
  serviceSid: 'IS00000000000000000000000000000000',
};

// Twilio's limits page, as the emulator must enforce them.
export const LIMITS = {
  messageBodyBytes: 32 * 1024,
  messageAttributesBytes: 4 * 1024,
  participantAttributesBytes: 4 * 1024,
  conversationAttributesBytes: 16 * 1024,
  friendlyNameChars: 256,
  mediaPerMessage: 10,
  // "150 MB": 150 MiB is the larger reading; 150 000 000 bytes is under either reading.
  mediaBytesOver: 150 * 1024 * 1024 + 1,
  mediaBytesUnder: 150_000_000,
};

// ---------------------------------------------------------------------------------------------
// Emulator process

/**
 * Starts the emulator on a free loopback port; resolves to {url, port, twilsockUri, stop()}.
 * `{testing: true}` serves the `/_testing/*` hooks (CONVO_EMULATOR_TESTING=1), e.g. the clock
 * hook the timer tests use.
 */
export function startEmulator({ testing = false } = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' };
    if (testing) env.CONVO_EMULATOR_TESTING = '1';
    const child = spawn(EMULATOR_BIN, ['--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('emulator did not start in 20 s'));
    }, 20_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/127\.0\.0\.1:(\d+))/);
      if (match) {
        clearTimeout(timer);
        const url = match[1];
        resolve({
          url,
          port: Number(match[2]),
          twilsockUri: url.replace('http://', 'ws://') + '/v3/wsconnect',
          stop: () => stopChild(child),
        });
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited (${code}) before listening`));
    });
  });
}

/** SIGINT (graceful shutdown), then SIGKILL if it has not exited after 5 s. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGINT');
  });
}

// ---------------------------------------------------------------------------------------------
// Tokens

const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** A Twilio access token, as Twilio's helper libraries build it. */
export function accessToken(identity, { secret = DEV.apiSecret, ttl = 3600, issuedAt } = {}) {
  const iat = issuedAt ?? Math.floor(Date.now() / 1000);
  const header = { alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' };
  const claims = {
    jti: `${DEV.apiKey}-${iat}`,
    grants: { identity, chat: { service_sid: DEV.serviceSid } },
    iat,
    exp: iat + ttl,
    iss: DEV.apiKey,
    sub: DEV.accountSid,
  };
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** The `exp` claim of a token, in milliseconds since the epoch. */
export function tokenExpiryMs(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).exp * 1000;
}

// ---------------------------------------------------------------------------------------------
// Small utilities

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A name no other test (or earlier run against the same emulator) uses. */
export const uniqueName = (prefix) => `${prefix}-${randomBytes(4).toString('hex')}`;

/** `promise`, or a rejection naming `what` after `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * An SDK call with a bound: some SDK reads wait forever when the server never answers the way
 * the SDK expects (e.g. getConversationBySid before the conversation list loaded).
 */
export const bounded = (promise, what, ms = 15_000) => withTimeout(promise, ms, what);

/** Resolves with the first event of `name` on `emitter`, or rejects after `ms`. */
export function once(emitter, name, ms = 10_000, predicate = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.removeListener(name, listener);
      reject(new Error(`no ${name} within ${ms} ms`));
    }, ms);
    function listener(...args) {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      emitter.removeListener(name, listener);
      resolve(args.length > 1 ? args : args[0]);
    }
    emitter.on(name, listener);
  });
}

/**
 * Resolves when `condition()` holds: at once if it already does, else re-checked after every
 * `name` event on `emitter`; rejects after `ms`. For state the SDK updates from server events.
 */
export function until(emitter, name, condition, ms = 10_000, what = 'condition') {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const listener = () => {
      if (!condition()) return;
      clearTimeout(timer);
      emitter.removeListener(name, listener);
      resolve();
    };
    const timer = setTimeout(() => {
      emitter.removeListener(name, listener);
      reject(new Error(`${what}: not reached within ${ms} ms (waited on ${name})`));
    }, ms);
    emitter.on(name, listener);
  });
}

/**
 * Records every `name` event (passing `predicate`) from now on. `waitFor(n)` resolves once n
 * have been seen; `stop()` detaches. Used where a test counts events or checks one never came.
 */
export function record(emitter, name, predicate = () => true) {
  const events = [];
  const waiters = new Set();
  const listener = (...args) => {
    const value = args.length > 1 ? args : args[0];
    if (!predicate(value)) return;
    events.push(value);
    for (const wake of waiters) wake();
  };
  emitter.on(name, listener);
  return {
    events,
    waitFor(count, ms = 10_000) {
      if (events.length >= count) return Promise.resolve(events);
      return new Promise((resolve, reject) => {
        const wake = () => {
          if (events.length < count) return;
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(events);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`${name}: ${events.length} of ${count} events within ${ms} ms`));
        }, ms);
        waiters.add(wake);
      });
    },
    stop() {
      emitter.removeListener(name, listener);
    },
  };
}

/** The rejection of `promise`; fails the test if it resolves. */
export async function rejectionOf(promise, what) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail(`${what} should have been refused`);
}

/** A Twilio error body: {status, code, message, more_info}. */
export function assertTwilioBody(body, status, what = 'error body') {
  assert.equal(typeof body, 'object', `${what} is a JSON object (got ${JSON.stringify(body)})`);
  assert.ok(body !== null, `${what} is a JSON object`);
  if (Array.isArray(status)) {
    assert.ok(status.includes(body.status), `${what}.status ${body.status} is one of ${status}`);
  } else {
    assert.equal(body.status, status, `${what}.status`);
  }
  assert.equal(typeof body.code, 'number', `${what}.code is a number (${JSON.stringify(body)})`);
  assert.ok(body.code > 0, `${what}.code is a Twilio error code`);
  assert.equal(typeof body.message, 'string', `${what}.message is a string`);
  assert.ok(body.message.length > 0, `${what}.message is not empty`);
  assert.equal(typeof body.more_info, 'string', `${what}.more_info is a string`);
}

/** An SDK rejection carrying a tunnelled Twilio error (TwilsockUpstreamError). */
export function assertTwilioError(error, status) {
  assert.ok(error, 'an error');
  const statuses = Array.isArray(status) ? status : [status];
  assert.ok(
    statuses.includes(error.status),
    `HTTP status ${error.status} is one of ${statuses} (error: ${error.message}, body ${JSON.stringify(error.body)})`,
  );
  assertTwilioBody(error.body, error.status);
}

/** Random bytes as a Buffer (media payloads). */
export const randomPayload = (size) => randomBytes(size);

// ---------------------------------------------------------------------------------------------
// Official SDK clients

/** An official SDK client with only `twilsock.uri` set (not yet initialised). */
export function sdkClient(token, emulator) {
  return new Client(token, { twilsock: { uri: emulator.twilsockUri }, logLevel: 'silent' });
}

/** Resolves when `client` fires `initialized`; rejects on `initFailed` or after `ms`. */
export function initialized(client, ms = 15_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`client not initialised within ${ms} ms`)), ms);
    const onInitialized = () => done();
    const onFailed = (event) => done(new Error(`initFailed: ${event?.error?.message ?? JSON.stringify(event)}`));
    function done(error) {
      clearTimeout(timer);
      client.removeListener('initialized', onInitialized);
      client.removeListener('initFailed', onFailed);
      if (error) reject(error);
      else resolve(client);
    }
    client.on('initialized', onInitialized);
    client.on('initFailed', onFailed);
  });
}

/**
 * Shuts a client down without leaving anything behind: it lets a client that is still starting
 * settle, then calls `shutdown()` (which itself waits for init); when the emulator never finishes
 * the init, the twilsock connection is closed directly so no reconnect timer outlives the test.
 */
export async function closeClient(client) {
  const twilsock = client._services?.twilsockClient;
  const requests = twilsock?.upstream?.transport?.activeRequests;
  // Let a client that is still initialising settle (initialised or failed) first.
  await withTimeout(Promise.resolve(client._ensureReady), 5_000, 'client init').catch(() => {});
  // The SDK loads the conversation list in the background after `initialized`; shutting down in
  // the middle rejects that promise with nobody listening. Let it finish, and from here on a
  // rejection caused by the shutdown itself is not a test failure.
  const loading = client._conversationsPromise?.catch(() => {});
  if (loading) await withTimeout(loading, 3_000, 'conversation list').catch(() => {});
  // A request still in flight when the socket closes keeps its 30 s timer in the SDK and holds
  // the test process open; give in-flight requests a moment to be answered first.
  for (let waited = 0; requests?.size > 0 && waited < 2_000; waited += 50) await sleep(50);
  try {
    await withTimeout(client.shutdown(), 5_000, 'client shutdown');
  } catch {
    try {
      await withTimeout(twilsock.disconnect(), 5_000, 'twilsock disconnect');
    } catch {
      // Nothing more can be done from outside the SDK.
    }
  }
  // Whatever is still pending can never be answered now; drop its timer, not its promise.
  for (const descriptor of requests?.values() ?? []) clearTimeout(descriptor.timeout);
  requests?.clear();
}

/**
 * What one test opened, closed in reverse order by `close()` (call it in `finally`).
 *   const s = session(emulator);
 *   try { const alice = await s.client('alice'); ... } finally { await s.close(); }
 */
export function session(emulator) {
  const closers = [];
  return {
    emulator,
    /** An initialised SDK client for `identity` (options: ttl, token, twilsockUri). */
    async client(identity, { ttl, token, twilsockUri } = {}) {
      const client = new Client(token ?? accessToken(identity, { ttl }), {
        twilsock: { uri: twilsockUri ?? emulator.twilsockUri },
        logLevel: 'silent',
      });
      closers.push(() => closeClient(client));
      await initialized(client).catch((error) => {
        throw new Error(`${identity}: ${error.message}`);
      });
      return client;
    },
    /** An SDK client that is not awaited (for tests that watch initialisation itself). */
    sdk(token, { twilsockUri } = {}) {
      const client = new Client(token, {
        twilsock: { uri: twilsockUri ?? emulator.twilsockUri },
        logLevel: 'silent',
      });
      closers.push(() => closeClient(client));
      return client;
    },
    /** A raw twilsock socket; `init(token)` it before making requests. */
    async raw() {
      const socket = await openRawSocket(emulator.twilsockUri);
      closers.push(() => socket.close());
      return socket;
    },
    /** A raw twilsock socket initialised as `identity`. */
    async rawAs(identity) {
      const socket = await this.raw();
      const reply = await socket.init(accessToken(identity));
      assert.equal(reply.status?.code, 200, `raw init as ${identity}: ${JSON.stringify(reply.status)}`);
      return socket;
    },
    defer(fn) {
      closers.push(fn);
    },
    async close() {
      for (const fn of closers.reverse()) {
        try {
          await fn();
        } catch {
          // Keep closing the rest.
        }
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Conversations through the SDK

/**
 * Waits until the conversation's participants and messages are loaded and subscribed, so later
 * changes arrive as events (a message sent before the list is opened is part of its snapshot
 * and, by Sync semantics, never fires messageAdded).
 */
export async function ready(conversation) {
  await withTimeout(
    Promise.all([conversation.getParticipants(), conversation.getMessages(1)]),
    10_000,
    `participants and messages of ${conversation.sid}`,
  );
  return conversation;
}

/** `owner` creates a conversation and joins it; resolves when it is joined and ready. */
export async function startConversation(owner, options = {}) {
  const conversation = await bounded(
    owner.createConversation({
      friendlyName: options.friendlyName ?? uniqueName('room'),
      uniqueName: options.uniqueName ?? uniqueName('room'),
      ...(options.attributes !== undefined ? { attributes: options.attributes } : {}),
    }),
    'createConversation',
  );
  const joined = once(owner, 'conversationJoined', 10_000, (c) => c.sid === conversation.sid);
  await Promise.all([joined, bounded(conversation.join(), 'join')]);
  return ready(conversation);
}

/**
 * Adds `client`'s user to `conversation`; resolves with that client's conversation, ready, once
 * the adder's side has seen the participant join too.
 */
export async function addParticipant(conversation, client) {
  const identity = client.user.identity;
  const joined = once(client, 'conversationJoined', 10_000, (c) => c.sid === conversation.sid);
  const seen = once(conversation, 'participantJoined', 10_000, (p) => p.identity === identity);
  const [theirs] = await Promise.all([joined, seen, bounded(conversation.add(identity), 'add')]);
  return ready(theirs);
}

/**
 * Alice and Bob, new clients of session `s`, in a conversation Alice started (with `options` as
 * for `startConversation`) and added Bob to. Resolves with {alice, bob, aliceConv, bobConv}.
 */
export async function aliceAndBob(s, options = {}) {
  const alice = await s.client(uniqueName('alice'));
  const bob = await s.client(uniqueName('bob'));
  const aliceConv = await startConversation(alice, options);
  const bobConv = await addParticipant(aliceConv, bob);
  return { alice, bob, aliceConv, bobConv };
}

/** Every item of an SDK paginator, following nextPage(). */
export async function allPages(paginator) {
  const items = [...paginator.items];
  let page = paginator;
  while (page.hasNextPage) {
    page = await page.nextPage();
    items.push(...page.items);
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// Raw twilsock (for what the SDK will not do: malformed frames, requests for other users' data)

/** One twilsock v3 frame: `TWILSOCK V3.0 <n>\r\n<header>\r\n<payload>`. */
export function encodeFrame(header, payload) {
  const body =
    payload === undefined || payload === null
      ? Buffer.alloc(0)
      : Buffer.isBuffer(payload)
        ? payload
        : Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const headerBytes = Buffer.from(JSON.stringify({ ...header, payload_size: body.length }));
  return Buffer.concat([
    Buffer.from(`TWILSOCK V3.0 ${headerBytes.length}\r\n`),
    headerBytes,
    Buffer.from('\r\n'),
    body,
  ]);
}

/** Parses one frame into {header, payload}; JSON payloads are parsed. Throws when malformed. */
export function decodeFrame(bytes) {
  const buf = Buffer.from(bytes);
  const lineEnd = buf.indexOf('\r\n');
  const [magic, version, size] = buf.subarray(0, lineEnd).toString().split(' ');
  if (magic !== 'TWILSOCK' || version !== 'V3.0') throw new Error('not a twilsock v3 frame');
  const start = lineEnd + 2;
  const header = JSON.parse(buf.subarray(start, start + Number(size)).toString());
  let payload = null;
  if (header.payload_size > 0) {
    const from = start + Number(size) + 2;
    const raw = buf.subarray(from, from + header.payload_size).toString();
    const type = header.payload_type ?? 'application/json';
    payload = type.startsWith('application/json') ? JSON.parse(raw) : raw;
  }
  return { header, payload };
}

/** Splits a URL the way twilsock does: host, percent-encoded path, undecoded params. */
function httpRequest(method, url, headers) {
  const u = new URL(url);
  const params = {};
  if (u.search.length > 1) {
    for (const pair of u.search.slice(1).split('&')) {
      const at = pair.indexOf('=');
      const [key, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      if (key in params) params[key] = [].concat(params[key], value);
      else params[key] = value;
    }
  }
  return { host: u.host, path: u.pathname, method, params, headers };
}

/** Opens a websocket to `uri`; resolves with a RawSocket once open. */
export function openRawSocket(uri) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(uri);
    ws.binaryType = 'nodebuffer';
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`raw websocket to ${uri} did not open in 5 s`));
    }, 5_000);
    ws.once('open', () => {
      clearTimeout(timer);
      resolve(new RawSocket(ws));
    });
    ws.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** A hand-driven twilsock connection. Server pushes are acked like the SDK acks them. */
export class RawSocket {
  constructor(ws) {
    this.ws = ws;
    /** Every decoded server frame, in order: {header, payload}. */
    this.frames = [];
    this.undecodable = 0;
    this.waiters = new Set();
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    this.isClosed = false;
    this.closed.then(() => {
      this.isClosed = true;
    });
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => {
      let frame;
      try {
        frame = decodeFrame(data);
      } catch {
        this.undecodable += 1;
        return;
      }
      frame.binary = isBinary;
      this.frames.push(frame);
      const { method, id } = frame.header;
      if (id && ['notification', 'client_update', 'ping', 'close'].includes(method)) {
        this.sendFrame({ id, method: 'reply', payload_type: 'application/json', status: { code: 200, status: 'OK' } });
      }
      for (const wake of this.waiters) wake();
    });
  }

  sendBytes(bytes) {
    this.ws.send(bytes, { binary: true });
  }

  sendText(text) {
    this.ws.send(text, { binary: false });
  }

  sendFrame(header, payload) {
    if (this.ws.readyState === WebSocket.OPEN) this.sendBytes(encodeFrame(header, payload));
  }

  /** The first server frame (already received or future) passing `predicate`. */
  waitForFrame(predicate, ms = 10_000, what = 'frame') {
    const found = this.frames.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const finish = (error, frame) => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        if (error) reject(error);
        else resolve(frame);
      };
      const wake = () => {
        const frame = this.frames.find(predicate);
        if (frame) finish(null, frame);
      };
      const timer = setTimeout(() => finish(new Error(`raw socket: no ${what} within ${ms} ms`)), ms);
      this.waiters.add(wake);
      this.closed.then(({ code }) => {
        if (this.waiters.has(wake)) finish(new Error(`raw socket closed (${code}) before ${what}`));
      });
    });
  }

  /** Sends a request frame and resolves with the reply header (+payload). */
  async call(header, payload, ms = 10_000) {
    const id = `TM${randomUUID()}`;
    this.sendFrame({ id, ...header }, payload);
    return this.waitForFrame((f) => f.header.method === 'reply' && f.header.id === id, ms, `reply to ${header.method}`);
  }

  async init(token) {
    const { header } = await this.call({
      method: 'init',
      token,
      continuation_token: null,
      metadata: { type: 'conversations', sdk: 'JS', sdkv: 'conformance-raw' },
      registrations: [
        {
          product: 'ip_messaging',
          type: 'ers',
          notification_protocol_version: 0,
          message_types: [
            'twilio.ipmsg.typing_indicator',
            'twilio.sync.event',
            'com.twilio.rtd.cds.document',
            'com.twilio.rtd.cds.list',
            'com.twilio.rtd.cds.map',
          ],
        },
      ],
      tweaks: null,
      capabilities: ['client_update', 'offline_storage'],
    });
    return header;
  }

  /**
   * A tunnelled HTTP request, as twilsock builds it. Resolves with
   * {status (twilsock), httpStatus (number), body (parsed JSON or text)}.
   */
  async request(method, url, body, { headers, contentType } = {}) {
    const type = contentType ?? (body === undefined ? 'application/json' : 'application/json; charset=utf-8');
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const { header, payload: response } = await this.call(
      {
        method: 'message',
        active_grant: 'ip_messaging',
        payload_type: type,
        http_request: httpRequest(method, url, headers ?? { 'Content-Type': type }),
      },
      payload,
    );
    return { status: header.status, httpStatus: header.http_status?.code, body: response };
  }

  /** `request`, asserting a 2xx tunnelled reply; resolves with the body. */
  async ok(method, url, body, options) {
    const reply = await this.request(method, url, body, options);
    assert.equal(reply.status?.code, 200, `twilsock status of ${method} ${url}: ${JSON.stringify(reply.status)}`);
    assert.ok(
      reply.httpStatus >= 200 && reply.httpStatus < 300 && reply.httpStatus !== 202,
      `${method} ${url} → HTTP ${reply.httpStatus} ${JSON.stringify(reply.body)}`,
    );
    return reply.body;
  }

  /** Notifications received so far, optionally of one message_type. */
  notifications(messageType) {
    return this.frames.filter(
      (f) => f.header.method === 'notification' && (!messageType || f.header.message_type === messageType),
    );
  }

  close() {
    if (this.isClosed) return Promise.resolve();
    this.ws.terminate();
    return withTimeout(this.closed, 2_000, 'raw socket close').catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------------
// A TCP proxy between one SDK client and the emulator

/**
 * A loopback TCP proxy to `targetPort`. `dropAll()` destroys every proxied connection (as a
 * network loss would); while `hold()` is on, new connections are accepted but not forwarded until
 * `release()`. It also decodes the twilsock frames the server sends through it (`serverFrames`),
 * so a test can count what was delivered on the wire. To keep those frames readable it removes the
 * client's permessage-deflate offer from the upgrade request (extensions are optional).
 */
export function startTcpProxy(targetPort) {
  const pairs = new Set();
  const held = [];
  const serverFrames = [];
  let holding = false;
  let connections = 0;
  let compressedFrames = 0;

  const server = net.createServer((client) => {
    client.on('error', () => {});
    if (holding) {
      client.pause();
      held.push(client);
      return;
    }
    bridge(client);
  });

  function bridge(client) {
    if (client.destroyed) return;
    const connection = ++connections;
    const upstream = net.connect(targetPort, '127.0.0.1');
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    upstream.on('error', end);
    client.on('error', end);
    client.on('close', end);
    upstream.on('close', end);

    let head = Buffer.alloc(0);
    let headDone = false;
    client.on('data', (chunk) => {
      if (headDone) {
        upstream.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const endOfHead = head.indexOf('\r\n\r\n');
      if (endOfHead < 0) return;
      const lines = head
        .subarray(0, endOfHead)
        .toString('latin1')
        .split('\r\n')
        .filter((line) => !/^sec-websocket-extensions\s*:/i.test(line));
      upstream.write(Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), head.subarray(endOfHead + 4)]));
      headDone = true;
    });

    const sniff = websocketSniffer(
      (message) => {
        try {
          serverFrames.push({ connection, at: Date.now(), ...decodeFrame(message) });
        } catch {
          // Not twilsock; nothing to count.
        }
      },
      () => {
        compressedFrames += 1;
      },
    );
    upstream.on('data', (chunk) => {
      client.write(chunk);
      sniff(chunk);
    });
    client.resume();
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        port,
        twilsockUri: `ws://127.0.0.1:${port}/v3/wsconnect`,
        serverFrames,
        get connections() {
          return connections;
        },
        get heldCount() {
          return held.filter((s) => !s.destroyed).length;
        },
        get compressedFrames() {
          return compressedFrames;
        },
        /** Destroys every live proxied connection, both sides. */
        dropAll() {
          for (const { client, upstream } of pairs) {
            client.destroy();
            upstream.destroy();
          }
          pairs.clear();
        },
        hold() {
          holding = true;
        },
        release() {
          holding = false;
          for (const client of held.splice(0)) bridge(client);
        },
        close() {
          holding = false;
          for (const client of held.splice(0)) client.destroy();
          this.dropAll();
          return new Promise((done) => server.close(() => done()));
        },
      });
    });
  });
}

/** Feeds server→client bytes of one websocket connection; calls `onMessage` per data message. */
function websocketSniffer(onMessage, onCompressed) {
  let buf = Buffer.alloc(0);
  let inHead = true;
  let fragments = [];
  return (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (inHead) {
      const endOfHead = buf.indexOf('\r\n\r\n');
      if (endOfHead < 0) return;
      buf = buf.subarray(endOfHead + 4);
      inHead = false;
    }
    for (;;) {
      if (buf.length < 2) return;
      const fin = (buf[0] & 0x80) !== 0;
      const rsv1 = (buf[0] & 0x40) !== 0;
      const opcode = buf[0] & 0x0f;
      const masked = (buf[1] & 0x80) !== 0;
      let length = buf[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buf.length < 4) return;
        length = buf.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buf.length < 10) return;
        length = Number(buf.readBigUInt64BE(2));
        offset = 10;
      }
      const maskAt = offset;
      if (masked) offset += 4;
      if (buf.length < offset + length) return;
      let payload = Buffer.from(buf.subarray(offset, offset + length));
      if (masked) {
        const mask = buf.subarray(maskAt, maskAt + 4);
        for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i % 4];
      }
      buf = buf.subarray(offset + length);
      if (opcode >= 0x8) continue; // control frames
      if (rsv1) onCompressed();
      fragments.push(payload);
      if (fin) {
        onMessage(Buffer.concat(fragments));
        fragments = [];
      }
    }
  };
}
