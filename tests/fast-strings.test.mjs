// scripts/fast-strings.mjs: the glue's fast path for short ASCII strings gives exactly what the
// TextDecoder gives, for every string, and leaves the decoder only the long and non-ASCII ones.
import assert from 'node:assert/strict';
import test from 'node:test';

import { FAST, ORIGINAL, SHORT, patch } from '../scripts/fast-strings.mjs';

/** The patched `getStringFromWasm0` over `memory`, counting the strings left to the decoder. */
function fastPath(memory) {
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const calls = { decoded: 0 };
  const decodeText = (bytes) => {
    calls.decoded += 1;
    return decoder.decode(bytes);
  };
  const make = new Function('getUint8ArrayMemory0', 'decodeText', `${FAST}\nreturn getStringFromWasm0;`);
  return { get: make(() => memory, decodeText), calls };
}

test('every string reads as the TextDecoder reads it; only long or non-ASCII ones are decoded', () => {
  const cases = [
    ['', false],
    ['a', false],
    ['convo-row convo-row--own convo-row--first', false],
    ['x'.repeat(SHORT), false],
    ['x'.repeat(SHORT + 1), true],
    ['Lu', false],
    ['é', true],
    ['message supprimé', true],
    ['日本語のテキスト', true],
    ['emoji 👋 at the end', true],
    ['\u007f control and tab\t', false],
  ];
  const encoder = new TextEncoder();
  // The strings at odd offsets in one memory, as the wasm's heap holds them.
  const memory = new Uint8Array(4096);
  let at = 3;
  const placed = cases.map(([text, decoded]) => {
    const bytes = encoder.encode(text);
    memory.set(bytes, at);
    const entry = { text, decoded, ptr: at, len: bytes.length };
    at += bytes.length + 5;
    return entry;
  });
  for (const { text, decoded, ptr, len } of placed) {
    const { get, calls } = fastPath(memory);
    assert.equal(get(ptr, len), text, JSON.stringify(text));
    assert.equal(calls.decoded, decoded ? 1 : 0, `${JSON.stringify(text)} ${decoded ? 'goes' : 'does not go'} to the decoder`);
  }
});

test('a pointer past 2 GiB (a negative i32 from the wasm) is read as unsigned', () => {
  // The glue gets pointers as i32; `>>> 0` makes them unsigned. A sparse stand-in memory.
  const ptr = 2 ** 31 + 8;
  const memory = { subarray: (from, to) => (from === ptr ? new TextEncoder().encode('ok').subarray(0, to - from) : new Uint8Array()) };
  assert.equal(fastPath(memory).get(ptr | 0, 2), 'ok');
});

test('the patch replaces wasm-bindgen\'s function once, and refuses a glue without it', () => {
  const glue = `let a = 1;\n${ORIGINAL}\nlet b = 2;\n`;
  assert.equal(patch(glue), `let a = 1;\n${FAST}\nlet b = 2;\n`);
  assert.throws(() => patch('let a = 1;'), /found it 0 times/);
  assert.throws(() => patch(`${ORIGINAL}\n${ORIGINAL}`), /found it 2 times/);
});
