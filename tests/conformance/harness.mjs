// Shared helpers for the conformance suite: start the `convo-emulator` binary, mint tokens
// with an independent implementation (node:crypto), and create official SDK clients.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
export const { Client } = require('@twilio/conversations');

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

/** Starts the emulator on a free loopback port; resolves to {url, twilsockUri, stop()}. */
export function startEmulator() {
  return new Promise((resolve, reject) => {
    const child = spawn(EMULATOR_BIN, ['--listen', '127.0.0.1:0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn' },
    });
    const timer = setTimeout(() => reject(new Error('emulator did not start in 20 s')), 20_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (match) {
        clearTimeout(timer);
        const url = match[1];
        resolve({
          url,
          twilsockUri: url.replace('http://', 'ws://') + '/v3/wsconnect',
          stop: () =>
            new Promise((done) => {
              child.once('exit', done);
              child.kill('SIGINT');
            }),
        });
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}) before listening`)));
  });
}

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

/** An official SDK client with only `twilsock.uri` set. */
export function sdkClient(token, emulator) {
  return new Client(token, { twilsock: { uri: emulator.twilsockUri }, logLevel: 'silent' });
}
