// Hostile content renders as inert text: a corpus of XSS payloads (script tags, img onerror, svg
// onload, javascript: URLs, HTML entities, RTL overrides, very long words) in message bodies (from
// the agent's SDK client and from REST), participants' friendly names and avatars, file names
// (uploaded by the visitor and by the agent) and message attributes. No dialog fires, no element
// is injected, no console error, and each payload reads back as the exact text sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from './harness.mjs';
import { chatWithAgent, joinAgent, panelOf, poll, postMessage, recordStaff, restOk, startChat, unique, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const MARK = 'window.__xss=(window.__xss||0)+1';
const PAYLOADS = [
  `<script>${MARK};alert('script')</script>`,
  `<img src=x onerror="${MARK};alert('img')">`,
  `<svg onload="${MARK};alert('svg')"></svg>`,
  `<svg><script>${MARK}</script></svg>`,
  `"><img src=x onerror=alert(1)>`,
  `'><script>alert(String.fromCharCode(88,83,83))</script>`,
  `<iframe src="javascript:${MARK};alert('iframe')"></iframe>`,
  `<a href="javascript:${MARK};alert('a')">click me</a>`,
  `javascript:alert(1)`,
  `JaVaScRiPt:${MARK}`,
  `[click](javascript:alert(1))`,
  `data:text/html,<script>alert(1)</script>`,
  `https://example.com/"><script>alert(1)</script>`,
  `www.example.com/<img src=x onerror=alert(1)>`,
  `https://example.com/path?q=<svg/onload=alert(1)>`,
  `&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62; &amp;amp;`,
  `<details open ontoggle=alert(1)>`,
  `<style>*{display:none}</style><link rel=stylesheet href=https://evil.example/x.css>`,
  `{{constructor.constructor('alert(1)')()}} \${alert(1)} <%= 7*7 %>`,
  `<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
  `Invoice \u202Efdp.exe and \u202Bمرحبا\u202C \u2067isolate\u2069 \u200Fmark`,
  `W${'w'.repeat(4000)}`,
  `${'<b>'.repeat(200)}deep`,
];
const NAMES = [
  `<img src=x onerror="${MARK};alert('name')">`,
  `<script>alert('name')</script>Bob`,
  `"><svg onload=alert(1)>`,
];
const AGENT_NAME = `<b onmouseover=alert(1)>Ana</b> &amp; co`;
const FILES = [
  { name: `"><img src=x onerror=alert(1)>.png`, mimeType: 'image/png' },
  { name: `<script>alert(1)</script>.pdf`, mimeType: 'application/pdf' },
];
const REFUSED = `<img src=x onerror=alert('refused')>.exe`;

/** Everything suspicious in the document: injected elements, inline handlers, unsafe URLs. */
function injected(page) {
  return page.evaluate(() => {
    const found = [];
    const shadow = document.getElementById('convo-widget').shadowRoot;
    const root = shadow.querySelector('.convo-root');
    for (const el of [...document.querySelectorAll('*'), ...shadow.querySelectorAll('*')]) {
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name)) found.push(`${el.tagName} has ${attr.name}`);
        if (/^\s*(javascript|data|vbscript):/i.test(attr.value) && /^(href|src|action|formaction|xlink:href)$/i.test(attr.name)) {
          found.push(`${el.tagName} ${attr.name}=${attr.value.slice(0, 60)}`);
        }
      }
    }
    for (const el of root.querySelectorAll('script, iframe, object, embed, style, link, meta, base, math, details, b, mi, marquee, video, audio, frame, frameset')) {
      found.push(`injected <${el.tagName.toLowerCase()}>`);
    }
    for (const svg of root.querySelectorAll('svg')) {
      if (svg.getAttribute('aria-hidden') !== 'true' || svg.querySelector('script, foreignObject')) found.push('injected <svg>');
    }
    for (const img of root.querySelectorAll('img')) {
      if (!img.matches('.convo-media-image img, .convo-draft-file__preview, .convo-avatar, .convo-avatar__image, .convo-lightbox img')) found.push(`injected <img src=${img.getAttribute('src')}>`);
      if (!/^(https?:|blob:)/.test(img.getAttribute('src') ?? '')) found.push(`img with src ${img.getAttribute('src')}`);
    }
    for (const a of root.querySelectorAll('a')) {
      const href = a.getAttribute('href') ?? '';
      if (href && !/^(https?:\/\/|blob:)/.test(href)) found.push(`link to ${href.slice(0, 60)}`);
      if (a.closest('.convo-bubble__text') && a.getAttribute('rel') !== 'noopener noreferrer nofollow') found.push(`link without rel: ${href}`);
    }
    for (const text of root.querySelectorAll('.convo-bubble__text')) {
      for (const el of text.querySelectorAll('*')) if (!['SPAN', 'A'].includes(el.tagName)) found.push(`<${el.tagName.toLowerCase()}> in a message`);
    }
    return found;
  });
}

test('XSS payloads in bodies, names, file names and attributes render as inert text', async () => {
  const t = await visit(browser);
  const { page } = t;
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  try {
    const session = await startChat(page, { name: NAMES[0], question: PAYLOADS[0] });
    const panel = panelOf(page);
    const sid = session.conversation_sid;

    // The agent (SDK) with a hostile friendly name and hostile avatars.
    const agent = await joinAgent(sid, {
      attributes: { friendlyName: AGENT_NAME, role: 'agent', avatar: `javascript:${'alert(1)'}` },
    });
    t.defer(agent.close);
    // More participants, with hostile names and avatars, through REST.
    const others = [];
    for (const [i, name] of NAMES.entries()) {
      const identity = unique(`agent-x${i}`);
      await restOk('POST', `/v1/Conversations/${sid}/Participants`, {
        Identity: identity,
        Attributes: JSON.stringify({ friendlyName: name, role: 'agent', avatar: i === 0 ? 'data:image/svg+xml,<svg onload=alert(1)>' : `http://x"onerror="alert(1)` }),
      });
      await recordStaff(sid, identity);
      others.push({ identity, name });
    }

    // Bodies: half through the SDK, half through REST (with hostile message attributes).
    for (const [i, payload] of PAYLOADS.entries()) {
      if (i % 2 === 0) {
        await agent.conversation.sendMessage(payload, { html: payload, bot: '<script>alert(1)</script>', friendlyName: NAMES[0] });
      } else {
        await postMessage(sid, others[i % others.length].identity, payload, { html: payload, author: NAMES[1], avatar: 'javascript:alert(1)' });
      }
    }
    // Every participant speaks, so every name is shown as an author.
    for (const other of others) await postMessage(sid, other.identity, `from ${other.identity}`);

    // File names: the agent sends one, the visitor uploads two, one more is refused.
    await agent.conversation.sendMessage({ contentType: 'text/plain', filename: `<svg onload=alert('file')>.txt`, media: Buffer.from('hi\n') });
    const picker = page.locator('.convo-composer input[type=file]');
    await picker.setInputFiles(FILES.map((f) => ({ ...f, buffer: f.mimeType === 'image/png' ? Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64') : Buffer.from('%PDF-1.4\n%%EOF\n') })));
    await panel.locator('.convo-draft-files li').nth(1).waitFor({ timeout: 5_000 });
    assert.ok(await injected(page).then((f) => f.length === 0), 'the draft shows hostile file names inertly');
    await panel.getByRole('button', { name: 'Send' }).click();
    await picker.setInputFiles({ name: REFUSED, mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await panel.getByRole('alert').filter({ hasText: `${REFUSED} is not a file type we accept.` }).waitFor({ timeout: 5_000 });

    // Everything arrived.
    const texts = () => panel.locator('.convo-bubble__text').evaluateAll((els) => els.map((e) => e.textContent));
    await poll(
      async () => {
        const shown = await texts();
        return PAYLOADS.every((p) => shown.includes(p)) && others.every((o) => shown.includes(`from ${o.identity}`));
      },
      { ms: 20_000, what: 'every payload shown as exact text' },
    );
    await panel.locator('.convo-file-chip', { hasText: `<svg onload=alert('file')>.txt` }).waitFor({ timeout: 15_000 });
    await panel.getByRole('button', { name: `Image: ${FILES[0].name}` }).waitFor({ timeout: 15_000 });
    await panel.locator('.convo-file-chip', { hasText: FILES[1].name }).waitFor({ timeout: 15_000 });
    await poll(async () => (await panel.locator('.convo-row__status').count()) === 0, { ms: 15_000, what: 'uploads done' });
    await agent.conversation.typing();
    await panel.locator('.convo-typing').filter({ hasText: `${AGENT_NAME} is typing…` }).waitFor({ timeout: 10_000 });

    // Names are shown as text, as given.
    const authors = await panel.locator('.convo-row__author').evaluateAll((els) => els.map((e) => e.textContent));
    for (const name of [AGENT_NAME, ...NAMES]) assert.ok(authors.includes(name), `author "${name}" shown as text (authors: ${JSON.stringify(authors)})`);
    const subtitle = await panel.locator('.convo-header__subtitle').evaluate((e) => e.textContent);
    for (const name of [AGENT_NAME, ...NAMES]) assert.ok(subtitle.includes(name), `the header names "${name}" as text`);

    // The hostile-named image opens in the lightbox and closes.
    await panel.getByRole('button', { name: `Image: ${FILES[0].name}` }).click();
    const lightbox = page.getByRole('dialog', { name: `Image: ${FILES[0].name}` });
    await lightbox.waitFor();
    assert.deepEqual(await injected(page), []);
    await lightbox.getByRole('button', { name: 'Close image' }).click();
    await lightbox.waitFor({ state: 'detached' });

    // A very long word stays inside its bubble: nothing scrolls sideways.
    const overflow = await panel.getByRole('log').evaluate((el) => el.scrollWidth - el.clientWidth);
    assert.ok(overflow <= 1, `the message list does not scroll sideways (${overflow}px)`);

    assert.deepEqual(await injected(page), [], 'nothing injected');
    assert.deepEqual(dialogs, [], 'no dialog fired');
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'no payload ran');
    assert.deepEqual(page.problems, [], 'no console errors');
  } finally {
    await t.close();
  }
});

/** Whether `word`, in the last text node of `locator` containing it, is laid out left to right. */
function readsLeftToRight(locator, word) {
  return locator.evaluate((root, w) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let found = null;
    while (walker.nextNode()) {
      const node = walker.currentNode;
      const at = node.data.lastIndexOf(w);
      if (at >= 0) found = { node, at };
    }
    if (!found) return null;
    const rect = (from) => {
      const range = document.createRange();
      range.setStart(found.node, from);
      range.setEnd(found.node, from + 1);
      return range.getBoundingClientRect();
    };
    return rect(found.at).left < rect(found.at + w.length - 1).left;
  }, word);
}

test("RTL override characters in names do not reorder the widget's own words", async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { agent } = await chatWithAgent(t, '\u202EAna');
    const panel = panelOf(page);
    const subtitle = panel.locator('.convo-header__subtitle');
    await poll(async () => (await subtitle.innerText()).includes('Online'), { what: 'the agent online in the header' });
    await agent.conversation.typing();
    const typing = panel.locator('.convo-typing');
    await typing.filter({ hasText: 'is typing' }).waitFor({ timeout: 10_000 });
    assert.equal(await readsLeftToRight(subtitle, 'Online'), true, '"Online" after a name with U+202E still reads left to right');
    assert.equal(await readsLeftToRight(typing, 'typing'), true, '"is typing…" after a name with U+202E still reads left to right');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
