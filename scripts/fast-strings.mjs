// Release-build step (shrink_js in scripts/lib.sh): a short ASCII string passed from the wasm to
// JS is built from its bytes, not decoded by a TextDecoder. wasm-bindgen's glue decodes every
// string with `TextDecoder.decode`, whose fixed cost per call dwarfs the work for the short
// strings a view passes (class names, attribute names and values, texts). In a CPU profile of a
// fling back through 10,000 messages, the decoder was the largest single item of building the
// rows (137 of their 714 ms); with this step it is gone from the profile, and the glue's string
// function costs about half what it and the decoder cost together. Longer strings, and any with a
// byte above 127 (UTF-8 beyond ASCII), still go to the TextDecoder.
//
// The glue's `getStringFromWasm0` must be found exactly once, in the shape wasm-bindgen (pinned
// in Cargo.lock) writes it; else this fails, and the build with it.
//
// Usage: node scripts/fast-strings.mjs GLUE.js   (rewritten in place)
import { readFileSync, writeFileSync } from 'node:fs';

/** The longest string built in JS: longer ones are rarer, and the decoder's fixed cost a small
 * share of theirs. */
export const SHORT = 256;

export const ORIGINAL = `function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}`;

export const FAST = `function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    const bytes = getUint8ArrayMemory0().subarray(ptr, ptr + len);
    if (len <= ${SHORT}) {
        let ascii = true;
        for (let i = 0; i < len; i++) if (bytes[i] > 127) { ascii = false; break; }
        if (ascii) return String.fromCharCode.apply(null, bytes);
    }
    return decodeText(bytes);
}`;

/** The glue's text with the fast path; throws unless the original is there exactly once. */
export function patch(glue) {
  const parts = glue.split(ORIGINAL);
  if (parts.length !== 2) {
    throw new Error(`expected wasm-bindgen's getStringFromWasm0 once in the glue, found it ${parts.length - 1} times`);
  }
  return parts.join(FAST);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [glueFile] = process.argv.slice(2);
  if (!glueFile) {
    console.error('usage: node scripts/fast-strings.mjs GLUE.js');
    process.exit(2);
  }
  try {
    writeFileSync(glueFile, patch(readFileSync(glueFile, 'utf8')));
  } catch (error) {
    console.error(`fast-strings: ${error.message}`);
    process.exit(1);
  }
}
