// Helpers for the REST conformance tests: Twilio's official Node helper library (`twilio`)
// pointed at convo-emulator, raw HTTP for what the library hides (status lines, headers, bodies),
// Twilio error assertions, a webhook receiver on loopback, and an independent (Python) check of
// X-Twilio-Signature.
//
// Everything is bounded in time and everything opened here has a `close()`/`stop()`.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';

import { DEV, withTimeout } from './harness.mjs';

const require = createRequire(import.meta.url);
/** The official helper library (CommonJS). */
export const twilio = require('twilio');

/** The emulator's development auth token (README: TWILIO_AUTH_TOKEN default). */
export const AUTH_TOKEN = 'convo-dev-auth-token';

/** Where the helper library thinks Conversations lives. */
export const TWILIO_BASE = 'https://conversations.twilio.com';

/** Headers for a REST write that must fire webhooks (helper option). */
export const WEBHOOKS_ON = { xTwilioWebhookEnabled: 'true' };

// ---------------------------------------------------------------------------------------------
// The helper library against the emulator

/**
 * The library's own RequestClient, sending to the emulator instead of conversations.twilio.com.
 * Every request goes through the library unchanged (auth header, form encoding, query
 * serialisation, error parsing); only the scheme+host of the URI is swapped. Absolute URLs the
 * emulator hands back itself (paging) pass through as they are. `requests` records what was sent.
 */
export class EmulatorRequestClient extends twilio.RequestClient {
  constructor(emulatorUrl, opts = {}) {
    super({ ...opts, keepAlive: false });
    this.emulatorUrl = emulatorUrl.replace(/\/+$/, '');
    // Plain http to the emulator: no keep-alive, so nothing outlives a test file.
    this.axios.defaults.httpAgent = new http.Agent({ keepAlive: false });
    this.requests = [];
  }

  request(opts) {
    const uri = opts.uri.startsWith(TWILIO_BASE) ? this.emulatorUrl + opts.uri.slice(TWILIO_BASE.length) : opts.uri;
    this.requests.push({ method: opts.method, uri, params: opts.params, data: opts.data, headers: { ...opts.headers } });
    return super.request({ ...opts, uri, timeout: opts.timeout ?? 15_000 });
  }
}

/**
 * A helper-library client for the emulator. Default credentials: account SID + auth token.
 * `{apiKey: true}` uses the API key SID + secret with the `accountSid` option, as Twilio documents.
 */
export function restClient(emulator, { username, password, accountSid, apiKey = false } = {}) {
  const httpClient = new EmulatorRequestClient(emulator.url);
  if (apiKey) {
    return twilio(username ?? DEV.apiKey, password ?? DEV.apiSecret, {
      accountSid: accountSid ?? DEV.accountSid,
      httpClient,
    });
  }
  return twilio(username ?? DEV.accountSid, password ?? AUTH_TOKEN, {
    ...(accountSid ? { accountSid } : {}),
    httpClient,
  });
}

/** `client.conversations.v1` (the only version the tests use). */
export const v1 = (client) => client.conversations.v1;

// ---------------------------------------------------------------------------------------------
// Raw HTTP (independent of the helper library)

export function basicAuth(username = DEV.accountSid, password = AUTH_TOKEN) {
  return 'Basic ' + Buffer.from(`${username}:${password}`).toString('base64');
}

/**
 * A raw request to the emulator. `form` (object or [name, value] pairs) is sent
 * form-encoded. `auth: false` sends no Authorization header. Resolves with
 * {status, headers, text, body (parsed JSON or null)}.
 */
export async function rawRest(emulator, method, path, { form, auth, headers = {}, ms = 15_000 } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (auth !== false) h.Authorization = auth ?? basicAuth();
  let body;
  if (form !== undefined) {
    body = new URLSearchParams(Array.isArray(form) ? form : Object.entries(form)).toString();
    h['Content-Type'] = 'application/x-www-form-urlencoded';
  }
  const response = await fetch(emulator.url + path, {
    method,
    headers: h,
    body,
    signal: AbortSignal.timeout(ms),
  });
  const text = await response.text();
  let parsed = null;
  try {
    parsed = text.length ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

// ---------------------------------------------------------------------------------------------
// Assertions

/** The rejection of `promise` (a helper-library call); fails if it resolves. */
export async function restRejection(promise, what) {
  let value;
  try {
    value = await promise;
  } catch (error) {
    return error;
  }
  assert.fail(`${what} should have been refused, but succeeded: ${JSON.stringify(value?.toJSON?.() ?? value)}`);
}

/**
 * `promise` (a helper-library call) rejects with a Twilio RestException of HTTP `status`
 * (a number, an array of allowed numbers, or a predicate) and, when given, Twilio error `code`.
 * Resolves with the exception.
 */
export async function assertRestError(promise, status, code, what = 'request') {
  const error = await restRejection(promise, what);
  assert.ok(
    typeof error.status === 'number',
    `${what}: a Twilio RestException with an HTTP status (got ${error?.name}: ${error?.message})`,
  );
  const okStatus =
    typeof status === 'function' ? status(error.status) : Array.isArray(status) ? status.includes(error.status) : error.status === status;
  assert.ok(okStatus, `${what}: HTTP ${error.status} (${error.code}: ${error.message}); expected ${status}`);
  assert.equal(typeof error.code, 'number', `${what}: the error body has a numeric Twilio code (${JSON.stringify(error)})`);
  if (code !== undefined) {
    assert.equal(error.code, code, `${what}: Twilio error code (message: ${error.message})`);
  }
  assert.equal(typeof error.message, 'string', `${what}: error message`);
  assert.ok(error.message.length > 0, `${what}: error message is not empty`);
  assert.equal(typeof error.moreInfo, 'string', `${what}: more_info is a string`);
  return error;
}

export const is4xx = (status) => status >= 400 && status < 500;

/** A raw Twilio error body {code, message, more_info, status}. */
export function assertErrorBody(reply, status, code, what = 'error') {
  assert.equal(reply.status, status, `${what}: HTTP status (body ${reply.text})`);
  assert.ok(reply.body && typeof reply.body === 'object', `${what}: a JSON body (got ${reply.text})`);
  assert.equal(reply.body.status, status, `${what}: body.status`);
  if (code !== undefined) assert.equal(reply.body.code, code, `${what}: body.code`);
  else assert.equal(typeof reply.body.code, 'number', `${what}: body.code is a number`);
  assert.equal(typeof reply.body.message, 'string', `${what}: body.message`);
  assert.ok(reply.body.message.length > 0, `${what}: body.message is not empty`);
  assert.equal(typeof reply.body.more_info, 'string', `${what}: body.more_info`);
}

/** `url` (absolute) has exactly `pathname`; host not checked (the emulator serves its own). */
export function assertUrlPath(url, pathname, what = 'url') {
  assert.equal(typeof url, 'string', `${what} is a string`);
  const parsed = new URL(url);
  assert.equal(parsed.pathname, pathname, `${what} path`);
}

/** `date` is a valid Date within `slackMs` of now. */
export function assertRecentDate(date, what = 'date', slackMs = 120_000) {
  assert.ok(date instanceof Date, `${what} is a Date (got ${date})`);
  assert.ok(!Number.isNaN(date.getTime()), `${what} is a valid date`);
  assert.ok(Math.abs(date.getTime() - Date.now()) < slackMs, `${what} ${date.toISOString()} is close to now`);
}

export const SID = {
  account: /^AC[0-9a-f]{32}$/,
  service: /^IS[0-9a-f]{32}$/,
  conversation: /^CH[0-9a-f]{32}$/,
  participant: /^MB[0-9a-f]{32}$/,
  message: /^IM[0-9a-f]{32}$/,
  user: /^US[0-9a-f]{32}$/,
  role: /^RL[0-9a-f]{32}$/,
};

/** Polls `probe()` until `done(value)` holds; resolves with the value or rejects after `ms`. */
export async function poll(probe, done, { ms = 15_000, every = 200, what = 'condition' } = {}) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await probe();
    if (done(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`${what}: not reached within ${ms} ms (last: ${JSON.stringify(last?.toJSON?.() ?? last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, every));
  }
}

/**
 * The emulator's clock hook (an emulator started with `{testing: true}`): makes conversation
 * `sid` `seconds` idler, so its timers fire as if that much time had passed in silence. What
 * fell due has fired when this resolves. Resolves with the HTTP status (204 when done).
 */
export async function idle(emulator, sid, seconds, { expect = 204 } = {}) {
  const query = new URLSearchParams({ conversation: sid, seconds: String(seconds) });
  const response = await fetch(`${emulator.url}/_testing/idle?${query}`, {
    method: 'POST',
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  assert.equal(response.status, expect, `POST /_testing/idle?${query} → ${response.status} ${text}`);
  return response.status;
}

/** A random E.164 number in the 555-01xx fictional range (unique per call). */
export function phoneNumber() {
  const n = randomBytes(4).readUInt32BE(0) % 10_000_000;
  return `+1555${String(n).padStart(7, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Webhook receiver

/**
 * An HTTP server on 127.0.0.1:0 recording every request. `url` is the full webhook URL to
 * configure (with a query string, which Twilio signs as part of the URL).
 * Each recorded request: {method, path, url, headers, rawBody, params (object; repeated names
 * become arrays), pairs ([name, value] in body order), at}.
 */
export function startWebhookReceiver({ status = 200 } = {}) {
  const requests = [];
  const waiters = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const pairs = [...new URLSearchParams(rawBody)];
      const params = {};
      for (const [name, value] of pairs) {
        if (name in params) params[name] = [].concat(params[name], value);
        else params[name] = value;
      }
      const { port } = server.address();
      requests.push({
        method: req.method,
        path: req.url,
        url: `http://127.0.0.1:${port}${req.url}`,
        headers: req.headers,
        rawBody,
        pairs,
        params,
        at: Date.now(),
      });
      res.writeHead(status, { 'Content-Type': 'text/plain' });
      res.end('ok');
      for (const wake of waiters) wake();
    });
  });
  server.keepAliveTimeout = 1_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      const path = `/twilio/conversations-hook?run=${randomBytes(4).toString('hex')}&suite=rest`;
      resolve({
        port,
        url: `http://127.0.0.1:${port}${path}`,
        requests,
        /** Requests whose EventType is `type` (optionally also passing `predicate`). */
        events(type, predicate = () => true) {
          return requests.filter((r) => r.params.EventType === type && predicate(r));
        },
        /** The first request (past or future) passing `predicate`; rejects after `ms`. */
        waitFor(predicate, ms = 10_000, what = 'webhook') {
          const found = requests.find(predicate);
          if (found) return Promise.resolve(found);
          return new Promise((resolveWait, rejectWait) => {
            const wake = () => {
              const hit = requests.find(predicate);
              if (!hit) return;
              clearTimeout(timer);
              waiters.delete(wake);
              resolveWait(hit);
            };
            const timer = setTimeout(() => {
              waiters.delete(wake);
              const seen = requests.map((r) => r.params.EventType ?? `${r.method} ${r.path}`);
              rejectWait(new Error(`${what}: not received within ${ms} ms (received: ${JSON.stringify(seen)})`));
            }, ms);
            waiters.add(wake);
          });
        },
        /** Waits for an event of `type` passing `predicate`. */
        waitForEvent(type, predicate = () => true, ms = 10_000) {
          return this.waitFor((r) => r.params.EventType === type && predicate(r), ms, `${type} webhook`);
        },
        close() {
          server.closeAllConnections?.();
          return withTimeout(new Promise((done) => server.close(() => done())), 5_000, 'webhook receiver close').catch(() => {});
        },
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Independent signature check (Python's hmac/hashlib/base64, not node:crypto nor the library)

const PYTHON_CHECK = String.raw`
import base64, hashlib, hmac, json, sys
from urllib.parse import parse_qsl
req = json.load(sys.stdin)
params = parse_qsl(req["body"], keep_blank_values=True, strict_parsing=False)
# Twilio: the full URL, then every POST parameter name+value, sorted by name (case-sensitive,
# byte order); repeated names in value order.
params.sort(key=lambda kv: (kv[0], kv[1]))
data = req["url"] + "".join(k + v for k, v in params)
mac = hmac.new(req["token"].encode("utf-8"), data.encode("utf-8"), hashlib.sha1)
expected = base64.b64encode(mac.digest()).decode("ascii")
print(json.dumps({"expected": expected, "valid": hmac.compare_digest(expected, req.get("signature") or "")}))
`;

/**
 * Runs Python's standard library over (url, raw form body, token) and returns
 * {expected, valid} for `signature`.
 */
export function pythonSignatureCheck({ url, body, token = AUTH_TOKEN, signature }) {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', PYTHON_CHECK], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('python3 signature check did not finish in 10 s'));
    }, 10_000);
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`python3 exited ${code}: ${err}`));
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(new Error(`python3 printed ${out} (${e.message})`));
      }
    });
    child.stdin.end(JSON.stringify({ url, body, token, signature: signature ?? '' }));
  });
}

/**
 * Asserts a received webhook is signed as Twilio signs: checked by Python independently and by
 * the helper library's `twilio.validateRequest`, against the URL as configured; also checks the
 * checkers can fail (wrong token, tampered parameter).
 */
export async function assertSignedByTwilio(request, configuredUrl, token = AUTH_TOKEN) {
  const signature = request.headers['x-twilio-signature'];
  assert.equal(typeof signature, 'string', `X-Twilio-Signature header present on ${request.params.EventType}`);
  assert.match(signature, /^[A-Za-z0-9+/]{27}=$/, 'X-Twilio-Signature is base64 of a 20-byte HMAC-SHA1');

  const py = await pythonSignatureCheck({ url: configuredUrl, body: request.rawBody, token, signature });
  assert.equal(signature, py.expected, `signature matches Python's HMAC-SHA1 over ${configuredUrl} + sorted params`);
  assert.equal(py.valid, true, 'Python hmac.compare_digest accepts the signature');

  assert.equal(
    twilio.validateRequest(token, signature, configuredUrl, request.params),
    true,
    'twilio.validateRequest accepts the signature',
  );

  // The checks above can fail: a wrong token, or one changed parameter, is rejected by both.
  const wrong = await pythonSignatureCheck({ url: configuredUrl, body: request.rawBody, token: token + 'x', signature });
  assert.equal(wrong.valid, false, 'Python rejects the signature under a different token');
  const tampered = { ...request.params, EventType: `${request.params.EventType}X` };
  assert.equal(twilio.validateRequest(token, signature, configuredUrl, tampered), false, 'validateRequest rejects tampered params');
}

/** Points the account-level (global) post-event webhook at `url` with `filters`. */
export function setGlobalWebhook(client, url, filters) {
  return v1(client).configuration.webhooks().update({ postWebhookUrl: url, method: 'POST', filters, target: 'webhook' });
}

export const ALL_POST_EVENTS = [
  'onMessageAdded',
  'onMessageUpdated',
  'onMessageRemoved',
  'onParticipantAdded',
  'onParticipantUpdated',
  'onParticipantRemoved',
  'onConversationAdded',
  'onConversationUpdated',
  'onConversationRemoved',
  'onConversationStateUpdated',
];
