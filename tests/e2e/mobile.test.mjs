// Phones: below 480 px the open panel covers the whole viewport (360×740 here), and every touch
// target is at least 44×44 px.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshot } from './harness.mjs';
import { chatWithAgent, gotoWidget, launcherOf, panelOf, poll, postMessage, startChat, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

/** Visible interactive elements in `scope` smaller than 44×44 px (inline text links excepted). */
function smallTargets(scope) {
  return scope.evaluate((root) => {
    const selector = 'button, a[href], input:not([type=hidden]), textarea, select, [role=button], [tabindex]:not([tabindex="-1"])';
    return [...root.querySelectorAll(selector)]
      .filter((el) => {
        if (el.closest('[aria-hidden="true"], .convo-visually-hidden, [hidden]')) return false;
        if (el.matches('.convo-bubble__text a')) return false; // links inside a sentence (WCAG 2.5.8 exception)
        const r = el.getBoundingClientRect();
        return r.width > 1 && r.height > 1 && getComputedStyle(el).visibility !== 'hidden';
      })
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { what: `${el.tagName.toLowerCase()}.${[...el.classList].join('.')} "${el.getAttribute('aria-label') ?? el.textContent.trim().slice(0, 30)}"`, width: r.width, height: r.height };
      })
      .filter((t) => t.width < 43.5 || t.height < 43.5);
  });
}

async function assertFullScreen(page) {
  const panel = panelOf(page);
  // Let the opening animation (a small scale/translate) finish first.
  await panel.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
  const box = await panel.boundingBox();
  const { width, height } = page.viewportSize();
  assert.ok(Math.abs(box.x) <= 1 && Math.abs(box.y) <= 1, `the panel starts at the top-left corner (${JSON.stringify(box)})`);
  assert.ok(Math.abs(box.width - width) <= 1 && Math.abs(box.height - height) <= 1, `the panel covers ${width}×${height} (${JSON.stringify(box)})`);
}

test('360×740: the open panel is full screen and touch targets are at least 44 px', async () => {
  const t = await visit(browser, PHONE);
  const { page } = t;
  try {
    await gotoWidget(page);
    const launcher = launcherOf(page);
    const l = await launcher.boundingBox();
    assert.ok(l.width >= 44 && l.height >= 44, `the launcher is a 44 px target (${l.width}×${l.height})`);
    await launcher.tap();
    const panel = panelOf(page);
    await panel.waitFor({ state: 'visible' });
    await assertFullScreen(page);
    assert.deepEqual(await smallTargets(panel), [], 'pre-chat form: no touch target under 44 px');

    await startChat(page, { name: 'Mobile Zoë', goto: false });
    await assertFullScreen(page);
    // A draft file adds its remove button.
    await page.locator('.convo-composer input[type=file]').setInputFiles({ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\n') });
    await panel.getByRole('button', { name: 'Remove note.txt' }).waitFor();
    assert.deepEqual(await smallTargets(panel), [], 'chatting: no touch target under 44 px');
    await screenshot(page, 'mobile');
    // The panel stays within the viewport: nothing scrolls sideways.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('360×740: the "jump to latest" button is a 44 px touch target too', async () => {
  const t = await visit(browser, PHONE);
  const { page } = t;
  try {
    const { session, agent } = await chatWithAgent(t, 'Ana', { name: 'Mobile Ana' });
    const panel = panelOf(page);
    for (let i = 1; i <= 30; i++) await postMessage(session.conversation_sid, agent.identity, `line ${i}`);
    await panel.locator('.convo-bubble__text', { hasText: /^line 30$/ }).waitFor({ timeout: 15_000 });
    await panel.getByRole('log').evaluate((el) => {
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    await agent.conversation.sendMessage('a new one');
    const jump = panel.locator('.convo-jump');
    await jump.waitFor({ timeout: 10_000 });
    const box = await jump.boundingBox();
    assert.ok(box.width >= 44 && box.height >= 44, `"jump to latest" is at least 44×44 px (got ${box.width}×${box.height})`);
    await poll(async () => (await jump.innerText()).length > 0, { what: 'the jump label' });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
