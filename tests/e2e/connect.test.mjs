// The demo page in Chromium: the launcher opens the panel, the pre-chat form starts a chat
// through the backend, the widget connects (through the Trunk proxy to the embedded emulator)
// and the bot's greeting arrives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch, newPage, screenshot } from './harness.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the launcher opens the panel, the chat connects and the bot answers', async () => {
  const page = await newPage(browser);
  await page.goto(BASE_URL);
  const launcher = page.locator('.convo-launcher');
  await launcher.waitFor();
  const panel = page.getByRole('dialog', { name: 'Support' });
  assert.equal(await panel.isVisible(), false, 'the panel starts closed');
  await screenshot(page, 'closed');

  await launcher.click();
  await panel.waitFor({ state: 'visible' });
  assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
  await screenshot(page, 'prechat');
  await panel.getByLabel('Name').fill('Ana Lúcia');
  await panel.getByLabel('How can we help?').fill('Where is my parcel?');
  await panel.getByRole('button', { name: 'Start chat' }).click();

  await panel.getByRole('status').filter({ hasText: 'Connected' }).waitFor({ timeout: 20_000 });
  await panel.getByText('Where is my parcel?').waitFor();
  await panel.getByText('an agent will be with you shortly').waitFor({ timeout: 10_000 });
  await screenshot(page, 'connected');

  await panel.getByRole('button', { name: 'Close support chat' }).click();
  await panel.waitFor({ state: 'hidden' });
  assert.deepEqual(page.problems, []);
});
