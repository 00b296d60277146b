// The custom element: a page (or a framework's template) places `<convo-widget …>` and gets a
// widget configured by the element's attributes, in the element's own shadow root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch } from './harness.mjs';
import { launcherOf, panelOf, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/**
 * Serves the page without styles with `markup` and the loader without data-* attributes (so
 * the loader mounts no widget of its own: the elements are the widgets).
 */
async function pageWith(page, markup) {
  const url = new URL('clean.html', BASE_URL).href;
  await page.route(url, async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace(/<script[^]*?<\/script>/, `${markup}<script src="/convo-widget.js" async></script>`);
    await route.fulfill({ response, body: html });
  });
  await page.goto(url);
}

test('<convo-widget> takes its configuration from its attributes and lives in its own shadow root', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await pageWith(page, '<convo-widget locale="fr" team="Acme" prechat="name!"></convo-widget>');
    const launcher = launcherOf(page);
    await launcher.waitFor({ timeout: 20_000 });
    const shape = await page.evaluate(() => {
      const element = document.querySelector('convo-widget');
      return {
        shadow: Boolean(element.shadowRoot?.querySelector('.convo-root')),
        lang: element.shadowRoot?.querySelector('.convo-root')?.getAttribute('lang'),
        otherHosts: document.querySelectorAll('convo-widget-host').length,
      };
    });
    assert.deepEqual(shape, { shadow: true, lang: 'fr', otherHosts: 0 });
    await launcher.click();
    const panel = panelOf(page, 'Acme');
    await panel.waitFor({ state: 'visible' });
    // `prechat="name!"`: only the name, required (the French form).
    assert.equal(await panel.locator('input, textarea').count(), 1);
    await panel.getByRole('button', { name: 'Démarrer le chat' }).click();
    await panel.getByText('Merci de remplir ce champ.').waitFor();

    // Moved elsewhere in the page, it keeps its one widget.
    await page.evaluate(() => document.body.append(document.querySelector('convo-widget')));
    assert.equal(await page.evaluate(() => document.querySelector('convo-widget').shadowRoot.querySelectorAll('.convo-root').length), 1);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
