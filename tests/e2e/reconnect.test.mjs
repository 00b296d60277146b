// A network cut: the emulator drops the visitor's websockets (POST /_testing/drop, only served
// with CONVO_EMULATOR_TESTING=1). The widget says "Connection lost. Reconnecting in N s…" with
// "Retry now", queues what the visitor sends meanwhile ("Waiting for connection"), and once back
// nothing is lost or duplicated on either side: the agent (official SDK) receives each body once
// and the visitor sees each of the agent's messages once.
//
// To keep the network "down" for a while after the cut (so the visitor can queue a message), the
// page's websocket is routed through Playwright: while down, new connections are closed at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshot } from './harness.mjs';
import {
  allMessages,
  chatWithAgent,
  dropConnections,
  networkNoise,
  panelOf,
  poll,
  recordMessages,
  requireFaultHooks,
  routeTwilsock,
  sendText,
  visit,
  waitDelivered,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** How many message bubbles read exactly `text`. */
const bubbles = (page, text) =>
  page.locator('.convo-bubble__text').evaluateAll((els, t) => els.filter((e) => e.textContent === t).length, text);

test('a cut connection comes back with nothing lost or duplicated; a message queued while down is delivered once', async () => {
  await requireFaultHooks();
  const t = await visit(browser);
  const { page } = t;
  try {
    const net = await routeTwilsock(page);
    const { session, agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    const received = recordMessages(agent);

    await sendText(page, 'before the cut');
    await received.waitFor('before the cut');
    await agent.conversation.sendMessage('agent before the cut');
    await panel.locator('.convo-bubble__text', { hasText: 'agent before the cut' }).waitFor();

    // The cut.
    net.down = true;
    await dropConnections(session.identity);
    const banner = panel.locator('.convo-banner');
    await banner.filter({ hasText: /Connection lost\. Reconnecting in \d+ s…/ }).waitFor({ timeout: 10_000 });
    assert.equal(await banner.getAttribute('role'), 'status');
    assert.equal(await banner.getByRole('button', { name: 'Retry now' }).count(), 1);
    assert.equal(await panel.getByRole('status').filter({ hasText: /^Connected$/ }).count(), 0, 'no "Connected" while down');

    // While down: the agent writes, the visitor writes (queued).
    await agent.conversation.sendMessage('agent during the cut 1');
    await agent.conversation.sendMessage('agent during the cut 2');
    await sendText(page, 'queued while down');
    const queued = panel.locator('.convo-row--own', { hasText: 'queued while down' });
    await queued.locator('.convo-row__status', { hasText: 'Waiting for connection' }).waitFor({ timeout: 5_000 });
    await poll(() => net.refused > 0, { ms: 15_000, what: 'a reconnect attempt while the network is down' });
    await screenshot(page, 'reconnecting');

    // The network is back; "Retry now" reconnects at once.
    net.down = false;
    const retry = banner.getByRole('button', { name: 'Retry now' });
    if (await retry.count()) await retry.click().catch(() => {});
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    await banner.waitFor({ state: 'detached', timeout: 5_000 });
    await received.waitFor('queued while down');
    await waitDelivered(page, 'queued while down');
    await panel.locator('.convo-bubble__text', { hasText: 'agent during the cut 2' }).waitFor({ timeout: 10_000 });

    // Both ways still work after the reconnect.
    await agent.conversation.sendMessage('agent after the cut');
    await panel.locator('.convo-bubble__text', { hasText: 'agent after the cut' }).waitFor({ timeout: 10_000 });
    await sendText(page, 'visitor after the cut');
    await received.waitFor('visitor after the cut');
    await waitDelivered(page, 'visitor after the cut');

    for (const body of ['before the cut', 'queued while down', 'visitor after the cut']) {
      assert.equal(received.count(body), 1, `the agent received "${body}" exactly once (got ${JSON.stringify(received.bodies)})`);
    }
    const stored = (await allMessages(session.conversation_sid)).map((m) => m.body);
    for (const body of ['before the cut', 'queued while down', 'visitor after the cut', 'agent during the cut 1', 'agent during the cut 2']) {
      assert.equal(stored.filter((b) => b === body).length, 1, `"${body}" is stored once in the conversation`);
    }
    for (const body of [
      'before the cut',
      'agent before the cut',
      'agent during the cut 1',
      'agent during the cut 2',
      'queued while down',
      'agent after the cut',
      'visitor after the cut',
    ]) {
      assert.equal(await bubbles(page, body), 1, `the visitor sees "${body}" exactly once`);
    }
    assert.equal(await panel.locator('.convo-row__status').count(), 0, 'nothing left pending');
    assert.ok(net.opened >= 2, 'the widget opened a new connection');
    assert.deepEqual(page.problems.filter((p) => !networkNoise(p)), []);
  } finally {
    await t.close();
  }
});

test('after a cut the widget reconnects by itself and catches up', async () => {
  await requireFaultHooks();
  const t = await visit(browser);
  const { page } = t;
  try {
    const { session, agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    const received = recordMessages(agent);

    await dropConnections(session.identity);
    await agent.conversation.sendMessage('missed while cut');
    // Back without any help, within the first retries.
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 30_000 });
    await panel.locator('.convo-bubble__text', { hasText: 'missed while cut' }).waitFor({ timeout: 15_000 });
    await sendText(page, 'back again');
    await received.waitFor('back again');
    await waitDelivered(page, 'back again');
    assert.equal(await bubbles(page, 'missed while cut'), 1, 'the missed message shows once');
    assert.equal(received.count('back again'), 1);
    assert.deepEqual(page.problems.filter((p) => !networkNoise(p)), []);
  } finally {
    await t.close();
  }
});
