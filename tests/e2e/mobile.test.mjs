// Phones: below 480 px the open panel covers the whole viewport (360×740 here), and every touch
// target is at least 44×44 px; with the on-screen keyboard up, the composer and the newest message
// stay in view.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshot } from './harness.mjs';
import { backToLongHistory, chatWithAgent, gotoWidget, launcherOf, panelOf, poll, postMessage, startChat, visit } from './support.mjs';

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
    await panel.getByRole('log').evaluate(async (el) => {
      // For two frames after a message arrives the list is following it to the bottom
      // (message_list.rs) and takes a scroll event without the visitor's input (this one is
      // the test's) as its own: scroll up after those.
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(resolve))));
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

test('360×740: with the on-screen keyboard open (the viewport shrunk through CDP), the composer and the newest message stay in view', async () => {
  const t = await visit(browser, PHONE);
  const { page } = t;
  try {
    const { session, agent } = await chatWithAgent(t, 'Ana', { name: 'Mobile Ana' });
    const panel = panelOf(page);
    for (let i = 1; i <= 20; i++) await postMessage(session.conversation_sid, agent.identity, `line ${i}`);
    await panel.locator('.convo-bubble__text', { hasText: /^line 20$/ }).waitFor({ timeout: 15_000 });
    const composer = page.locator('#convo-composer-input');
    await composer.tap();

    /** Whether `locator` lies wholly inside the visible viewport and inside the message list's box. */
    const visible = (locator) =>
      locator.evaluate((el) => {
        const r = el.getBoundingClientRect();
        const viewport = window.visualViewport;
        const top = viewport.offsetTop;
        const bottom = top + viewport.height;
        const list = el.closest('[role=log]')?.getBoundingClientRect();
        const inList = !list || (r.top >= list.top - 1 && r.bottom <= list.bottom + 1);
        return r.height > 0 && r.top >= top - 1 && r.bottom <= bottom + 1 && inList;
      });
    const newest = (text) => panel.locator('.convo-bubble__text', { hasText: new RegExp(`^${text}$`) });

    // The keyboard takes 340 px: what is left of the screen is 400 px tall.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setDeviceMetricsOverride', {
      width: 360, height: 400, screenWidth: 360, screenHeight: 740, deviceScaleFactor: 2, mobile: true,
    });
    assert.equal(await page.evaluate(() => Math.round(window.visualViewport.height)), 400);
    await poll(() => visible(composer), { ms: 5_000, what: 'the composer above the keyboard' });
    await poll(() => visible(newest('line 20')), { ms: 5_000, what: 'the newest message above the keyboard' });
    await screenshot(page, 'mobile-keyboard');

    // A message arriving while the keyboard is up shows too, and so does one sent.
    await agent.conversation.sendMessage('while typing');
    await poll(() => visible(newest('while typing')), { ms: 10_000, what: 'a new message above the keyboard' });
    await composer.fill('sent with the keyboard up');
    await composer.press('Enter');
    await poll(() => visible(newest('sent with the keyboard up')), { ms: 10_000, what: 'the sent message above the keyboard' });
    assert.ok(await visible(composer), 'the composer is still in view');

    // The keyboard closes: the panel fills the screen again.
    await cdp.send('Emulation.setDeviceMetricsOverride', {
      width: 360, height: 740, screenWidth: 360, screenHeight: 740, deviceScaleFactor: 2, mobile: true,
    });
    await poll(async () => Math.round((await panel.boundingBox()).height) === 740, { ms: 5_000, what: 'the panel full height again' });
    assert.ok(await visible(newest('sent with the keyboard up')), 'the newest message stays in view');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('360×740: a long history: swiping down the list, again and again, reaches the first message', async () => {
  const t = await visit(browser, PHONE);
  const { page } = t;
  try {
    const { panel, log } = await backToLongHistory(t, 300, 'swipe', 'Ana', { name: 'Mobile Ana' });
    const box = await log.boundingBox();
    const x = box.x + box.width / 2;
    const cdp = await page.context().newCDPSession(page);
    // A finger drawn down the list: a swipe to read back.
    const swipe = async () => {
      const from = box.y + 60;
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y: from }] });
      for (let step = 1; step <= 8; step++) {
        await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: from + step * 40 }] });
      }
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    };
    const beginning = panel.getByText('This is the beginning of the conversation.');
    await poll(
      async () => {
        if (await beginning.isVisible()) return true;
        await swipe();
        return false;
      },
      { ms: 45_000, every: 50, what: 'the beginning of the conversation by swiping' },
    );
    await panel.locator('.convo-bubble__text', { hasText: /^swipe 1$/ }).waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
