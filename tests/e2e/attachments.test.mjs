// Attachments: other files travel as download chips both ways; dropping and pasting attach files
// like the picker does; the draft's files can be removed; an upload can be cancelled, and a failed
// one says so and can be retried without sending it twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from './harness.mjs';
import { chatWithAgent, once, panelOf, pngOfSize, poll, recordMessages, sendText, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');

/** Resolves with the agent's next message in its conversation that carries media. */
const nextMedia = (agent, ms = 20_000) =>
  once(agent.client, 'messageAdded', ms, (m) => m.conversation.sid === agent.conversation.sid && m.attachedMedia?.length > 0);

test('files that are not images travel as download chips, both ways', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { agent } = await chatWithAgent(t);
    const panel = panelOf(page);

    const arrived = nextMedia(agent);
    await page.locator('.convo-composer input[type=file]').setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: PDF });
    await panel.getByRole('button', { name: 'Remove invoice.pdf' }).waitFor();
    await panel.getByRole('button', { name: 'Send' }).click();
    const message = await arrived;
    assert.equal(message.attachedMedia[0].filename, 'invoice.pdf');
    assert.equal(message.attachedMedia[0].contentType, 'application/pdf');
    assert.equal(message.attachedMedia[0].size, PDF.length);
    const own = panel.locator('.convo-row--own .convo-file-chip', { hasText: 'invoice.pdf' });
    await own.waitFor({ timeout: 15_000 });
    // Its accessible name is what it shows, after a verb: "Download invoice.pdf 1 KB".
    await panel.locator('.convo-row--own').getByRole('link', { name: /^Download invoice\.pdf\b/ }).waitFor();
    await poll(async () => /^https?:\/\//.test((await own.getAttribute('href')) ?? ''), { what: 'the chip links to the file' });
    const href = await own.getAttribute('href');
    const download = await fetch(href, { signal: AbortSignal.timeout(10_000) });
    assert.equal(download.status, 200);
    assert.ok(Buffer.from(await download.arrayBuffer()).equals(PDF), 'the chip downloads the bytes sent');

    // The agent sends a CSV through the SDK (MCS upload).
    const csv = Buffer.from('order,status\n1234,shipped\n');
    await agent.conversation.sendMessage({ contentType: 'text/csv', filename: 'orders.csv', media: csv });
    const theirs = panel.locator('.convo-row--other .convo-file-chip', { hasText: 'orders.csv' });
    await theirs.waitFor({ timeout: 15_000 });
    await panel.locator('.convo-row--other').getByRole('link', { name: /^Download orders\.csv\b/ }).waitFor();
    assert.equal(await theirs.getAttribute('rel'), 'noopener noreferrer');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('dropping and pasting images attach them; "Remove <name>" takes one out; at most 10 files', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { agent } = await chatWithAgent(t);
    const panel = panelOf(page);
    const png = pngOfSize(2_000).toString('base64');

    // Drop a file on the message list (the whole panel is a drop target).
    await page.locator('.convo-messages').evaluate((target, b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'dropped.png', { type: 'image/png' }));
      target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, png);
    await panel.getByRole('button', { name: 'Remove dropped.png' }).waitFor({ timeout: 5_000 });

    // Paste an image into the composer.
    await page.locator('#convo-composer-input').evaluate((target, b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, png);
    await panel.getByRole('button', { name: 'Remove pasted.png' }).waitFor({ timeout: 5_000 });
    assert.equal(await panel.locator('.convo-draft-files li').count(), 2);

    await panel.getByRole('button', { name: 'Remove dropped.png' }).click();
    await panel.getByRole('button', { name: 'Remove dropped.png' }).waitFor({ state: 'detached' });
    assert.equal(await panel.locator('.convo-draft-files li').count(), 1);

    // Over ten files: the extra ones are refused with a notice.
    await panel.getByRole('button', { name: 'Remove pasted.png' }).click();
    await panel.locator('.convo-draft-files').waitFor({ state: 'detached' });
    const files = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.txt`, mimeType: 'text/plain', buffer: Buffer.from(`file ${i}\n`) }));
    await page.locator('.convo-composer input[type=file]').setInputFiles(files);
    await panel.getByRole('alert').filter({ hasText: 'You can attach up to 10 files.' }).waitFor({ timeout: 5_000 });
    await poll(async () => (await panel.locator('.convo-draft-files li').count()) === 10, { what: 'ten files in the draft' });
    assert.equal(await panel.getByRole('button', { name: 'Remove f10.txt' }).count(), 0, 'the eleventh file is not attached');
    for (let i = 0; i < 10; i++) await panel.getByRole('button', { name: `Remove f${i}.txt` }).click();
    await panel.locator('.convo-draft-files').waitFor({ state: 'detached' });

    // What is sent is what is left in the draft.
    await page.locator('#convo-composer-input').evaluate((target, b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const data = new DataTransfer();
      data.items.add(new File([bytes], 'pasted.png', { type: 'image/png' }));
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    }, png);
    await panel.getByRole('button', { name: 'Remove pasted.png' }).waitFor({ timeout: 5_000 });
    const arrived = nextMedia(agent);
    await panel.getByRole('button', { name: 'Send' }).click();
    const message = await arrived;
    assert.deepEqual(message.attachedMedia.map((m) => m.filename), ['pasted.png']);
    await panel.getByRole('button', { name: 'Image: pasted.png' }).waitFor({ timeout: 15_000 });
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('an upload can be cancelled; a failed one shows "Not sent — …" and Retry sends it once', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const { session, agent } = await chatWithAgent(t);
    const received = recordMessages(agent);
    const media = [];
    agent.client.on('messageAdded', (m) => {
      if (m.conversation.sid === session.conversation_sid && m.attachedMedia?.length) media.push(m.attachedMedia[0].filename);
    });
    const panel = panelOf(page);
    const picker = page.locator('.convo-composer input[type=file]');

    // Cancel: a slow upload is aborted and the message never goes out.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 256 * 1024 });
    await picker.setInputFiles({ name: 'slow.png', mimeType: 'image/png', buffer: pngOfSize(3 * 1024 * 1024) });
    await panel.getByRole('button', { name: 'Remove slow.png' }).waitFor();
    await panel.getByRole('button', { name: 'Send' }).click();
    const uploading = panel.locator('.convo-row__status').filter({ hasText: /Uploading \d+%/ });
    await uploading.waitFor({ timeout: 10_000 });
    await uploading.getByRole('button', { name: 'Cancel' }).click();
    await uploading.waitFor({ state: 'detached', timeout: 5_000 });
    assert.equal(await panel.locator('.convo-row--own', { hasText: 'slow.png' }).count(), 0, 'the cancelled message is gone');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    // Failure: the media service refuses the upload (a permanent error: a 5xx is retried).
    await page.route('**/Media?*', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ status: 400, code: 20001, message: 'Invalid media', more_info: 'https://www.twilio.com/docs/errors/20001' }),
      }),
    );
    await picker.setInputFiles({ name: 'retry.png', mimeType: 'image/png', buffer: pngOfSize(10_000) });
    await panel.getByRole('button', { name: 'Remove retry.png' }).waitFor();
    await panel.getByRole('button', { name: 'Send' }).click();
    const failed = panel.locator('.convo-row__status').filter({ hasText: /^.*Not sent — \S/ });
    await failed.waitFor({ timeout: 15_000 });
    const retry = failed.getByRole('button', { name: 'Retry' });
    assert.equal(await retry.count(), 1);
    await page.unroute('**/Media?*');
    await retry.click();
    await panel.getByRole('button', { name: 'Image: retry.png' }).waitFor({ timeout: 15_000 });
    await poll(async () => (await panel.locator('.convo-row__status').count()) === 0, { what: 'no pending status left' });

    // A text message after both: the agent saw retry.png once and never slow.png.
    await sendText(page, 'done with files');
    await received.waitFor('done with files');
    await poll(() => media.includes('retry.png'), { what: 'the agent got retry.png' });
    assert.deepEqual(media, ['retry.png'], 'the agent received only the retried file, once');
    // The refused upload logs a failed resource load (400) in the console; nothing else.
    const problems = page.problems.filter((p) => !/status of 400/.test(p));
    assert.deepEqual(problems, []);
  } finally {
    await t.close();
  }
});
