// `scripts/bench size`: the widget's transfer sizes next to the official Twilio Conversations SDK's
// minified browser build (from npm, measured in the same run). Prints a table, then one JSON
// object per figure for comparing commits.
//
// Usage: node tests/bench/size.mjs DIST_DIR SDK_MIN_JS
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

import { shippedParts, sizes } from './package-sizes.mjs';

const [dist, sdkFile] = process.argv.slice(2);
if (!dist || !sdkFile) {
  console.error('usage: node tests/bench/size.mjs DIST_DIR SDK_MIN_JS');
  process.exit(2);
}

const parts = shippedParts(dist);
const loader = parts[0];
/**
 * The stylesheet as compiled into the wasm: build.rs's minified copy from the newest wasm-release
 * build, else the source.
 */
function shippedCss() {
  const builds = path.resolve(new URL('../../target/wasm32-unknown-unknown/wasm-release/build', import.meta.url).pathname);
  const copies = existsSync(builds)
    ? readdirSync(builds)
        .filter((name) => name.startsWith('convo-widget-'))
        .map((name) => path.join(builds, name, 'out', 'main.css'))
        .filter((f) => existsSync(f))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
    : [];
  return copies[0] ?? new URL('../../style/main.css', import.meta.url);
}
// Inside the wasm, shown for its share only (not added to the total again).
const css = { item: '(of which CSS)', ...sizes(readFileSync(shippedCss())) };
const sum = (list) => list.reduce(
  (s, p) => ({ raw: s.raw + p.raw, gzip: s.gzip + p.gzip, brotli: s.brotli + p.brotli }),
  { raw: 0, gzip: 0, brotli: 0 },
);
// The first load is what every page view with the widget fetches; the split-off parts come when
// the panel first opens.
const firstLoad = sum(parts.filter((p) => p.firstLoad));
const total = sum(parts);
const sdk = sizes(readFileSync(sdkFile));
const later = parts.filter((p) => !p.firstLoad);
const rows = [
  ...parts.filter((p) => p.firstLoad),
  ...(later.length ? [{ item: 'first load', ...firstLoad }, ...later] : []),
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
const ratioRow = (label, of) => console.log(
  `${label.padEnd(24)}${`${ratio(of.raw, sdk.raw)}×`.padStart(12)}` +
    `${`${ratio(of.gzip, sdk.gzip)}×`.padStart(12)}${`${ratio(of.brotli, sdk.brotli)}×`.padStart(12)}`,
);
if (later.length) ratioRow('first load / SDK', firstLoad);
ratioRow('widget / SDK', total);
console.log(`(SDK: ${path.relative(process.cwd(), sdkFile)})`);
// The budgets are targets reported against, never a failure (issue 15's: at most 1.5× the SDK
// alone; the older 0.8× is out of reach of any widget with a UI on this stack).
const targets = [
  { figure: 'widget / SDK, brotli', value: total.brotli / sdk.brotli, target: 1.5, unit: '×' },
  ...(later.length ? [{ figure: 'first load / SDK, brotli', value: firstLoad.brotli / sdk.brotli, target: 1.5, unit: '×' }] : []),
  { figure: 'loader, gzip', value: loader.gzip / 1024, target: 3, unit: ' KB' },
];
for (const t of targets) {
  const verdict = t.value <= t.target ? 'met' : `missed by a factor of ${(t.value / t.target).toFixed(2)}`;
  console.log(`target: ${t.figure} ≤ ${t.target}${t.unit} — ${t.value.toFixed(2)}${t.unit}, ${verdict}`);
}
for (const row of rows) {
  console.log(JSON.stringify({ bench: 'size', item: row.item, raw: row.raw, gzip: row.gzip, brotli: row.brotli }));
}
if (later.length) {
  console.log(JSON.stringify({ bench: 'size', item: 'ratio first load/sdk', brotli: Number(ratio(firstLoad.brotli, sdk.brotli)) }));
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
