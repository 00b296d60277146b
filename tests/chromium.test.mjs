// tests/chromium.mjs: the test browsers look up no names, and still reach loopback. Chromium's
// own requests to Google (updates, accounts) are made at start-up, flags or not; with
// CHROMIUM_ARGS they end without a DNS query, so no socket leaves loopback. Read from Chromium's
// net log.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'node:test';

import { LOOPBACK_ONLY, launchChromium } from './chromium.mjs';

/** The net log's events as [type name, params], from a log Chromium may have left unclosed. */
function netLog(file) {
  const text = readFileSync(file, 'utf8').trimEnd();
  const log = JSON.parse(text.endsWith('}') ? text : `${text.replace(/,$/, '')}]}`);
  const names = Object.fromEntries(Object.entries(log.constants.logEventTypes).map(([name, id]) => [id, name]));
  return log.events.map((event) => [names[event.type], event.params ?? {}]);
}

test('the test browser looks up no names: its own requests end unresolved, with no DNS query; loopback loads', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'convo-netlog-'));
  const server = http.createServer((request, response) => response.end(`<p>${request.headers.host}</p>`));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  try {
    const file = path.join(dir, 'netlog.json');
    const browser = await launchChromium([`--log-net-log=${file}`, '--net-log-capture-mode=Everything']);
    try {
      const page = await browser.newPage();
      // Loopback by address and by name, as the tests' pages and servers are reached.
      for (const host of ['127.0.0.1', 'localhost']) {
        await page.goto(`http://${host}:${port}/`);
        assert.equal(await page.textContent('p'), `${host}:${port}`);
      }
      // A page's request to a name anywhere but loopback fails at once, before any lookup. (A
      // navigation there would show the error page, whose own probe looks up google.com.)
      const failed = await page.evaluate(() => fetch('http://convo-test.example/').then(() => 'loaded', (e) => e.name));
      assert.equal(failed, 'TypeError');
      // Chromium's own start-up requests go within the first seconds.
      await page.waitForTimeout(4_000);
    } finally {
      await browser.close();
    }
    const events = netLog(file);
    const requested = events.filter(([type]) => type === 'URL_REQUEST_START_JOB').map(([, p]) => p.url);
    assert.ok(requested.includes('http://convo-test.example/'), `the net log has the page's request: ${requested}`);
    const queries = events.filter(([type]) => type === 'DNS_TRANSACTION' || type === 'HOST_RESOLVER_DNS_TASK');
    assert.deepEqual(queries, [], 'no DNS query was made');
    const dns = events.filter(([type, p]) => type === 'UDP_CONNECT' && /:53$/.test(p.address ?? ''));
    assert.deepEqual(dns, [], 'no socket was connected to a DNS server');
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("chromedriver's browser (webdriver.json, the wasm browser tests) has the same rule", () => {
  const config = JSON.parse(readFileSync(new URL('../webdriver.json', import.meta.url), 'utf8'));
  assert.ok(config['goog:chromeOptions'].args.includes(LOOPBACK_ONLY), JSON.stringify(config));
});
