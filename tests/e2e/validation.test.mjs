// Validation: the pre-chat form's messages (tied to their fields with aria-invalid and
// aria-describedby; any Unicode name is a name), and the notices for refused attachments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch } from './harness.mjs';
import { gotoWidget, launcherOf, panelOf, poll, restOk, startChat, storedSession, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the pre-chat form explains what is wrong, field by field, and accepts any Unicode name', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    const sessionRequests = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/session') sessionRequests.push(r.url());
    });
    await gotoWidget(page);
    await launcherOf(page).click();
    const panel = panelOf(page);
    await panel.waitFor({ state: 'visible' });
    const name = panel.getByLabel('Name *');
    const email = panel.getByLabel('Email (optional)');
    const question = panel.getByLabel('How can we help? (optional)');
    const start = panel.getByRole('button', { name: 'Start chat' });
    const nameError = page.locator('#convo-field-name-error');
    const emailError = page.locator('#convo-field-email-error');

    // Nothing filled in: the name is required.
    await start.click();
    await nameError.filter({ hasText: 'Please fill this in.' }).waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    assert.ok((await name.getAttribute('aria-describedby')).split(/\s+/).includes('convo-field-name-error'));
    assert.equal(await email.getAttribute('aria-invalid'), 'false');
    assert.equal(await question.getAttribute('aria-invalid'), 'false');
    assert.equal(await emailError.innerText(), '');

    // Whitespace is not a name; a bad email is explained.
    await name.fill('   ');
    await email.fill('ana@');
    await start.click();
    await emailError.filter({ hasText: 'Please enter an email address like name@example.com.' }).waitFor();
    assert.equal(await nameError.innerText(), 'Please fill this in.');
    assert.equal(await email.getAttribute('aria-invalid'), 'true');
    assert.ok((await email.getAttribute('aria-describedby')).split(/\s+/).includes('convo-field-email-error'));

    await email.fill('ana@example');
    await start.click();
    await poll(async () => (await email.getAttribute('aria-invalid')) === 'true', { what: '"ana@example" refused' });
    assert.equal(await emailError.innerText(), 'Please enter an email address like name@example.com.');
    assert.deepEqual(sessionRequests, [], 'nothing was sent while the form was invalid');

    // Fixed: any Unicode name, an internationalised address.
    const unicodeName = "李小龙 Zoë O'Brien-Łukasz محمد 🐉";
    await name.fill(unicodeName);
    await email.fill('zoë@exämple.org');
    await question.fill('Wo ist mein Paket?');
    await start.click();
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    await panel.locator('.convo-bubble__text', { hasText: 'Wo ist mein Paket?' }).waitFor();
    const session = await poll(() => storedSession(page), { what: 'the session' });
    const conversation = await restOk('GET', `/v1/Conversations/${session.conversation_sid}`);
    assert.equal(JSON.parse(conversation.attributes).visitor.name, unicodeName, 'the name reached the backend unchanged');
    assert.equal(sessionRequests.length, 1);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('refused attachments show a notice: too large, wrong type, empty', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await startChat(page);
    const panel = panelOf(page);
    const picker = page.locator('.convo-composer input[type=file]');
    await picker.setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.alloc(21 * 1024 * 1024, 1) });
    const notices = panel.getByRole('alert');
    await notices.filter({ hasText: 'big.png is larger than 20 MB.' }).waitFor({ timeout: 10_000 });
    await picker.setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    await notices.filter({ hasText: 'setup.exe is not a file type we accept.' }).waitFor({ timeout: 10_000 });
    await picker.setInputFiles({ name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) });
    await notices.filter({ hasText: 'empty.txt is empty.' }).waitFor({ timeout: 10_000 });
    assert.equal(await panel.locator('.convo-draft-files').count(), 0, 'no refused file is in the draft');
    assert.equal(await panel.getByRole('button', { name: 'Send' }).isDisabled(), true, 'nothing to send');

    // Each notice can be dismissed.
    const first = panel.locator('.convo-notice', { hasText: 'big.png is larger than 20 MB.' });
    await first.getByRole('button').click();
    await first.waitFor({ state: 'detached' });
    assert.equal(await panel.locator('.convo-notice').count(), 2);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
