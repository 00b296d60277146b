// Theming: the `--convo-*` custom properties a host page overrides, light and dark schemes from
// the visitor's system, and no animation for visitors who ask for reduced motion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { launch, screenshot } from './harness.mjs';
import { gotoWidget, launcherOf, panelOf, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** The open panel's computed colours and animation. */
async function openPanelStyle(page) {
  await gotoWidget(page);
  await launcherOf(page).click();
  const panel = panelOf(page);
  await panel.waitFor({ state: 'visible' });
  return panel.evaluate((el) => {
    const style = getComputedStyle(el);
    return { background: style.backgroundColor, color: style.color, animation: style.animationName };
  });
}

test('light and dark follow the system colour scheme', async () => {
  const light = await visit(browser, { colorScheme: 'light' });
  const dark = await visit(browser, { colorScheme: 'dark' });
  try {
    const day = await openPanelStyle(light.page);
    const night = await openPanelStyle(dark.page);
    assert.equal(day.background, 'rgb(255, 255, 255)');
    assert.equal(night.background, 'rgb(20, 23, 29)');
    assert.notEqual(day.color, night.color, 'the text colour changes with the background');
    await screenshot(dark.page, 'dark');
    assert.deepEqual([...light.page.problems, ...dark.page.problems], []);
  } finally {
    await light.close();
    await dark.close();
  }
});

test('a host stylesheet re-themes the widget through --convo-* properties', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await gotoWidget(page);
    await page.addStyleTag({
      content: '#convo-widget { --convo-accent: rgb(1, 120, 3); --convo-accent-text: rgb(4, 5, 6); --convo-radius: 3px; }',
    });
    const launcher = launcherOf(page);
    const style = await launcher.evaluate((el) => {
      const s = getComputedStyle(el);
      return { background: s.backgroundColor, color: s.color };
    });
    assert.deepEqual(style, { background: 'rgb(1, 120, 3)', color: 'rgb(4, 5, 6)' });
    await launcher.click();
    const radius = await panelOf(page).evaluate((el) => getComputedStyle(el).borderTopLeftRadius);
    assert.equal(radius, '3px');
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});

test('reduced motion: the panel opens without animating', async () => {
  const still = await visit(browser, { reducedMotion: 'reduce' });
  const moving = await visit(browser, { reducedMotion: 'no-preference' });
  try {
    assert.equal((await openPanelStyle(still.page)).animation, 'none');
    assert.equal((await openPanelStyle(moving.page)).animation, 'convo-pop', 'it animates otherwise');
  } finally {
    await still.close();
    await moving.close();
  }
});
