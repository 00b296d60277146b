// Languages: the widget follows the browser's locale. Arabic lays out right to left (dir="rtl" on
// .convo-root, the launcher and panel on the LEFT, own messages on the left); French is translated.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshot } from './harness.mjs';
import {
  chatWithAgent,
  dropConnections,
  gotoWidget,
  launcherOf,
  panelOf,
  poll,
  requireFaultHooks,
  routeTwilsock,
  sendText,
  storedSession,
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

test('Arabic: right to left, mirrored layout, Arabic strings', async () => {
  const t = await visit(browser, { locale: 'ar', viewport: { width: 1280, height: 800 } });
  const { page } = t;
  try {
    await gotoWidget(page);
    const root = page.locator('.convo-root');
    assert.equal(await root.getAttribute('dir'), 'rtl');
    assert.equal(await root.getAttribute('lang'), 'ar');
    assert.equal(await root.evaluate((el) => getComputedStyle(el).direction), 'rtl');

    const launcher = launcherOf(page);
    assert.equal(await launcher.getAttribute('aria-label'), 'افتح محادثة الدعم');
    const width = page.viewportSize().width;
    const l = await launcher.boundingBox();
    assert.ok(l.x + l.width / 2 < width / 2, `the launcher sits on the left (x=${l.x})`);
    assert.ok(l.x < 60, `the launcher hugs the left edge (x=${l.x})`);

    await launcher.click();
    const panel = page.getByRole('dialog', { name: 'الدعم' });
    await panel.waitFor({ state: 'visible' });
    const p = await panel.boundingBox();
    assert.ok(p.x < 60 && p.x + p.width < width / 2 + 200, `the panel opens on the left (x=${p.x}, w=${p.width})`);
    // The header's close button is at the far (left) end, the title at the start (right).
    const close = await panel.getByRole('button', { name: 'أغلق محادثة الدعم' }).boundingBox();
    const title = await panel.locator('#convo-panel-title').boundingBox();
    assert.ok(close.x < title.x, 'the close button is left of the title');

    await panel.getByLabel('الاسم *').fill('محمد عبد الله');
    await panel.getByLabel('كيف يمكننا مساعدتك؟ (اختياري)').fill('أين طردي؟');
    await panel.getByRole('button', { name: 'ابدأ المحادثة' }).click();
    await panel.getByRole('status').filter({ hasText: /^متصل$/ }).waitFor({ timeout: 20_000 });
    const own = panel.locator('.convo-row--own .convo-bubble', { hasText: 'أين طردي؟' });
    await own.waitFor();
    const bot = panel.locator('.convo-row--bot .convo-bubble');
    await bot.waitFor({ timeout: 15_000 });
    const o = await own.boundingBox();
    const b = await bot.boundingBox();
    const log = await panel.getByRole('log').boundingBox();
    assert.ok(o.x - log.x < 30, `own messages sit on the left in RTL (own x=${o.x}, log x=${log.x})`);
    // Others' runs start with their avatar at the (right) edge, the bubble beside it.
    const a = await panel.locator('.convo-row--bot .convo-avatar').first().boundingBox();
    assert.ok(log.x + log.width - (a.x + a.width) < 30, `others' messages sit on the right in RTL (avatar right=${a.x + a.width})`);
    assert.ok(b.x + b.width <= a.x && a.x - (b.x + b.width) < 16, `the bubble is beside the avatar, to its left (bot right=${b.x + b.width}, avatar x=${a.x})`);
    await panel.getByLabel('اكتب رسالة…').waitFor();
    await screenshot(page, 'rtl');
    const session = await poll(() => storedSession(page), { what: 'the session' });
    assert.ok(session.conversation_sid);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('French: the widget speaks French and stays left to right', async () => {
  const t = await visit(browser, { locale: 'fr-FR' });
  const { page } = t;
  try {
    await gotoWidget(page);
    const root = page.locator('.convo-root');
    assert.equal(await root.getAttribute('dir'), 'ltr');
    assert.equal(await root.getAttribute('lang'), 'fr');
    const launcher = launcherOf(page);
    assert.equal(await launcher.getAttribute('aria-label'), "Ouvrir le chat d'assistance");
    const l = await launcher.boundingBox();
    assert.ok(l.x > page.viewportSize().width / 2, 'the launcher sits on the right');
    await launcher.click();
    const panel = page.getByRole('dialog', { name: 'Assistance' });
    await panel.waitFor({ state: 'visible' });
    await panel.getByRole('button', { name: 'Démarrer le chat' }).click();
    await page.locator('#convo-field-name-error').filter({ hasText: 'Merci de remplir ce champ.' }).waitFor();
    await panel.getByLabel('Nom *').waitFor();
    await panel.getByLabel('E-mail (facultatif)').waitFor();
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('Arabic: a message written in English keeps its own direction (punctuation stays at its end)', async () => {
  const t = await visit(browser, { locale: 'ar' });
  const { page } = t;
  try {
    await gotoWidget(page);
    await launcherOf(page).click();
    const panel = page.getByRole('dialog', { name: 'الدعم' });
    await panel.getByLabel('الاسم *').fill('Sam');
    await panel.getByLabel('كيف يمكننا مساعدتك؟ (اختياري)').fill('Where is my parcel?');
    await panel.getByRole('button', { name: 'ابدأ المحادثة' }).click();
    // The bot's English greeting, in an Arabic widget.
    const greeting = panel.locator('.convo-row--bot .convo-bubble__text');
    await greeting.waitFor({ timeout: 20_000 });
    const question = panel.locator('.convo-row--own .convo-bubble__text', { hasText: 'Where is my parcel?' });
    for (const [text, locator, word] of [
      ['the greeting', greeting, 'shortly.'],
      ['the question', question, 'parcel?'],
    ]) {
      // The final punctuation is drawn after (right of) the word it ends, as in English.
      const inOrder = await locator.evaluate((root, w) => {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        while (walker.nextNode()) {
          const node = walker.currentNode;
          const at = node.data.lastIndexOf(w);
          if (at < 0) continue;
          const rect = (from) => {
            const range = document.createRange();
            range.setStart(node, from);
            range.setEnd(node, from + 1);
            return range.getBoundingClientRect();
          };
          return rect(at + w.length - 2).left < rect(at + w.length - 1).left;
        }
        return null;
      }, word);
      assert.equal(inOrder, true, `in ${text}, "${word}" ends with its punctuation on the right (the text is laid out left to right)`);
    }
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('setLocale re-labels the rows already shown: times, day, "Read", "More actions" and a pending status', async () => {
  await requireFaultHooks();
  const t = await visit(browser);
  const { page } = t;
  try {
    const net = await routeTwilsock(page);
    const { session, agent } = await chatWithAgent(t);
    let panel = panelOf(page);
    await agent.conversation.sendMessage('Here to help.');
    const reply = panel.locator('.convo-row--other', { hasText: 'Here to help.' });
    await reply.waitFor({ timeout: 10_000 });
    await waitDelivered(page, 'Where is my parcel?');
    await agent.conversation.setAllMessagesRead();
    // (The panel's name follows the locale: the receipt is found in the panel of the moment.)
    const receipt = (p) => p.locator('.convo-row--own .convo-row__receipt').first();
    await panel.locator('.convo-row__receipt[data-status="read"]').first().waitFor({ timeout: 10_000 });
    assert.equal((await receipt(panel).textContent()).trim(), 'Read');
    // A message that cannot go out yet: it keeps a status while the language changes.
    net.down = true;
    await dropConnections(session.identity);
    await sendText(page, 'queued through a language change');
    await panel.locator('.convo-row__status', { hasText: 'Waiting for connection' }).waitFor({ timeout: 10_000 });
    const timeIn = (p) => p.locator('.convo-row--other', { hasText: 'Here to help.' }).locator('.convo-row__meta time');
    const english = await timeIn(panel).innerText();
    assert.match(english, /\b(AM|PM)\b/, `an English time has AM/PM (${english})`);
    assert.deepEqual(await panel.locator('.convo-day').allInnerTexts(), ['Today']);
    const more = (p) => p.locator('.convo-row--own .convo-row__more').first();
    assert.equal(await more(panel).getAttribute('aria-label'), 'More actions');

    await page.evaluate(() => window.ConvoWidget.setLocale('fr'));
    panel = panelOf(page, 'Assistance');
    const time = timeIn(panel);
    await poll(async () => !/\b(AM|PM)\b/.test(await time.innerText()), { what: 'the time re-labelled in French' });
    assert.match(await time.innerText(), /^\d{2}:\d{2}$/, `a 24-hour French time (${await time.innerText()})`);
    assert.deepEqual(await panel.locator('.convo-day').allInnerTexts(), ["Aujourd'hui"]);
    assert.equal((await receipt(panel).textContent()).trim(), 'Lu');
    assert.equal(await receipt(panel).getAttribute('title'), 'Lu');
    assert.equal(await more(panel).getAttribute('aria-label'), "Plus d'actions");
    await panel.locator('.convo-row__status', { hasText: 'En attente de connexion' }).waitFor({ timeout: 5_000 });

    net.down = false;
    await waitDelivered(page, 'queued through a language change', 30_000);
    assert.deepEqual(page.problems.filter((p) => !/WebSocket|ERR_CONNECTION|net::/i.test(p)), []);
  } finally {
    await t.close();
  }
});
