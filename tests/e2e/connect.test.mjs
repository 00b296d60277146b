// The demo page in Chromium: the launcher opens the panel, which connects through the
// Trunk proxy to the backend's embedded emulator and shows "Connected".
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

test('clicking the launcher opens the panel and shows Connected', async () => {
  const page = await newPage(browser);
  await page.goto(BASE_URL);
  const launcher = page.getByRole('button', { name: 'Open support chat' });
  await launcher.waitFor();
  const panel = page.getByRole('dialog', { name: 'Support' });
  assert.equal(await panel.isVisible(), false, 'the panel starts closed');

  await launcher.click();
  await panel.waitFor({ state: 'visible' });
  const status = panel.getByRole('status');
  await status.filter({ hasText: 'Connected' }).waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('.convo-launcher').getAttribute('aria-expanded'), 'true');
  await screenshot(page, 'connected');

  await panel.getByRole('button', { name: 'Close support chat' }).click();
  await panel.waitFor({ state: 'hidden' });
  assert.deepEqual(page.problems, []);
});
