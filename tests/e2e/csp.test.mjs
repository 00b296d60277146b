// A strict Content-Security-Policy (www/csp.html, the policy the README states): no inline
// script or style anywhere, scripts from the page's origin, wasm compiled from them. The widget
// loads, a chat starts, and messages go both ways, with no violation reported.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch, screenshot } from './harness.mjs';
import { chatWithAgent, gotoWidget, panelOf, recordMessages, sendText, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('under a strict CSP the widget loads and chats, with no violation', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await page.addInitScript(() => {
      window.violations = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`),
      );
    });
    const url = new URL('csp.html', BASE_URL).href;
    await gotoWidget(page, url);
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    assert.match(policy, /script-src 'self' 'wasm-unsafe-eval';/);
    assert.doesNotMatch(policy, /'unsafe-inline'|'unsafe-eval'/);

    const { agent } = await chatWithAgent(t, 'Ana', { goto: false });
    const received = recordMessages(agent);
    await sendText(page, 'Hello from a strict page');
    await received.waitFor('Hello from a strict page');
    await agent.conversation.sendMessage('Hello, strict visitor');
    await panelOf(page).locator('.convo-bubble__text', { hasText: 'Hello, strict visitor' }).waitFor({ timeout: 15_000 });

    // The widget's styles apply (adopted stylesheet, CSSOM), inline ones would have been blocked.
    const launcherRadius = await page.evaluate(() =>
      getComputedStyle(document.getElementById('convo-widget').shadowRoot.querySelector('.convo-launcher')).borderTopLeftRadius,
    );
    assert.notEqual(launcherRadius, '0px', 'the widget is styled');
    await screenshot(page, 'csp-page');
    assert.deepEqual(await page.evaluate(() => window.violations), []);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
