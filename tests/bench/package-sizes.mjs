// The shipped widget's files and their transfer sizes: one definition for `scripts/bench size`
// (tests/bench/size.mjs) and the size budget (tests/size-budget.mjs).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Raw, gzip -9 and brotli -11 sizes of some bytes (what a CDN serves at best settings). */
export function sizes(bytes) {
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length,
  };
}

/** A file of the release build, or an error saying what is missing. */
function file(dist, relative) {
  const full = path.join(dist, relative);
  if (!existsSync(full)) throw new Error(`${full} is missing: is ${dist} a release build of the widget?`);
  return full;
}

/** The JS snippets wasm-bindgen emits next to the glue (the custom element's class). */
function snippets(dist) {
  const root = file(dist, 'core/snippets');
  return readdirSync(root, { recursive: true })
    .filter((name) => name.endsWith('.js'))
    .sort()
    .map((name) => path.join(root, name));
}

/** The split-off parts' module (scripts/package: core/split_parts.wasm), or none. */
function partModules(dist) {
  return readdirSync(file(dist, 'core'))
    .filter((name) => /^split_.*\.wasm$/.test(name))
    .sort()
    .map((name) => path.join(dist, 'core', name));
}

/** Sizes summed over files, each compressed on its own (as each is fetched). */
function summed(files) {
  return files
    .map((f) => sizes(readFileSync(f)))
    .reduce((sum, s) => ({ raw: sum.raw + s.raw, gzip: sum.gzip + s.gzip, brotli: sum.brotli + s.brotli }), { raw: 0, gzip: 0, brotli: 0 });
}

/**
 * What a visitor's browser fetches from `dist` (target/package, or a Trunk dist), in order: the
 * loader (at once), then when idle or on the first interaction the glue, its snippets (and a
 * split build's loader of its parts, `__wasm_split.js`) and the wasm: the first load, on every
 * page view. A split build's parts come when the panel first opens (src/components/deferred.rs).
 * The stylesheet is compiled into the wasm (the shadow root adopts it), so there is no CSS file.
 * Each part: {key, item, firstLoad, raw, gzip, brotli}.
 */
export function shippedParts(dist) {
  const link = path.join(dist, 'core', '__wasm_split.js');
  const glue = [file(dist, 'core/convo-widget.js'), ...snippets(dist), ...(existsSync(link) ? [link] : [])];
  const parts = partModules(dist);
  return [
    { key: 'loader', item: 'loader', firstLoad: true, ...sizes(readFileSync(file(dist, 'convo-widget.js'))) },
    { key: 'wasm', item: 'wasm (CSS inside)', firstLoad: true, ...sizes(readFileSync(file(dist, 'core/convo-widget_bg.wasm'))) },
    { key: 'glue', item: 'js glue + snippets', firstLoad: true, ...sizes(Buffer.concat(glue.map((f) => readFileSync(f)))) },
    ...(parts.length ? [{ key: 'parts', item: `parts (${parts.length} module${parts.length === 1 ? '' : 's'})`, firstLoad: false, ...summed(parts) }] : []),
  ];
}
