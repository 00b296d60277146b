// `scripts/bench size` (after the table): where the wasm's bytes go, by crate. twiggy reads the
// release module as cargo wrote it — before wasm-bindgen and wasm-opt, so function names are
// still there — and this sums each function's own size under the crate its name starts with.
// The shares, not the absolute sizes, carry over to the shipped (optimised) module.
//
// Usage: node tests/bench/wasm-profile.mjs MODULE.wasm
import { execFileSync } from 'node:child_process';

const [module] = process.argv.slice(2);
if (!module) {
  console.error('usage: node tests/bench/wasm-profile.mjs MODULE.wasm');
  process.exit(2);
}

const csv = execFileSync('twiggy', ['top', '-n', '1000000', '--format', 'csv', module], {
  encoding: 'utf8',
  maxBuffer: 256 * 1024 * 1024,
});

/**
 * The crate a twiggy item belongs to: its path's first segment (`core[hash]::` included), or for
 * `<T as trait>::…` with a generic `T`, the trait's crate.
 */
function crateOf(name) {
  const path = /^(?:<(?:&(?:mut )?)?)?([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(name);
  const impl = /^<[^<>]*? as ([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::/.exec(name);
  return (path ?? impl)?.[1] ?? null;
}

const byCrate = new Map();
let code = 0;
for (const line of csv.split('\n').slice(1)) {
  const match = /^("(?:[^"]|"")*"|[^,]*),(\d+),/.exec(line);
  if (!match) continue;
  const name = match[1].replace(/^"|"$/g, '').replace(/""/g, '"');
  // Names and wasm-bindgen's descriptors (run at build time, then removed) are not shipped.
  if (name.includes('subsection') || name.startsWith('custom section') || name.includes('__wbindgen_describe')) continue;
  if (name.startsWith('import __wbindgen_placeholder')) continue;
  const size = Number(match[2]);
  const crate = crateOf(name) ?? (name.startsWith('data segment') ? '(data)' : '(other)');
  byCrate.set(crate, (byCrate.get(crate) ?? 0) + size);
  code += size;
}

const top = [...byCrate].sort((a, b) => b[1] - a[1]).slice(0, 15);
console.log(`\nwhere the wasm goes (twiggy, by crate; ${(code / 1024).toFixed(0)} KB of code and data before wasm-opt)`);
for (const [crate, size] of top) {
  console.log(`${crate.padEnd(24)}${`${(size / 1024).toFixed(1)} KB`.padStart(12)}${`${((100 * size) / code).toFixed(1)} %`.padStart(9)}`);
}
for (const [crate, size] of top) {
  console.log(JSON.stringify({ bench: 'size', profile: crate, bytes: size, share: Number((size / code).toFixed(4)) }));
}
