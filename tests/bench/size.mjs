// `scripts/bench size`: the widget's transfer sizes next to the official Twilio Conversations SDK's
// minified browser build (from npm, measured in the same run). Prints a table, then one JSON
// object per figure for comparing commits.
//
// Usage: node tests/bench/size.mjs DIST_DIR SDK_MIN_JS
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const [dist, sdkFile] = process.argv.slice(2);
if (!dist || !sdkFile) {
  console.error('usage: node tests/bench/size.mjs DIST_DIR SDK_MIN_JS');
  process.exit(2);
}

/** Raw, gzip -9 and brotli -11 sizes of some bytes (what a CDN serves at best settings). */
function sizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

/** A file of the release build, or an error saying what is missing. */
function file(relative) {
  const full = path.join(dist, relative);
  if (!existsSync(full)) throw new Error(`${full} is missing: is ${dist} a release build of the widget?`);
  return full;
}

/** The JS snippets wasm-bindgen emits next to the glue (the custom element's class). */
function snippets() {
  const root = file('core/snippets');
  return readdirSync(root, { recursive: true })
    .filter((name) => name.endsWith('.js'))
    .map((name) => path.join(root, name));
}

// What a visitor's browser fetches, in order: the loader (at once), then when idle or on the
// first interaction the glue, its snippets and the wasm. The stylesheet is compiled into the
// wasm (the shadow root adopts it), so there is no CSS file.
const loader = { item: 'loader', ...sizes(readFileSync(file('convo-widget.js'))) };
const parts = [
  loader,
  { item: 'wasm (CSS inside)', ...sizes(readFileSync(file('core/convo-widget_bg.wasm'))) },
  { item: 'js glue + snippets', ...sizes(Buffer.concat([file('core/convo-widget.js'), ...snippets()].map((f) => readFileSync(f)))) },
];
// Inside the wasm, shown for its share only (not added to the total again).
const css = { item: '(of which CSS)', ...sizes(readFileSync(new URL('../../style/main.css', import.meta.url))) };
const total = parts.reduce(
  (sum, p) => ({ raw: sum.raw + p.raw, gzip: sum.gzip + p.gzip, brotli: sum.brotli + p.brotli }),
  { raw: 0, gzip: 0, brotli: 0 },
);
const sdk = sizes(readFileSync(sdkFile));
const rows = [
  ...parts,
  css,
  { item: 'widget total', ...total },
  { item: 'official SDK (min.js)', ...sdk },
];

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const ratio = (a, b) => (a / b).toFixed(2);
console.log(`${'item'.padEnd(24)}${'raw'.padStart(12)}${'gzip'.padStart(12)}${'brotli'.padStart(12)}`);
for (const row of rows) {
  console.log(`${row.item.padEnd(24)}${kb(row.raw).padStart(12)}${kb(row.gzip).padStart(12)}${kb(row.brotli).padStart(12)}`);
}
console.log(
  `${'widget / SDK'.padEnd(24)}${`${ratio(total.raw, sdk.raw)}×`.padStart(12)}` +
    `${`${ratio(total.gzip, sdk.gzip)}×`.padStart(12)}${`${ratio(total.brotli, sdk.brotli)}×`.padStart(12)}`,
);
console.log(`(SDK: ${path.relative(process.cwd(), sdkFile)})`);
// The budgets are targets reported against, never a failure.
const targets = [
  { figure: 'widget / SDK, brotli', value: total.brotli / sdk.brotli, target: 0.8, unit: '×' },
  { figure: 'loader, gzip', value: loader.gzip / 1024, target: 3, unit: ' KB' },
];
for (const t of targets) {
  const verdict = t.value <= t.target ? 'met' : `missed by a factor of ${(t.value / t.target).toFixed(2)}`;
  console.log(`target: ${t.figure} ≤ ${t.target}${t.unit} — ${t.value.toFixed(2)}${t.unit}, ${verdict}`);
}
for (const row of rows) {
  console.log(JSON.stringify({ bench: 'size', item: row.item, raw: row.raw, gzip: row.gzip, brotli: row.brotli }));
}
console.log(
  JSON.stringify({
    bench: 'size',
    item: 'ratio widget/sdk',
    raw: Number(ratio(total.raw, sdk.raw)),
    gzip: Number(ratio(total.gzip, sdk.gzip)),
    brotli: Number(ratio(total.brotli, sdk.brotli)),
  }),
);
for (const t of targets) {
  console.log(JSON.stringify({ bench: 'size', target: t.figure, value: Number(t.value.toFixed(3)), budget: t.target, met: t.value <= t.target }));
}
