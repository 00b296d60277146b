// The demo's agent desk (www/agent.html) and a visitor on the shop converse: the desk lists the
// visitor's new conversation, opens it with the widget's own components, and messages go both
// ways. Two tabs, no Twilio account, nothing but the demo stack.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch, screenshot } from './harness.mjs';
import { panelOf, poll, sendText, startChat, unique, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the agent desk lists visitors\' chats, opens one, and the two converse; it switches between them', async () => {
  const visitor = await visit(browser);
  const second = await visit(browser);
  const agent = await visit(browser);
  try {
    const name = unique('Zoë');
    await startChat(visitor.page, { name, question: 'Is the Ridgeline tent waterproof?' });

    await agent.page.goto(new URL('agent.html', BASE_URL).href);
    const desk = agent.page.getByRole('navigation', { name: 'Conversations' });
    const entry = desk.getByRole('button', { name: new RegExp(name) });
    await entry.waitFor({ timeout: 20_000 });
    await entry.click();
    assert.equal(await entry.getAttribute('aria-current'), 'true');

    // The widget's panel, in place: the visitor's question, and a composer for the answer.
    const chat = agent.page.getByRole('region', { name });
    await chat.locator('.convo-bubble__text', { hasText: 'Is the Ridgeline tent waterproof?' }).waitFor({ timeout: 20_000 });
    assert.equal(await chat.locator('.convo-panel__close').count(), 0, 'nothing to close in place');
    await sendText(agent.page, 'Yes: 3000 mm, taped seams.');

    const visitorPanel = panelOf(visitor.page);
    await visitorPanel.locator('.convo-row:not(.convo-row--own) .convo-bubble__text', { hasText: 'Yes: 3000 mm, taped seams.' })
      .waitFor({ timeout: 15_000 });
    // The agent is named by the desk's display name, never an identity.
    await poll(async () => /Sam \(demo agent\)/.test(await visitorPanel.locator('.convo-header').innerText()), {
      what: 'the visitor sees the agent by name',
    });

    await sendText(visitor.page, 'Great, thanks!');
    await chat.locator('.convo-row:not(.convo-row--own) .convo-bubble__text', { hasText: 'Great, thanks!' })
      .waitFor({ timeout: 15_000 });
    await screenshot(agent.page, 'agent-desk');
    await screenshot(visitor.page, 'agent-desk-visitor');

    // A second visitor: the desk lists them too, and switching back and forth shows each
    // conversation (the one left is disconnected, not leaked).
    const other = unique('Ines');
    await startChat(second.page, { name: other, question: 'Do you ship to Lisbon?' });
    const otherEntry = desk.getByRole('button', { name: new RegExp(other) });
    await otherEntry.waitFor({ timeout: 20_000 });
    await otherEntry.click();
    await agent.page.getByRole('region', { name: other }).locator('.convo-bubble__text', { hasText: 'Do you ship to Lisbon?' })
      .waitFor({ timeout: 20_000 });
    await entry.click();
    await agent.page.getByRole('region', { name }).locator('.convo-bubble__text', { hasText: 'Great, thanks!' })
      .waitFor({ timeout: 20_000 });
    assert.equal(await agent.page.getByRole('region').count(), 1, 'one conversation on screen');
    assert.deepEqual([...visitor.page.problems, ...second.page.problems, ...agent.page.problems], []);
  } finally {
    await agent.close();
    await second.close();
    await visitor.close();
  }
});

test('switching between visitors 20 times in the desk leaves no listener or timer behind', async () => {
  const first = await visit(browser);
  const second = await visit(browser);
  const agent = await visit(browser);
  try {
    const names = [unique('Noor'), unique('Omar')];
    await startChat(first.page, { name: names[0], question: 'First question' });
    await startChat(second.page, { name: names[1], question: 'Second question' });
    // Active intervals, counted as the page starts and clears them.
    await agent.page.addInitScript(() => {
      const active = new Set();
      const { setInterval: set, clearInterval: clear } = window;
      window.setInterval = (...args) => {
        const id = set(...args);
        active.add(id);
        return id;
      };
      window.clearInterval = (id) => {
        active.delete(id);
        clear(id);
      };
      window.__activeIntervals = () => active.size;
    });
    await agent.page.goto(new URL('agent.html', BASE_URL).href);
    const desk = agent.page.getByRole('navigation', { name: 'Conversations' });
    const entries = names.map((name) => desk.getByRole('button', { name: new RegExp(name) }));
    const show = async (i) => {
      await entries[i].click();
      const region = agent.page.getByRole('region', { name: names[i] });
      await region.locator('.convo-bubble__text', { hasText: i === 0 ? 'First question' : 'Second question' })
        .waitFor({ timeout: 20_000 });
    };
    for (const entry of entries) await entry.waitFor({ timeout: 20_000 });

    const cdp = await agent.page.context().newCDPSession(agent.page);
    const listeners = async () => {
      let total = 0;
      for (const expression of ['window', 'document', 'window.visualViewport']) {
        const { result } = await cdp.send('Runtime.evaluate', { expression });
        const { listeners: found } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId });
        total += found.length;
      }
      return total;
    };
    await show(0);
    await show(1);
    const before = { listeners: await listeners(), intervals: await agent.page.evaluate(() => window.__activeIntervals()) };
    for (let i = 0; i < 20; i += 1) await show(i % 2);
    await show(1);
    const after = { listeners: await listeners(), intervals: await agent.page.evaluate(() => window.__activeIntervals()) };
    assert.deepEqual(after, before, 'the same listeners on window, document and the visual viewport, and the same timers');
    assert.equal(await agent.page.getByRole('region').count(), 1, 'one conversation on screen');
    assert.deepEqual([...first.page.problems, ...second.page.problems, ...agent.page.problems], []);
  } finally {
    await agent.close();
    await second.close();
    await first.close();
  }
});
