// Chatting with an agent: the visitor sends text and an image (with upload progress), the agent
// (Twilio's official SDK) sees both, types and replies, and reads — the visitor sees "Ana is
// typing…", the reply with its link, and each own message "Sent", then "Read". A long history pages in as the visitor scrolls,
// with a bounded number of rows in the DOM and a "jump to latest" button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';

import { launch, screenshot } from './harness.mjs';
import {
  backToLongHistory,
  chatWithAgent,
  gotoWidget,
  inView,
  wholeInView,
  joinAgent,
  launcherOf,
  once,
  panelOf,
  pngOfDimensions,
  pngOfSize,
  poll,
  postMessage,
  recordMessages,
  sendText,
  startChat,
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

test('visitor sends text and an image, the agent replies; typing and "Read" show on the visitor side', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { session, agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    const received = recordMessages(agent);

    // The header names the agent by their friendly name (never the identity) and their presence.
    const subtitle = panel.locator('.convo-header__subtitle');
    await poll(async () => /Ana · Online/.test(await subtitle.innerText()), { what: 'header "Ana · Online"' });
    assert.ok(!(await panel.locator('.convo-header').innerText()).includes(agent.identity), 'no raw identity in the header');

    // Text.
    await sendText(page, 'Hello, I need help with order 1234');
    await received.waitFor('Hello, I need help with order 1234');
    await waitDelivered(page, 'Hello, I need help with order 1234');

    // A 6 MB image, uploaded on a throttled link so the progress is visible.
    const media = once(agent.client, 'messageAdded', 30_000, (m) => m.conversation.sid === session.conversation_sid && m.attachedMedia?.length > 0);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 4 * 1024 * 1024 });
    const bytes = pngOfSize(6 * 1024 * 1024);
    await page.locator('.convo-composer input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: bytes });
    await panel.locator('.convo-draft-files').getByText('photo.png').waitFor();
    await panel.getByRole('button', { name: 'Remove photo.png' }).waitFor();
    // Record every state the pending row goes through (the upload may be quick).
    await page.evaluate(() => {
      window.__pending = [];
      const widgetRoot = document.getElementById('convo-widget').shadowRoot;
      new MutationObserver(() => {
        for (const status of widgetRoot.querySelectorAll('.convo-row--own .convo-row__status')) {
          const progress = status.querySelector('progress');
          window.__pending.push({
            text: status.textContent,
            progress: progress ? Number(progress.value) : null,
            cancel: [...status.querySelectorAll('button')].some((b) => b.textContent === 'Cancel'),
          });
        }
      }).observe(widgetRoot.querySelector('.convo-root'), { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await panel.getByRole('button', { name: 'Send' }).click();
    const pending = () => page.evaluate(() => window.__pending);
    const uploading = (states) => states.filter((s) => /Uploading \d+%/.test(s.text));
    await poll(async () => uploading(await pending()).some((s) => s.progress > 0 && s.progress < 100), {
      ms: 20_000,
      every: 50,
      what: 'an intermediate "Uploading N%" with its <progress>',
    }).catch(async (error) => {
      throw new Error(`${error.message}; states seen: ${JSON.stringify((await pending()).slice(-10))}`);
    });
    const states = uploading(await pending());
    for (const state of states) {
      const percent = Number(state.text.match(/Uploading (\d+)%/)[1]);
      assert.equal(state.progress, percent, `the <progress> shows the percentage (${state.text})`);
      assert.ok(state.cancel, `a Cancel button while uploading (${state.text})`);
    }
    const percents = states.map((s) => s.progress);
    for (let i = 1; i < percents.length; i++) assert.ok(percents[i] >= percents[i - 1], `the upload progress never goes back (${percents})`);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    const arrived = await media;
    assert.equal(arrived.author, session.identity);
    assert.equal(arrived.attachedMedia[0].filename, 'photo.png');
    assert.equal(arrived.attachedMedia[0].contentType, 'image/png');
    assert.equal(arrived.attachedMedia[0].size, bytes.length);
    const image = panel.getByRole('button', { name: 'Image: photo.png' });
    await image.waitFor({ timeout: 15_000 });
    assert.ok(await image.evaluate((b) => b.classList.contains('convo-media-image')));
    await poll(() => image.locator('img').evaluate((img) => img.complete && img.naturalWidth > 0), { what: 'the image loads' });
    await poll(async () => (await panel.locator('.convo-row__status').count()) === 0, { what: 'no pending status left' });

    // The image opens in a lightbox, which closes again.
    await image.click();
    const lightbox = page.getByRole('dialog', { name: 'Image: photo.png' });
    await lightbox.waitFor();
    await lightbox.getByRole('button', { name: 'Close image' }).click();
    await lightbox.waitFor({ state: 'detached' });

    // The agent types, then replies with a link.
    await agent.conversation.typing();
    const typing = panel.locator('.convo-typing');
    await typing.filter({ hasText: 'Ana is typing…' }).waitFor({ timeout: 10_000 });
    await agent.conversation.sendMessage('Found it: see https://example.com/orders/1234 for tracking, or www.example.org/help (not ftp://example.net/x).');
    const reply = panel.locator('.convo-row--other').filter({ hasText: 'Found it' });
    await reply.waitFor({ timeout: 10_000 });
    assert.equal(await reply.locator('.convo-row__author').innerText(), 'Ana');
    const link = reply.getByRole('link', { name: 'https://example.com/orders/1234' });
    assert.equal(await link.getAttribute('href'), 'https://example.com/orders/1234');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
    const www = reply.getByRole('link', { name: 'www.example.org/help' });
    assert.equal(await www.getAttribute('href'), 'https://www.example.org/help');
    assert.equal(await www.getAttribute('rel'), 'noopener noreferrer nofollow');
    assert.equal(await reply.getByRole('link').count(), 2, 'only http(s) and www addresses become links (not ftp:)');
    assert.equal(
      await reply.locator('.convo-bubble__text').evaluate((el) => el.textContent),
      'Found it: see https://example.com/orders/1234 for tracking, or www.example.org/help (not ftp://example.net/x).',
      'the text reads exactly as sent',
    );
    assert.match(await reply.locator('.convo-row__meta time').innerText(), /\d{1,2}:\d{2}/, 'the reply shows its time');
    await poll(async () => (await typing.innerText()).trim() === '', { ms: 10_000, what: 'typing indicator gone after the reply' });

    // Each own message has a receipt (it replaced the one "Seen" under the newest): "Sent"
    // until the agent reads, then "Read", on every one of them.
    const receipts = () => panel.locator('.convo-row--own .convo-row__receipt').evaluateAll((els) => els.map((e) => [e.dataset.status, e.textContent.trim()]));
    const own = await panel.locator('.convo-row--own').count();
    assert.deepEqual(await receipts(), Array(own).fill(['sent', 'Sent']), 'every own message is "Sent" before the agent reads');
    await agent.conversation.setAllMessagesRead();
    await poll(async () => (await receipts()).every(([status]) => status === 'read'), { ms: 10_000, what: 'every own message "Read"' });
    assert.deepEqual(await receipts(), Array(own).fill(['read', 'Read']));
    const lastOwn = panel.locator('.convo-row--own').last();
    assert.equal(await lastOwn.locator('.convo-row__receipt').getAttribute('data-status'), 'read', 'the newest own message too');
    assert.equal(await lastOwn.getByRole('button', { name: 'Image: photo.png' }).count(), 1, 'the newest own message is the image');

    // Today's messages sit under one "Today" separator.
    assert.deepEqual(await panel.locator('.convo-day').allInnerTexts(), ['Today']);
    await screenshot(page, 'chatting');
    assert.deepEqual(received.bodies.filter((b) => b === 'Hello, I need help with order 1234').length, 1);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('the header says "Away" once the agent goes offline', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { agent } = await chatWithAgent(t, 'Bruno');
    const subtitle = panelOf(page).locator('.convo-header__subtitle');
    await poll(async () => /Bruno · Online/.test(await subtitle.innerText()), { what: 'header "Bruno · Online"' });
    await agent.close();
    await poll(async () => /Bruno · Away/.test(await subtitle.innerText()), { ms: 15_000, what: 'header "Bruno · Away"' });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('Enter sends the message before the widget redraws: its request leaves first, then the row shows and the composer empties', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    // What the widget showed at the moment each frame carrying MARK went out.
    await page.addInitScript(() => {
      const send = WebSocket.prototype.send;
      const decoder = new TextDecoder();
      window.__framesOut = [];
      WebSocket.prototype.send = function (data) {
        const text = typeof data === 'string' ? data : decoder.decode(data);
        if (text.includes('MARK-')) {
          const root = document.getElementById('convo-widget')?.shadowRoot;
          window.__framesOut.push({
            composer: root?.querySelector('#convo-composer-input')?.value ?? null,
            rows: [...(root?.querySelectorAll('.convo-bubble__text') ?? [])].filter((p) => p.textContent.includes('MARK-')).length,
          });
        }
        return send.call(this, data);
      };
    });
    await startChat(page);
    const text = 'MARK-1 on its way first';
    await sendText(page, text);
    await waitDelivered(page, text);
    const out = await page.evaluate(() => window.__framesOut);
    assert.equal(out.length, 1, `one frame carried the message: ${JSON.stringify(out)}`);
    assert.deepEqual(out[0], { composer: text, rows: 0 }, 'the frame left before the row was drawn and the composer cleared');
    assert.equal(await page.locator('#convo-composer-input').inputValue(), '', 'the composer is empty once it has gone');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('the composer shows "N characters left" near the 32 KB limit and refuses a longer message', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await startChat(page);
    const panel = panelOf(page);
    const input = panel.getByLabel('Write a message…');
    assert.equal(await input.getAttribute('id'), 'convo-composer-input');
    await input.fill('x'.repeat(30_000));
    await panel.getByText('2768 characters left').waitFor();
    await input.fill('x'.repeat(33_000));
    await panel.getByText('This message is too long to send.').waitFor();
    assert.equal(await panel.getByRole('button', { name: 'Send' }).isDisabled(), true, 'Send is disabled over the limit');
    await input.fill('');
    assert.equal(await panel.locator('.convo-composer__counter').innerText(), '', 'no counter for a short draft');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

/** A chat with an agent whose 30 messages fill the list, the visitor at its bottom. */
async function chatAtBottom(t) {
  const { session, agent } = await chatWithAgent(t);
  const panel = panelOf(t.page);
  for (let i = 1; i <= 30; i++) await postMessage(session.conversation_sid, agent.identity, `fill ${i}`);
  await panel.locator('.convo-bubble__text', { hasText: /^fill 30$/ }).waitFor({ timeout: 15_000 });
  return { session, agent, panel };
}

test('a long history: older pages load at the top, at most ~120 rows in the DOM, "N new — jump to latest"', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    // The history grows while the visitor is on another page; coming back resumes it.
    const total = 200;
    const { agent, panel } = await backToLongHistory(t, total, 'history');
    const newest = panel.locator('.convo-bubble__text', { hasText: /^history 200$/ });
    await poll(() => inView(newest), { what: 'the newest message in view on opening' });
    const rows = panel.locator('.convo-row');
    assert.ok((await rows.count()) < total, `only the newest page is loaded at first (${await rows.count()} rows)`);

    // Scrolling to the top loads the older pages, the DOM never holding more than ~120 rows.
    const log = panel.getByRole('log');
    const beginning = panel.getByText('This is the beginning of the conversation.');
    let most = 0;
    await poll(
      async () => {
        most = Math.max(most, await rows.count());
        if (await beginning.isVisible()) return true;
        await log.evaluate((el) => {
          el.scrollTop = 0;
          el.dispatchEvent(new Event('scroll'));
        });
        return false;
      },
      { ms: 30_000, every: 250, what: 'the beginning of the conversation after scrolling up' },
    );
    assert.ok(most <= 125, `at most ~120 rows in the DOM while paging (got ${most})`);
    await panel.locator('.convo-bubble__text', { hasText: /^Where is my parcel\?$/ }).waitFor();
    await panel.locator('.convo-bubble__text', { hasText: /^history 1$/ }).waitFor();

    // Scrolled up, new messages are counted on a "jump to latest" button.
    await agent.conversation.sendMessage('newest 1');
    await agent.conversation.sendMessage('newest 2');
    const jump = panel.locator('.convo-jump');
    await jump.waitFor({ timeout: 10_000 });
    await panel.locator('.convo-bubble__text', { hasText: /^newest 2$/ }).waitFor({ state: 'attached', timeout: 10_000 }).catch(() => {});
    // Give the count a moment to take in both messages (bounded).
    await poll(async () => /^2 new/.test(await jump.innerText()), { ms: 3_000, what: 'the jump count' }).catch(() => {});
    const label = (await jump.innerText()).trim();
    await jump.click();
    const latest = panel.locator('.convo-bubble__text', { hasText: /^newest 2$/ });
    await latest.waitFor({ timeout: 10_000 });
    await poll(() => inView(latest), { what: 'the newest message in view after the jump' });
    await poll(
      () => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 50),
      { what: 'the log scrolled to the bottom' },
    );
    await jump.waitFor({ state: 'detached', timeout: 5_000 });
    assert.ok((await rows.count()) <= 125, `at most ~120 rows after the jump (got ${await rows.count()})`);
    // Only the two messages that arrived while scrolled up are "new" (older pages are not).
    assert.equal(label, '2 new — jump to latest', 'the jump button counts the messages that arrived while scrolled up');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('flung back to the first of 600 messages, the visitor scrolling down sees every message in order up to the newest', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const total = 600;
    const { panel, log } = await backToLongHistory(t, total, 'line');

    await holdAtTop(panel, log);

    // Then down, most of a screen at a time, noting every message row in view at each stop.
    const seen = new Set();
    const newest = await log.evaluate(async (el, total) => {
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      const note = () => {
        const box = el.getBoundingClientRect();
        const shown = [];
        for (const row of el.querySelectorAll('[data-index]')) {
          const r = row.getBoundingClientRect();
          if (r.bottom > box.top && r.top < box.bottom) shown.push(Number(row.dataset.index));
        }
        return shown;
      };
      const all = [];
      for (let steps = 0; steps < total * 2; steps++) {
        all.push(...note());
        if (el.scrollHeight - el.scrollTop - el.clientHeight < 2 && el.textContent.includes(`line ${total}`)) break;
        el.scrollTop += Math.floor(el.clientHeight * 0.8);
        await frame();
        await frame();
      }
      return all;
    }, total);
    for (const index of newest) seen.add(index);
    const indices = [...seen].sort((a, b) => a - b);
    const last = indices.at(-1);
    const missing = [];
    for (let i = 0; i <= last; i++) if (!seen.has(i)) missing.push(i);
    assert.deepEqual(missing, [], `every message from the first (0) to the newest (${last}) was in view on the way down`);
    assert.ok(last >= total, `the way down reached the newest message (index ${last})`);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('reading back with the wheel, the message at the top of the view stays in place as older rows come in above it', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { log } = await backToLongHistory(t, 300, 'read');
    await log.hover();
    // Once the list has stopped moving: the message row at the top of the view, its distance
    // from the list's top edge, and the oldest row in the DOM.
    const topRow = () =>
      log.evaluate(async (el) => {
        const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        let last = -1;
        for (let i = 0; i < 60 && el.scrollTop !== last; i++) {
          last = el.scrollTop;
          await frame();
          await frame();
        }
        const edge = el.getBoundingClientRect().top;
        const rows = [...el.querySelectorAll('[data-index]')];
        const row = rows.find((r) => r.getBoundingClientRect().bottom > edge);
        return { index: row.dataset.index, offset: row.getBoundingClientRect().top - edge, oldest: Number(rows[0].dataset.index) };
      });
    const offsetOf = (index) =>
      log.evaluate((el, index) => {
        const row = el.querySelector(`[data-index="${index}"]`);
        return row ? row.getBoundingClientRect().top - el.getBoundingClientRect().top : null;
      }, index);
    const start = await topRow();
    const moves = [];
    // Until older rows came in above at least three times (the window grew, then slid back).
    for (let step = 0, changes = 0, oldest = start.oldest; step < 80 && changes < 3; step++) {
      const before = await topRow();
      await page.mouse.wheel(0, -300);
      const after = await topRow();
      if (after.oldest < oldest) changes += 1;
      oldest = after.oldest;
      const now = await offsetOf(before.index);
      // The wheel moves it down by about 300 px; rows coming in above would push it much further.
      moves.push({ step, message: before.index, by: now === null ? 'gone' : Math.round(now - before.offset) });
    }
    const bad = moves.filter((m) => m.by === 'gone' || m.by < 0 || m.by > 450);
    assert.deepEqual(bad, [], 'each turn of the wheel moves the message read by the turn alone');
    assert.ok((await topRow()).oldest < start.oldest - 80, 'older rows came in above as the visitor read back');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a long history: turning the wheel up, then the Home key, reaches the first message (real input, no scroll events made up)', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { panel, log } = await backToLongHistory(t, 400, 'turn');
    const beginning = panel.getByText('This is the beginning of the conversation.');
    // The wheel, hard, from the moment the panel shows: the list reaches its top before the
    // older pages have come. Scrolling stops there (a wheel at the top makes no scroll event),
    // so the rows must come in when the pages do.
    await log.hover();
    const oldest = () => log.evaluate((el) => Number(el.querySelector('[data-index]')?.dataset.index));
    const first = await oldest();
    await page.mouse.wheel(0, -30_000);
    // With no more input, the rows above come in as their page does.
    await poll(async () => (await oldest()) < first - 20, { ms: 10_000, what: 'older rows without more input' });
    await poll(
      async () => {
        if (await beginning.isVisible()) return true;
        await page.mouse.wheel(0, -3000);
        return false;
      },
      { ms: 30_000, every: 50, what: 'the beginning of the conversation with the wheel' },
    );
    await panel.locator('.convo-bubble__text', { hasText: /^turn 1$/ }).waitFor();

    // Back at the bottom, the Home key (the list focused) goes up to the first message too.
    await panel.locator('.convo-jump').click();
    await poll(() => log.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 50), { what: 'back at the bottom' });
    await log.focus();
    await poll(
      async () => {
        if (await beginning.isVisible()) return true;
        await page.keyboard.press('Home');
        return false;
      },
      { ms: 30_000, every: 100, what: 'the beginning of the conversation with the Home key' },
    );
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('reading back, older pages come a few at a time; held at the very top, more at once, each asked for once, up to the first message', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await page.addInitScript(watchOlderPages);
    const { panel, log } = await backToLongHistory(t, 1600, 'deep');
    const pages = () => page.evaluate(() => ({ asked: window.__olderPages.asked, most: window.__olderPages.most }));

    // The wheel, a turn at a time: reading back a little asks for a few pages at once. (Each
    // turn's scroll ends well within the time that marks a scroll as the visitor's: one that
    // reached the top later would be taken for the scrollbar's thumb, which goes far.)
    await log.hover();
    await poll(
      async () => {
        if ((await pages()).asked.length >= 4) return true;
        await page.mouse.wheel(0, -400);
        return false;
      },
      { ms: 20_000, every: 200, what: 'older pages asked for while turning the wheel' },
    );
    const byWheel = (await pages()).most;
    assert.ok(byWheel >= 1 && byWheel <= 3, `at most 3 pages at once while turning the wheel (${byWheel})`);

    // Held at the very top, as the scrollbar's thumb does: going far back asks for more at once.
    await page.evaluate(() => {
      window.__olderPages.most = window.__olderPages.inFlight.size;
    });
    await holdAtTop(panel, log);
    const { asked, most } = await pages();
    assert.ok(most > 3, `more than 3 pages at once, held at the very top (${most})`);
    // Each page once, none skipped: pages of 100 going back from the first page's oldest.
    const steps = asked.slice(1).map((from, i) => asked[i] - from);
    assert.deepEqual(steps, steps.map(() => 100), `each older page asked for once, in order (${asked.join(', ')})`);
    await panel.locator('.convo-bubble__text', { hasText: /^deep 1$/ }).waitFor({ state: 'attached' });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('the Home key goes back through a long history a page past the window at each press: the first of 1,600 messages in a few dozen presses at most', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { panel, log } = await backToLongHistory(t, 1600, 'home');
    const beginning = panel.getByText('This is the beginning of the conversation.');
    await log.focus();
    // Each press's smooth scroll seldom reaches the very top (rows come in above it, and the
    // place is kept): the press itself asks for the start. One step of 40 rows a press took 79.
    let presses = 0;
    while (!(await beginning.isVisible()) && presses < 40) {
      await page.keyboard.press('Home');
      presses += 1;
      await sleep(100);
    }
    assert.ok(await beginning.isVisible(), `the beginning of the conversation within 40 presses of Home (${presses})`);
    await panel.locator('.convo-bubble__text', { hasText: /^home 1$/ }).waitFor({ state: 'attached' });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

/** Holds the list at its very top, as the scrollbar's thumb does, until the first message shows. */
async function holdAtTop(panel, log) {
  const beginning = panel.getByText('This is the beginning of the conversation.');
  await poll(
    async () => {
      if (await beginning.isVisible()) return true;
      await log.evaluate((el) => {
        el.scrollTop = 0;
        el.dispatchEvent(new Event('scroll'));
      });
      return false;
    },
    { ms: 30_000, every: 100, what: 'the beginning of the conversation, held at the very top' },
  );
}

/**
 * In the page, before the widget loads: notes each page of older messages the widget asks for
 * over twilsock (a request with a `From` parameter) and the most awaiting their replies at once.
 */
function watchOlderPages() {
  const pages = { asked: [], inFlight: new Set(), most: 0 };
  window.__olderPages = pages;
  const decoder = new TextDecoder();
  const header = (data) => {
    try {
      return JSON.parse((typeof data === 'string' ? data : decoder.decode(data)).split('\r\n')[1]);
    } catch {
      return null;
    }
  };
  // Its replies are heard first, before the widget's own handler takes them (and may ask for
  // more in the same task): so the count is of pages the widget awaits.
  window.WebSocket = class extends WebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        const reply = header(event.data);
        if (reply?.method === 'reply') pages.inFlight.delete(reply.id);
      });
    }

    send(data) {
      const request = header(data);
      const from = request?.http_request?.params?.From;
      if (from !== undefined) {
        pages.asked.push(Number(from));
        pages.inFlight.add(request.id);
        pages.most = Math.max(pages.most, pages.inFlight.size);
      }
      return super.send(data);
    }
  };
}

test('at the bottom of a full window, each new message is followed, even when the page reads layout as rows change', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { session, agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    // More messages than the window's first size (80 rows): from here on, each new row at the
    // bottom comes with the oldest row leaving the top, and the browser's scroll anchoring moves
    // the position up.
    for (let i = 1; i <= 90; i++) await postMessage(session.conversation_sid, agent.identity, `fill ${i}`);
    await panel.locator('.convo-bubble__text', { hasText: /^fill 90$/ }).waitFor({ timeout: 20_000 });
    // A host page (or an extension) that reads layout whenever the DOM changes makes that
    // anchoring happen before the widget scrolls to the new row, every time.
    await panel.getByRole('log').evaluate((list) => {
      new MutationObserver(() => void list.scrollHeight).observe(list, { childList: true, subtree: true });
    });
    for (let i = 1; i <= 30; i++) {
      // Three lines: a row taller than the 48 px that still counts as "at the bottom".
      await postMessage(session.conversation_sid, agent.identity, `tall ${i}\nsecond line\nthird line`);
      const row = panel.locator('.convo-bubble__text', { hasText: new RegExp(`^tall ${i}\\b`) });
      await row.waitFor({ timeout: 10_000 });
      await poll(() => inView(row), { ms: 5_000, what: `message "tall ${i}" in view` });
    }
    assert.equal(await panel.locator('.convo-jump').count(), 0, 'no "jump to latest" button: the visitor never scrolled up');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a visitor who turns the wheel up just as a message arrives stays where they scrolled', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { agent, panel } = await chatAtBottom(t);
    const log = panel.getByRole('log');
    // In the very turn the new message's row is added, before the list's follow of it lands
    // in the next frame, the visitor turns the wheel up (to the top, in one go).
    await log.evaluate((list) => {
      new MutationObserver((records, observer) => {
        if (!records.some((r) => [...r.addedNodes].some((n) => n.textContent?.includes('arrives now')))) return;
        observer.disconnect();
        list.dispatchEvent(new WheelEvent('wheel', { deltaY: -5000, bubbles: true }));
        list.scrollTop = 0;
      }).observe(list, { childList: true, subtree: true });
    });
    await agent.conversation.sendMessage('arrives now');
    await panel.locator('.convo-jump').waitFor({ timeout: 10_000 });
    // Frames later the list is still where the visitor put it, not pulled back to the bottom.
    const top = await log.evaluate(async (list) => {
      for (let i = 0; i < 5; i++) await new Promise((resolve) => requestAnimationFrame(resolve));
      return list.scrollTop;
    });
    assert.ok(top < 150, `the list stays near its top (scrollTop ${top})`);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('at the bottom, a photo that arrives is followed once it has loaded: all of it in view', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { agent, panel } = await chatAtBottom(t);
    // Its row is drawn before the photo has loaded (its URL is fetched first), then grows by
    // the photo's height.
    await agent.conversation.sendMessage({ contentType: 'image/png', filename: 'tall.png', media: pngOfDimensions(200, 200) });
    const image = panel.locator('.convo-row--other .convo-media-image img');
    await poll(() => image.evaluate((i) => i.complete && i.naturalHeight === 200).catch(() => false), { ms: 15_000, what: 'the photo loaded' });
    await poll(() => wholeInView(image, 100), { ms: 5_000, what: 'the whole photo in view' });
    assert.equal(await panel.locator('.convo-jump').count(), 0, 'no "jump to latest" button: the visitor never scrolled up');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a visitor reading back who sends a message is taken to the bottom, where it shows', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { session, agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    // A history longer than the window, so that reading back leaves the newest rows unrendered.
    for (let i = 1; i <= 200; i++) await postMessage(session.conversation_sid, agent.identity, `back ${i}`);
    await panel.locator('.convo-bubble__text', { hasText: /^back 200$/ }).waitFor({ timeout: 20_000 });
    const log = panel.getByRole('log');
    const jump = panel.locator('.convo-jump');
    await poll(
      async () => {
        if ((await panel.locator('.convo-bubble__text', { hasText: /^back 200$/ }).count()) === 0) return true;
        await log.evaluate((el) => {
          el.scrollTop = 0;
          el.dispatchEvent(new Event('scroll'));
        });
        return false;
      },
      { ms: 30_000, every: 250, what: 'the newest rows left the window while reading back' },
    );
    await jump.waitFor();
    await sendText(page, 'a question from up here');
    const own = panel.locator('.convo-row--own .convo-bubble__text', { hasText: /^a question from up here$/ });
    await own.waitFor({ timeout: 10_000 });
    await poll(() => inView(own), { ms: 5_000, what: 'the message sent in view' });
    await jump.waitFor({ state: 'detached', timeout: 5_000 });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('at the bottom, a notice that someone joined is followed: it shows below the last message', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { session, panel } = await chatAtBottom(t);
    await joinAgent(session.conversation_sid, { friendlyName: 'Bea' });
    const notice = panel.locator('.convo-participant', { hasText: 'Bea joined the chat' });
    await notice.waitFor({ timeout: 10_000 });
    await poll(() => wholeInView(notice), { ms: 5_000, what: 'the whole notice in view' });
    assert.equal(await panel.locator('.convo-jump').count(), 0, 'no "jump to latest" button: the visitor never scrolled up');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('at the bottom, the newest message edited to be longer is followed: all of it in view', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { agent, panel } = await chatAtBottom(t);
    await agent.conversation.sendMessage('short');
    await panel.locator('.convo-bubble__text', { hasText: /^short$/ }).waitFor({ timeout: 15_000 });
    const { items } = await agent.conversation.getMessages(1);
    const long = Array.from({ length: 8 }, (_, i) => `line ${i + 1} of a longer answer`).join('\n');
    await items[0].updateBody(long);
    const row = panel.locator('.convo-row', { has: page.locator('.convo-bubble__text', { hasText: 'line 8 of a longer answer' }) });
    await row.waitFor({ timeout: 10_000 });
    await poll(() => wholeInView(row, 100), { ms: 5_000, what: 'the whole edited message in view' });
    assert.equal(await panel.locator('.convo-jump').count(), 0, 'no "jump to latest" button: the visitor never scrolled up');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('at the bottom, a draft growing to several lines keeps the newest message in view above the composer', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { agent, panel } = await chatAtBottom(t);
    await agent.conversation.sendMessage('the newest');
    const newest = panel.locator('.convo-bubble__text', { hasText: /^the newest$/ });
    await newest.waitFor({ timeout: 10_000 });
    await poll(() => wholeInView(newest), { ms: 5_000, what: 'the newest message in view' });
    const input = page.locator('#convo-composer-input');
    const before = (await input.boundingBox()).height;
    await input.click();
    for (let i = 1; i <= 5; i++) {
      await input.pressSequentially(`line ${i}`);
      await input.press('Shift+Enter');
    }
    const after = (await input.boundingBox()).height;
    assert.ok(after > before + 40, `the composer grew (${before} → ${after} px)`);
    await poll(() => wholeInView(newest), { ms: 5_000, what: 'the newest message still wholly in view' });
    assert.equal(await panel.locator('.convo-jump').count(), 0, 'no "jump to latest" button: the visitor never scrolled up');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('a burst of messages while the visitor is at the bottom keeps the newest in view', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { session, agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    // 50 quick messages (an agent pasting a list, or the catch-up after a reconnect).
    for (let i = 1; i <= 50; i++) await postMessage(session.conversation_sid, agent.identity, `burst ${i}`);
    const newest = panel.locator('.convo-bubble__text', { hasText: /^burst 50$/ });
    await newest.waitFor({ timeout: 15_000 });
    await poll(() => inView(newest), { ms: 5_000, what: 'the newest message of the burst in view' });
    assert.equal(await panel.locator('.convo-jump').count(), 0, 'no "jump to latest" button: the visitor never scrolled up');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
