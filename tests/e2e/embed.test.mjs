// Embedding: the widget lives in a shadow root on its own host element. The demo shop's global
// CSS (www/shop.css), made worse still (`* {…!important}`, resets, fonts, RTL), does not change
// how the widget looks next to the same snippet on a page without styles (www/clean.html): same
// boxes, same computed styles, same pixels. And the widget changes nothing of the page: not its
// elements' styles, not its DOM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch, screenshot } from './harness.mjs';
import { gotoWidget, launcherOf, panelOf, visit } from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** What a hostile host page does to every element it can reach. */
const HOSTILE_CSS = `
  * { box-sizing: content-box !important; margin: 7px !important; padding: 3px !important;
      font: italic 700 23px/3 "Comic Sans MS", cursive !important; color: red !important;
      background: yellow !important; letter-spacing: 2px !important; text-transform: uppercase !important;
      border: 2px dashed green !important; text-shadow: 1px 1px blue !important; cursor: wait !important;
      visibility: visible !important; word-spacing: 9px !important; text-align: right !important; }
  div, section, header, button, p, span, svg, img, textarea, input, form, label { display: block !important;
      position: static !important; width: 50px !important; height: 20px !important; opacity: 0.5 !important; }
  button { all: unset !important; }
  html { font-size: 8px !important; direction: rtl !important; }
  :root { --convo-surface: black; }
`;

const PROPERTIES = [
  'display', 'position', 'box-sizing', 'width', 'height', 'margin-top', 'margin-left', 'padding-top', 'padding-left',
  'font-family', 'font-size', 'font-style', 'font-weight', 'line-height', 'color', 'background-color',
  'border-top-width', 'border-top-style', 'letter-spacing', 'word-spacing', 'text-transform', 'text-shadow',
  'text-align', 'opacity', 'cursor', 'direction', 'visibility',
];

/** Every element of the widget's shadow root: its place on screen and computed styles. */
function widgetLook(page) {
  return page.evaluate((properties) => {
    const shadow = document.getElementById('convo-widget').shadowRoot;
    return [...shadow.querySelectorAll('*')].map((el) => {
      const style = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      return {
        el: `${el.tagName.toLowerCase()}.${el.getAttribute('class') ?? ''}`,
        rect: [r.x, r.y, r.width, r.height].map(Math.round),
        style: Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)])),
      };
    });
  }, PROPERTIES);
}

/** The page's own elements (everything outside the widget's host): markup and computed styles. */
function pageLook(page) {
  return page.evaluate((properties) =>
    [...document.body.querySelectorAll('*')]
      .filter((el) => !el.closest('#convo-widget') && el.tagName !== 'SCRIPT' && el.tagName !== 'LINK')
      .map((el) => {
        const style = getComputedStyle(el);
        return {
          html: el.outerHTML.length < 300 ? el.outerHTML : el.tagName,
          style: Object.fromEntries(properties.map((p) => [p, style.getPropertyValue(p)])),
        };
      }),
  PROPERTIES);
}

/** Opens the panel on the pre-chat form and returns the widget's look. */
async function openAndLook(page) {
  await launcherOf(page).click();
  await panelOf(page).getByLabel('Name *').waitFor();
  // Let the opening animation end.
  await page.evaluate(() =>
    Promise.all(document.getElementById('convo-widget').shadowRoot.getAnimations().map((a) => a.finished)),
  );
  return widgetLook(page);
}

/**
 * The share of pixels that differ (any channel by more than 16 of 255) between two PNGs of the
 * same size, decoded and compared in a blank page's canvas.
 */
async function pixelDifference(page, pngA, pngB) {
  return page.evaluate(async ([a, b]) => {
    const decode = async (base64) => {
      const bitmap = await createImageBitmap(await (await fetch(`data:image/png;base64,${base64}`)).blob());
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const context = canvas.getContext('2d');
      context.drawImage(bitmap, 0, 0);
      return context.getImageData(0, 0, bitmap.width, bitmap.height);
    };
    const [x, y] = await Promise.all([decode(a), decode(b)]);
    if (x.width !== y.width || x.height !== y.height) return { size: [x.width, x.height, y.width, y.height] };
    let differing = 0;
    for (let i = 0; i < x.data.length; i += 4) {
      for (let c = 0; c < 4; c++) {
        if (Math.abs(x.data[i + c] - y.data[i + c]) > 16) {
          differing++;
          break;
        }
      }
    }
    return { share: differing / (x.width * x.height) };
  }, [pngA.toString('base64'), pngB.toString('base64')]);
}

/**
 * A screenshot of what is inside `locator`'s rounded box: its rectangle inset by 0.3 × its corner
 * radius, so no corner shows the page behind it (the shop's beige, the clean page's white).
 */
async function inside(page, locator) {
  const box = await locator.boundingBox();
  const radius = await locator.evaluate((el) => {
    const value = getComputedStyle(el).borderTopLeftRadius;
    return value.endsWith('%') ? (parseFloat(value) / 100) * el.getBoundingClientRect().width : parseFloat(value);
  });
  const inset = Math.ceil(radius * 0.3) + 1;
  return page.screenshot({
    clip: { x: box.x + inset, y: box.y + inset, width: box.width - 2 * inset, height: box.height - 2 * inset },
  });
}

/** Screenshots of the launcher and the open panel. */
async function widgetPixels(page) {
  return [await inside(page, launcherOf(page)), await inside(page, panelOf(page))];
}

// Text antialiasing may differ by a pixel here and there; anything the page's CSS changed (a
// colour, a font, a margin) moves far more than 0.5 % of the pixels.
const PIXEL_TOLERANCE = 0.005;

test('the hostile shop page does not change the widget: same boxes, computed styles and pixels', async () => {
  const clean = await visit(browser);
  const hostile = await visit(browser);
  try {
    await gotoWidget(clean.page, new URL('clean.html', BASE_URL).href);
    const expected = await openAndLook(clean.page);
    const expectedPixels = await widgetPixels(clean.page);
    // The shop (www/index.html with shop.css), and worse rules on top.
    await gotoWidget(hostile.page);
    await hostile.page.addStyleTag({ content: HOSTILE_CSS });
    const actual = await openAndLook(hostile.page);
    const actualPixels = await widgetPixels(hostile.page);
    assert.ok(expected.length > 20, `the widget has elements (${expected.length})`);
    assert.equal(actual.length, expected.length);
    for (let i = 0; i < expected.length; i++) {
      assert.deepEqual(actual[i], expected[i], `element ${i} (${expected[i].el})`);
    }
    for (const [i, what] of ['launcher', 'panel'].entries()) {
      const difference = await pixelDifference(clean.page, expectedPixels[i], actualPixels[i]);
      assert.ok(
        difference.share !== undefined && difference.share <= PIXEL_TOLERANCE,
        `${what}: ${JSON.stringify(difference)} of pixels differ (tolerance ${PIXEL_TOLERANCE})`,
      );
    }
    await screenshot(clean.page, 'clean-page');
    await screenshot(hostile.page, 'hostile-page');
    assert.deepEqual([...clean.page.problems, ...hostile.page.problems], []);
  } finally {
    await clean.close();
    await hostile.close();
  }
});

test("the widget changes nothing of the page: its elements' markup and styles are as without it", async () => {
  const without = await visit(browser);
  const withWidget = await visit(browser);
  try {
    // The same page with the widget's wasm refused: the page as it is on its own.
    await without.page.route('**/*_bg.wasm', (route) => route.abort());
    await without.page.goto(BASE_URL);
    await without.page.addStyleTag({ content: 'h1 { color: rgb(9, 9, 9); }' });
    assert.equal(await without.page.locator('#convo-widget').count(), 0, 'no widget there');
    const alone = await pageLook(without.page);

    await gotoWidget(withWidget.page);
    await withWidget.page.addStyleTag({ content: 'h1 { color: rgb(9, 9, 9); }' });
    await openAndLook(withWidget.page);
    const embedded = await pageLook(withWidget.page);
    assert.ok(alone.length >= 3, 'the page has elements of its own');
    assert.deepEqual(embedded, alone);
    // Its only addition is the host element, at the end of <body>, and the one global.
    const added = await withWidget.page.evaluate(() => ({
      last: document.body.lastElementChild.outerHTML.slice(0, 60),
      hosts: document.querySelectorAll('convo-widget-host').length,
    }));
    assert.match(added.last, /^<convo-widget-host id="convo-widget"/);
    assert.equal(added.hosts, 1);
    assert.deepEqual(withWidget.page.problems, []);
  } finally {
    await without.close();
    await withWidget.close();
  }
});
