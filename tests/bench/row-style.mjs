// `scripts/bench rows`: what the browser's style and layout of message rows cost, and what a
// lighter row would save. A history fling mounts a hundred rows a frame, and most of each frame
// is the browser's own work, so this is where the scroll's remaining time is decided.
//
// One headless Chromium page, the widget's real stylesheet (style/main.css) adopted by a shadow
// root, a list of 120 rows. Each step replaces 100 of them (the oldest leave, new ones come in
// at the top, as the fling does) and forces style and layout; its time is one sample. For each
// variant, the shipped rows and the variant alternate, 60 steps each (the first 5 not counted),
// in the same page: the figure is the median step of each, side by side.
//
// The rows' markup is written here by hand after `src/components/message_row.rs` (a run of three
// own rows, then three of someone else's, with a receipt on each own row, the author and avatar
// at a run's head and the time at its end): keep it in step with that file.
import fs from 'node:fs';

import { launchBrowser, runBench } from './browser-support.mjs';

const STEPS = 60;
const WARM = 5;

/**
 * Each variant: what it replaces in an own row's markup (`own`: a pattern and its replacement),
 * in the stylesheet (`sheet`: a text and its replacement), and the rules it adds (`css`).
 */
const HIDDEN_WORD = '<span class="convo-visually-hidden">Read</span>';
const VARIANTS = {
  "without the receipt's hidden word": { own: [HIDDEN_WORD, ''] },
  'the word clipped in place, not hidden': {
    own: [HIDDEN_WORD, 'Read'],
    css: '.convo-row__receipt { display: inline-block; inline-size: 1.2em; overflow: hidden; white-space: nowrap; vertical-align: bottom; color: transparent }',
  },
  'without the foot (receipt and word)': { own: ['<span class="convo-bubble__foot">.*?</span></span></span>', ''] },
  'without the "More actions" button': { own: ['<button[^>]*></button>', ''] },
  'the button a block box, not flex': { css: '.convo-row__more { display: block; text-align: center; line-height: 44px }' },
  'the foot a block box, not flex': { css: '.convo-bubble__foot { display: block; text-align: end }' },
  'box-sizing for elements only (not ::before, ::after)': {
    sheet: ['.convo-root *, .convo-root *::before, .convo-root *::after { box-sizing: border-box; }', '.convo-root * { box-sizing: border-box; }'],
  },
};

await runBench('rows', 10 * 60_000, async (scope) => {
  const css = fs.readFileSync(new URL('../../style/main.css', import.meta.url), 'utf8');
  const browser = await launchBrowser(scope);
  const page = await browser.newPage();
  await page.setContent('<div id="host" style="position:fixed;inset:0"></div>');
  const variants = Object.entries(VARIANTS).map(([name, v]) => {
    if (v.sheet && !css.includes(v.sheet[0])) throw new Error(`variant "${name}": the stylesheet no longer has ${v.sheet[0]}`);
    return { name, own: v.own ?? null, css: (v.sheet ? css.replace(...v.sheet) : css) + (v.css ?? '') };
  });
  const results = await page.evaluate(async ({ css, variants, steps, warm }) => {
    const own = (i) =>
      `<div class="convo-row convo-row--own${i % 3 ? '' : ' convo-row--first'}" data-index="${i}"><div class="convo-bubble" id="convo-bubble-${i}">` +
      `<p class="convo-bubble__text" dir="auto">message number ${i} with a few words of text</p>` +
      '<span class="convo-bubble__foot"><span class="convo-row__receipt" data-status="read" title="Read"><span class="convo-visually-hidden">Read</span></span></span>' +
      `<button type="button" class="convo-row__more" id="convo-more-${i}" aria-label="More actions" aria-describedby="convo-bubble-${i}" aria-haspopup="menu" aria-expanded="false"></button></div>` +
      `${i % 3 === 2 ? `<div class="convo-row__meta"><time>10:3${i % 10}</time></div>` : ''}</div>`;
    const other = (i) =>
      `<div class="convo-row convo-row--other${i % 3 ? '' : ' convo-row--first'}" data-index="${i}">` +
      `${i % 3 ? '' : '<div class="convo-row__author" dir="auto">Agent Smith</div><span class="convo-avatar convo-avatar--row" aria-hidden="true">AS</span>'}` +
      `<div class="convo-bubble"><p class="convo-bubble__text" dir="auto">reply number ${i}, a little longer than the question was</p></div>` +
      `${i % 3 === 2 ? `<div class="convo-row__meta"><time>10:3${i % 10}</time></div>` : ''}</div>`;
    const root = document.getElementById('host').attachShadow({ mode: 'open' });
    root.innerHTML = '<div class="convo-root" dir="ltr"><div class="convo-panel" style="position:fixed;inset:0;display:flex;flex-direction:column"><div class="convo-messages" role="log"></div></div></div>';
    const list = root.querySelector('.convo-messages');
    const sheet = (text) => {
      const s = new CSSStyleSheet();
      s.replaceSync(text);
      return s;
    };
    const shipped = sheet(css);
    let next = 1_000_000;
    const rows = (n, transform) => {
      const template = document.createElement('template');
      let html = '';
      for (let k = 0; k < n; k += 1) {
        const i = next - n + k;
        html += Math.floor(i / 3) % 2 ? transform(own(i)) : other(i);
      }
      next -= n;
      template.innerHTML = html;
      return template.content;
    };
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const out = [];
    list.append(rows(120, (h) => h));
    for (const variant of variants) {
      const transform = variant.own ? (h) => h.replace(new RegExp(variant.own[0]), variant.own[1]) : (h) => h;
      const changed = sheet(variant.css);
      const times = { shipped: [], variant: [] };
      for (let step = 0; step < steps; step += 1) {
        for (const side of step % 2 ? ['shipped', 'variant'] : ['variant', 'shipped']) {
          root.adoptedStyleSheets = [side === 'shipped' ? shipped : changed];
          void list.offsetHeight;
          const fresh = rows(100, side === 'shipped' ? (h) => h : transform);
          const start = performance.now();
          for (let k = 0; k < 100; k += 1) list.lastElementChild.remove();
          list.prepend(fresh);
          void list.offsetHeight; // style and layout, now
          if (step >= warm) times[side].push(performance.now() - start);
          await new Promise((resolve) => requestAnimationFrame(resolve));
        }
      }
      out.push({ name: variant.name, shipped: median(times.shipped), variant: median(times.variant), steps: times.shipped.length });
    }
    return out;
  }, { css, variants, steps: STEPS, warm: WARM });

  const width = Math.max(...results.map((r) => r.name.length));
  console.log(`\n${'variant (own rows)'.padEnd(width)}  shipped rows  variant   change`);
  for (const r of results) {
    const change = (100 * (r.variant - r.shipped)) / r.shipped;
    console.log(`${r.name.padEnd(width)}  ${r.shipped.toFixed(1).padStart(9)} ms  ${r.variant.toFixed(1).padStart(5)} ms  ${change >= 0 ? '+' : ''}${change.toFixed(0)} %`);
  }
  console.log(`(median of ${results[0]?.steps} steps each, alternating in one page: 100 rows replaced, style and layout forced; half the rows are own rows)`);
  for (const r of results) {
    console.log(JSON.stringify({ bench: 'rows', case: r.name, shipped_ms: r.shipped, variant_ms: r.variant, steps: r.steps }));
  }
});
