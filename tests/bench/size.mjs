// `scripts/bench size`: the widget's transfer sizes next to the official Twilio Conversations SDK's
// minified browser build (from npm, measured in the same run). Prints a table, then one JSON
// object per figure for comparing commits.
//
// Usage: node tests/bench/size.mjs DIST_DIR SDK_MIN_JS
import { readFileSync, readdirSync } from 'node:fs';
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

/** The one file in `dist` whose name matches, or an error naming what is there. */
function pick(pattern, what) {
  const names = readdirSync(dist).filter((name) => pattern.test(name));
  if (names.length !== 1) {
    throw new Error(`expected one ${what} in ${dist} (${pattern}), found: ${names.join(', ') || 'none'}`);
  }
  return path.join(dist, names[0]);
}

// The stylesheet is compiled into the wasm (the shadow root adopts it), so there are two files.
const parts = [
  ['wasm', pick(/_bg\.wasm$/, 'wasm module')],
  ['js glue', pick(/^convo-widget-[0-9a-f]+\.js$/, 'JS glue')],
].map(([item, file]) => ({ item, file, ...sizes(readFileSync(file)) }));
const total = parts.reduce(
  (sum, p) => ({ raw: sum.raw + p.raw, gzip: sum.gzip + p.gzip, brotli: sum.brotli + p.brotli }),
  { raw: 0, gzip: 0, brotli: 0 },
);
const sdk = sizes(readFileSync(sdkFile));
const rows = [
  ...parts,
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
