// Who is in the chat: staff joining and leaving show as centred notices in the timeline ("Ana
// joined the chat"), told to screen readers too, and others' runs of messages carry a round
// avatar at their head (the agent's picture, falling back to initials; the team's for the bot;
// none for the visitor's own). The agent is Twilio's official SDK; removing them is the REST API.
// English, Arabic (right to left) and a 320 px phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';

import { launch, screenshot } from './harness.mjs';
import {
  assertAxeClean,
  axeViolations,
  describeViolations,
  gotoWidget,
  joinAgent,
  launcherOf,
  panelOf,
  poll,
  restOk,
  sendText,
  startChat,
  unique,
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

/** The widget's screen-reader live region (messages and notices). */
const liveRegion = (page) => page.locator('.convo-root .convo-visually-hidden[aria-live="polite"][aria-atomic="true"]');

/** The notices in the list, as their text. */
const notices = (panel) => panel.locator('.convo-participant').allTextContents();

/** Removes `identity` from the conversation through REST, as a desk or the backend would. */
async function removeParticipant(conversationSid, identity) {
  const { participants } = await restOk('GET', `/v1/Conversations/${conversationSid}/Participants?PageSize=50`);
  const participant = participants.find((p) => p.identity === identity);
  assert.ok(participant, `${identity} is a participant`);
  await restOk('DELETE', `/v1/Conversations/${conversationSid}/Participants/${participant.sid}`);
}

/**
 * The rows of `author`'s messages (by text), each with whether it has an avatar and its initials
 * as shown (`innerText`: the stylesheet capitalises them).
 */
function avatarsOf(panel, texts) {
  return panel.evaluate((root, texts) => {
    const rows = [...root.querySelectorAll('.convo-row')];
    return texts.map((text) => {
      const row = rows.find((r) => r.querySelector('.convo-bubble__text')?.textContent === text);
      if (!row) return { text, missing: true };
      const avatar = row.querySelector('.convo-avatar');
      return {
        text,
        avatar: avatar?.innerText ?? null,
        hidden: avatar?.getAttribute('aria-hidden') ?? null,
        image: avatar?.querySelector('img')?.getAttribute('src') ?? null,
      };
    });
  }, texts);
}

/** Where the avatar of the row showing `text` sits against its bubble. */
function avatarBeside(panel, text) {
  return panel.evaluate((root, text) => {
    const row = [...root.querySelectorAll('.convo-row')].find((r) => r.querySelector('.convo-bubble__text')?.textContent === text);
    const a = row.querySelector('.convo-avatar').getBoundingClientRect();
    const b = row.querySelector('.convo-bubble').getBoundingClientRect();
    const list = root.querySelector('.convo-messages');
    const l = list.getBoundingClientRect();
    return {
      avatar: { left: a.left, right: a.right, top: a.top, width: a.width, height: a.height },
      bubble: { left: b.left, right: b.right, top: b.top },
      list: { left: l.left, right: l.right, scrollWidth: list.scrollWidth, clientWidth: list.clientWidth },
    };
  }, text);
}

test('staff joining and leaving show as notices, and agents\' runs carry their avatar', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const session = await startChat(page);
    const panel = panelOf(page);
    const sid = session.conversation_sid;
    // The bot was there from the start: no notice; its run has the team's initials ("Support").
    assert.deepEqual(await notices(panel), []);
    const bot = panel.locator('.convo-row--bot .convo-avatar');
    await bot.first().waitFor();
    assert.equal(await bot.count(), 1, 'one avatar for the bot\'s run');
    assert.equal(await bot.innerText(), 'SU');
    assert.match(await bot.getAttribute('class'), /convo-avatar--team/);
    assert.equal(await panel.locator('.convo-row--own .convo-avatar').count(), 0, 'the visitor\'s own messages have none');

    // An agent joins on the official SDK: a notice after the messages so far, and the live region says it.
    const ana = await joinAgent(sid, { friendlyName: 'Ana' });
    t.defer(ana.close);
    await panel.locator('.convo-participant', { hasText: 'Ana joined the chat' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await notices(panel), ['Ana joined the chat']);
    await poll(async () => (await liveRegion(page).textContent()) === 'Ana joined the chat', { what: 'the live region tells the join' });
    const notice = panel.locator('.convo-participant').first();
    assert.equal(await notice.evaluate((el) => getComputedStyle(el).textAlign), 'center');
    assert.equal(await notice.locator('bdi').textContent(), 'Ana', 'the name is isolated');

    // Two messages from Ana are one run: one avatar, her initials on her colour, hidden from screen readers.
    await ana.conversation.sendMessage('Hi, I am Ana.');
    await ana.conversation.sendMessage('Let me look at your order.');
    await panel.locator('.convo-bubble__text', { hasText: 'Let me look at your order.' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(await avatarsOf(panel, ['Hi, I am Ana.', 'Let me look at your order.']), [
      { text: 'Hi, I am Ana.', avatar: 'AN', hidden: 'true', image: null },
      { text: 'Let me look at your order.', avatar: null, hidden: null, image: null },
    ]);
    const colour = await panel.locator('.convo-row--other .convo-avatar').first().getAttribute('data-colour');
    assert.match(colour, /^[0-7]$/);
    // Beside the bubble's top, on the start (left) side, inside the list.
    const place = await avatarBeside(panel, 'Hi, I am Ana.');
    assert.ok(place.avatar.right <= place.bubble.left, `the avatar is left of the bubble (${JSON.stringify(place)})`);
    assert.ok(Math.abs(place.avatar.top - place.bubble.top) <= 2, `level with the bubble's top (${JSON.stringify(place)})`);
    assert.ok(place.avatar.left >= place.list.left, 'inside the list');
    assert.equal(Math.round(place.avatar.width), 28);

    // The visitor answers; Ana's next message starts a new run with its own avatar.
    await sendText(page, 'Order 1234');
    await waitDelivered(page, 'Order 1234');
    await ana.conversation.sendMessage('Found it.');
    await panel.locator('.convo-bubble__text', { hasText: 'Found it.' }).waitFor({ timeout: 15_000 });
    assert.equal((await avatarsOf(panel, ['Found it.']))[0].avatar, 'AN');
    assert.equal(await panel.locator('.convo-row--other .convo-avatar').count(), 2, 'once per run');

    // A second agent whose picture cannot load (https, but the server hangs up before any TLS):
    // her initials show.
    const refuser = net.createServer((socket) => socket.destroy());
    await new Promise((resolve) => refuser.listen(0, '127.0.0.1', resolve));
    t.defer(() => new Promise((resolve) => refuser.close(resolve)));
    const picture = `https://127.0.0.1:${refuser.address().port}/bea.png`;
    const requested = [];
    page.on('request', (request) => {
      if (request.url() === picture) requested.push(request.url());
    });
    const bea = await joinAgent(sid, {
      identity: unique('agent-bea'),
      attributes: { friendlyName: 'Bea Costa', role: 'agent', avatar: picture },
    });
    t.defer(bea.close);
    await panel.locator('.convo-participant', { hasText: 'Bea Costa joined the chat' }).waitFor({ timeout: 15_000 });
    await bea.conversation.sendMessage('Bea here, from shipping.');
    await panel.locator('.convo-bubble__text', { hasText: 'Bea here, from shipping.' }).waitFor({ timeout: 15_000 });
    await poll(async () => requested.length > 0, { what: 'the https picture is asked for' });
    await poll(async () => {
      const [row] = await avatarsOf(panel, ['Bea here, from shipping.']);
      return row.avatar === 'BC' && row.image === null;
    }, { what: 'the failed picture gives way to the initials' });
    const [beaAvatar] = await avatarsOf(panel, ['Bea here, from shipping.']);
    assert.equal(beaAvatar.hidden, 'true');
    assert.deepEqual(await notices(panel), ['Ana joined the chat', 'Bea Costa joined the chat'], 'in order, between the messages');
    // The notice sits between Ana's run and Bea's.
    const order = await panel.evaluate((root) =>
      [...root.querySelectorAll('.convo-participant, .convo-bubble__text')].map((el) => el.textContent),
    );
    assert.ok(order.indexOf('Found it.') < order.indexOf('Bea Costa joined the chat'), order.join(' | '));
    assert.ok(order.indexOf('Bea Costa joined the chat') < order.indexOf('Bea here, from shipping.'), order.join(' | '));

    await assertAxeClean(page, 'a notice and avatars');
    await screenshot(page, 'participants-joined');

    // Ana is removed while the panel is closed: the live region says so, and nothing counts as unread.
    await panel.getByRole('button', { name: 'Close support chat' }).click();
    await removeParticipant(sid, ana.identity);
    await poll(async () => (await liveRegion(page).textContent()) === 'Ana left the chat', { ms: 15_000, what: 'the live region tells the leave' });
    assert.equal(await launcherOf(page).locator('.convo-launcher__badge').count(), 0, 'a notice is not an unread message');
    await launcherOf(page).click();
    await panel.locator('.convo-participant', { hasText: 'Ana left the chat' }).waitFor();
    assert.deepEqual(await notices(panel), ['Ana joined the chat', 'Bea Costa joined the chat', 'Ana left the chat']);
    // Her messages keep her name and initials; the header lists only who is still here.
    assert.equal((await avatarsOf(panel, ['Hi, I am Ana.']))[0].avatar, 'AN');
    assert.equal(await panel.locator('.convo-row__author', { hasText: /^Ana$/ }).count(), 2);
    await poll(async () => !/\bAna\b/.test(await panel.locator('.convo-header').innerText()), { what: 'Ana gone from the header' });
    assert.match(await panel.locator('.convo-header').innerText(), /Bea Costa/);
    // The header's picture of Bea failed too: her initials there as well.
    const header = panel.locator('.convo-header .convo-avatar');
    await poll(async () => (await header.innerText()) === 'BC' && (await header.locator('img').count()) === 0, {
      what: 'the header falls back to initials',
    });
    // Once the panel's opening animation (which fades it in) is over.
    await panel.evaluate((el) => Promise.all(el.getAnimations().map((a) => a.finished)));
    await assertAxeClean(page, 'the agent left');
    await screenshot(page, 'participants-left');
    assert.deepEqual(page.problems.filter((p) => !p.includes(picture)), []);
  } finally {
    await t.close();
  }
});

test('Arabic: notices in Arabic with the name isolated, avatars on the right', async () => {
  const t = await visit(browser, { locale: 'ar', viewport: { width: 1280, height: 800 } });
  const { page } = t;
  try {
    await gotoWidget(page);
    await launcherOf(page).click();
    const panel = page.getByRole('dialog', { name: 'الدعم' });
    await panel.waitFor({ state: 'visible' });
    await panel.getByLabel('الاسم *').fill('محمد');
    await panel.getByLabel('كيف يمكننا مساعدتك؟ (اختياري)').fill('أين طردي؟');
    await panel.getByRole('button', { name: 'ابدأ المحادثة' }).click();
    await panel.getByRole('status').filter({ hasText: /^متصل$/ }).waitFor({ timeout: 20_000 });
    // The chat is going (the bot has answered): who joins from now on is news (who was already
    // there when the widget loaded the conversation is not), and the backend has written the
    // bot into the staff (joinAgent's read-modify-write of the attributes would race it).
    await panel.locator('.convo-row--bot').waitFor({ timeout: 15_000 });
    const session = await poll(() => page.evaluate(() => JSON.parse(localStorage.getItem('convo:v1:/api/session'))), {
      what: 'the stored session',
    });

    const agent = await joinAgent(session.conversation_sid, { friendlyName: 'Sara Lima' });
    t.defer(agent.close);
    const joined = 'انضم Sara Lima إلى المحادثة';
    const notice = panel.locator('.convo-participant').first();
    await poll(async () => (await notice.count()) > 0 && (await notice.textContent()) === joined, { ms: 15_000, what: 'the Arabic notice' });
    assert.equal(await notice.evaluate((el) => getComputedStyle(el).direction), 'rtl');
    assert.equal(await notice.locator('bdi').textContent(), 'Sara Lima', 'the Latin name is isolated in the Arabic sentence');
    await poll(async () => (await liveRegion(page).textContent()) === joined, { what: 'the live region in Arabic' });

    await agent.conversation.sendMessage('مرحبا، أنا سارة.');
    await panel.locator('.convo-bubble__text', { hasText: 'مرحبا، أنا سارة.' }).waitFor({ timeout: 15_000 });
    const place = await avatarBeside(panel, 'مرحبا، أنا سارة.');
    assert.ok(place.avatar.left >= place.bubble.right, `right to left: the avatar is right of the bubble (${JSON.stringify(place)})`);
    assert.ok(place.avatar.right <= place.list.right, 'inside the list');
    assert.equal((await avatarsOf(panel, ['مرحبا، أنا سارة.']))[0].avatar, 'SL');

    await removeParticipant(session.conversation_sid, agent.identity);
    await panel.locator('.convo-participant', { hasText: 'غادر Sara Lima المحادثة' }).waitFor({ timeout: 15_000 });
    await assertAxeClean(page, 'Arabic');
    await screenshot(page, 'participants-arabic');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('320 px phone: avatars and notices fit, nothing scrolls sideways', async () => {
  const t = await visit(browser, { viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
  const { page } = t;
  try {
    const session = await startChat(page);
    const panel = panelOf(page);
    const agent = await joinAgent(session.conversation_sid, { friendlyName: 'Ana Beatriz dos Santos' });
    t.defer(agent.close);
    await panel.locator('.convo-participant', { hasText: 'Ana Beatriz dos Santos joined the chat' }).waitFor({ timeout: 15_000 });
    const long = 'A long answer that wraps over several lines on a narrow phone screen, to be sure it fits.';
    await agent.conversation.sendMessage(long);
    await panel.locator('.convo-bubble__text', { hasText: long }).waitFor({ timeout: 15_000 });
    assert.equal((await avatarsOf(panel, [long]))[0].avatar, 'AS');
    const place = await avatarBeside(panel, long);
    assert.ok(place.avatar.left >= 0 && place.avatar.right <= place.bubble.left, JSON.stringify(place));
    assert.ok(place.bubble.right <= 320, `the bubble fits (${JSON.stringify(place)})`);
    assert.ok(place.list.scrollWidth <= place.list.clientWidth, `no sideways scrolling (${JSON.stringify(place)})`);
    const notice = await panel.locator('.convo-participant').first().boundingBox();
    assert.ok(notice.x >= 0 && notice.x + notice.width <= 320, `the notice fits (${JSON.stringify(notice)})`);
    // The demo host page's embed snippet (a <pre>, not the widget's) scrolls sideways at 320 px.
    const violations = (await axeViolations(page)).filter(
      (v) => !(v.id === 'scrollable-region-focusable' && v.nodes.every((n) => n.target === 'pre')),
    );
    assert.deepEqual(violations, [], describeViolations(violations));
    await screenshot(page, 'participants-phone');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
