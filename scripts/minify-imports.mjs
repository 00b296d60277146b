// `scripts/package` step: gives the wasm's imports short names, in the module and in the
// wasm-bindgen glue that provides them. wasm-bindgen names each import after its Rust path plus a
// hash (`__wbg_getElementById_c3b8f2e1…`, ~250 of them, 8 KB of names sent twice) and has no
// option to shorten them; binaryen's --minify-imports only renames Emscripten's `env` imports.
// The same for the exports wasm-bindgen makes for its closures, named by their mangled Rust
// symbol (`_RINvNv…invoke…`, about 150 bytes each, also sent twice): `_r0`, `_r1`, ….
//
// The wasm side rewrites only the import section's names (the code refers to imports by index).
// The glue side renames the keys of the one object wasm-bindgen passes as the imports, each
// found exactly once at its definition, else this fails: a different glue layout stops the
// package build instead of shipping a widget that cannot instantiate.
//
// Usage: node scripts/minify-imports.mjs MODULE.wasm GLUE.js   (both rewritten in place)
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [wasmFile, glueFile] = process.argv.slice(2);
if (!wasmFile || !glueFile) {
  console.error('usage: node scripts/minify-imports.mjs MODULE.wasm GLUE.js');
  process.exit(2);
}

function fail(message) {
  console.error(`minify-imports: ${message}`);
  process.exit(1);
}

/** a, b, … z, A … Z, then two letters, and so on: valid JS identifiers, never a keyword. */
function shortName(index) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let name = '';
  let n = index;
  do {
    name = letters[n % letters.length] + name;
    n = Math.floor(n / letters.length) - 1;
  } while (n >= 0);
  // Two-letter keywords: `do`, `if`, `in`. Quoted keys would do, but so does skipping them.
  return ['do', 'if', 'in'].includes(name) ? `${name}_` : name;
}

/** A reader over the module's bytes (unsigned LEB128, as the binary format encodes sizes). */
class Reader {
  constructor(bytes, at = 0) {
    this.bytes = bytes;
    this.at = at;
  }
  byte() {
    if (this.at >= this.bytes.length) fail('unexpected end of the module');
    return this.bytes[this.at++];
  }
  leb() {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if (!(b & 0x80)) return Number(result);
    }
  }
  name() {
    const length = this.leb();
    const text = Buffer.from(this.bytes.subarray(this.at, this.at + length)).toString('utf8');
    this.at += length;
    return text;
  }
  limits() {
    const flags = this.byte();
    this.leb();
    if (flags & 1) this.leb();
  }
  valueType() {
    const t = this.byte();
    // Numeric, vector, funcref and externref types are one byte; GC reference types are not.
    if (!(t >= 0x6f && t <= 0x7f)) fail(`import of value type 0x${t.toString(16)} not supported`);
  }
}

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

function encodeName(text) {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([leb(bytes.length), bytes]);
}

/** The sections of the module `wasm` (its bytes), in order: `{ id, body }`. */
function sectionsOf(wasm, file) {
  if (wasm.readUInt32LE(0) !== 0x6d736100) fail(`${file} is not a wasm module`);
  const sections = [];
  const input = new Reader(wasm, 8);
  while (input.at < wasm.length) {
    const id = input.byte();
    const size = input.leb();
    sections.push({ id, body: wasm.subarray(input.at, input.at + size) });
    input.at += size;
  }
  return sections;
}

/** The entries of an import section's `body`: `{ module, name, desc }` (`desc` as bytes). */
function importsOf(body) {
  const reader = new Reader(body);
  const count = reader.leb();
  const imports = [];
  for (let i = 0; i < count; i++) {
    const module = reader.name();
    const name = reader.name();
    const descStart = reader.at;
    const kind = reader.byte();
    if (kind === 0x00) reader.leb();
    else if (kind === 0x01) {
      reader.valueType();
      reader.limits();
    } else if (kind === 0x02) reader.limits();
    else if (kind === 0x03) {
      reader.valueType();
      reader.byte();
    } else if (kind === 0x04) {
      reader.byte();
      reader.leb();
    } else fail(`unknown import kind ${kind}`);
    imports.push({ module, name, desc: body.subarray(descStart, reader.at) });
  }
  return imports;
}

const wasm = readFileSync(wasmFile);
const sections = sectionsOf(wasm, wasmFile);
const importSection = sections.find((s) => s.id === 2);
if (!importSection) fail('the module has no imports');
const imports = importsOf(importSection.body);
const count = imports.length;
// The glue's own imports object is `./NAME_bg.js`. A split build (scripts/package) also imports
// the loaders of its split-off parts from `./__wasm_split.js`, an ES module whose export names
// the module must keep.
const SPLIT_LINK = './__wasm_split.js';
const modules = [...new Set(imports.map((i) => i.module))].filter((m) => m !== SPLIT_LINK);
if (modules.length !== 1) fail(`expected the glue's one import module, found ${JSON.stringify(modules)}`);
const names = [...new Set(imports.filter((i) => i.module === modules[0]).map((i) => i.name))];
const renamed = new Map(names.map((name, i) => [name, shortName(i)]));
const MODULE = 'a';

// The closures' exports: every export named by a mangled Rust symbol (`_R…`, what wasm-bindgen
// exports its closures' entry points as). The split-off modules import from this one by export
// name, but only the split's own exports: one of them importing a renamed export stops here.
const exportSection = sections.find((s) => s.id === 7);
if (!exportSection) fail('the module has no exports');
const exportReader = new Reader(exportSection.body);
const exportCount = exportReader.leb();
const exportsList = [];
for (let i = 0; i < exportCount; i++) {
  const name = exportReader.name();
  const kind = exportReader.byte();
  const index = exportReader.leb();
  exportsList.push({ name, kind, index });
}
const exportRenamed = new Map(
  exportsList.filter((e) => e.name.startsWith('_R')).map((e, i) => [e.name, `_r${i}`]),
);
// The split-off modules beside this one (a split build's; scripts/package).
const splitParts = readdirSync(dirname(wasmFile))
  .filter((f) => f.endsWith('.wasm') && join(dirname(wasmFile), f) !== join(wasmFile))
  .map((f) => join(dirname(wasmFile), f));
for (const part of splitParts) {
  const partImports = sectionsOf(readFileSync(part), part).find((s) => s.id === 2);
  for (const { name } of partImports ? importsOf(partImports.body) : []) {
    if (exportRenamed.has(name)) fail(`${part} imports ${name}, which would be renamed`);
  }
}
exportSection.body = Buffer.concat([
  leb(exportCount),
  ...exportsList.map((e) => Buffer.concat([
    encodeName(exportRenamed.get(e.name) ?? e.name), Buffer.from([e.kind]), leb(e.index),
  ])),
]);

const body = Buffer.concat([
  leb(count),
  ...imports.map((i) => (i.module === SPLIT_LINK
    ? Buffer.concat([encodeName(i.module), encodeName(i.name), i.desc])
    : Buffer.concat([encodeName(MODULE), encodeName(renamed.get(i.name)), i.desc]))),
]);
importSection.body = body;
writeFileSync(
  wasmFile,
  Buffer.concat([wasm.subarray(0, 8), ...sections.map((s) => Buffer.concat([Buffer.from([s.id]), leb(s.body.length), s.body]))]),
);

let glue = readFileSync(glueFile, 'utf8');
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
function replaceOnce(pattern, replacement, what) {
  const found = glue.match(new RegExp(pattern.source, 'gm'));
  if (!found || found.length !== 1) fail(`${what}: expected once in ${glueFile}, found ${found?.length ?? 0} times`);
  glue = glue.replace(pattern, replacement);
}
for (const [name, short] of renamed) {
  // An import is a key of the imports object, at the start of its line: `    NAME: function(`.
  replaceOnce(new RegExp(`^(\\s+)${escape(name)}(: )`, 'm'), `$1${short}$2`, `the import ${name}`);
}
replaceOnce(new RegExp(`^(\\s+)${escape(JSON.stringify(modules[0]))}(: )`, 'm'), `$1${MODULE}$2`, `the import module ${modules[0]}`);
for (const [name, short] of exportRenamed) {
  // The glue calls each once, as `wasm.NAME(`, from the JS function of the same name.
  replaceOnce(new RegExp(`\\bwasm\\.${escape(name)}\\(`), `wasm.${short}(`, `the export ${name}`);
}
writeFileSync(glueFile, glue);
const bytes = (list) => list.reduce((n, s) => n + s.length, 0);
console.log(`minify-imports: ${names.length} imports renamed (${bytes(names)} → ${bytes([...renamed.values()])} bytes of names), ${exportRenamed.size} exports (${bytes([...exportRenamed.keys()])} → ${bytes([...exportRenamed.values()])})`);
