// The stylesheet the widget ships is style/main.css minified at build time (build.rs): in
// Chromium both parse to the same rules, selectors and declarations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { launch } from './harness.mjs';
import { gotoWidget, visit } from './support.mjs';

const SOURCE = readFileSync(new URL('../../style/main.css', import.meta.url), 'utf8');

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

test('the shipped stylesheet is style/main.css, minified, rule for rule', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    await gotoWidget(page);
    const { shipped, source } = await page.evaluate((text) => {
      // Values holding var() stay unparsed token lists, serialized with the spaces as written
      // (`min(a, b)` vs `min(a,b)`): compare those without the whitespace the minifier drops.
      const rules = (list) => [...list].map((rule) => rule.cssText.replace(/\s+/g, ' ').replace(/ ?([,()]) ?/g, '$1'));
      const parsed = new CSSStyleSheet();
      parsed.replaceSync(text);
      const host = document.getElementById('convo-widget');
      const sheets = host.shadowRoot.adoptedStyleSheets;
      return { shipped: sheets.length === 1 ? rules(sheets[0].cssRules) : [], source: rules(parsed.cssRules) };
    }, SOURCE);
    assert.ok(source.length > 50, `style/main.css has its rules (${source.length})`);
    assert.deepEqual(shipped, source);
    assert.deepEqual(page.problems, []);
  } finally {
    await t.close();
  }
});
