// The size budget of the shipped widget (`scripts/test` runs it after `scripts/package`): the
// brotli bytes of loader, wasm, JS glue and the split-off parts in target/package, against
// tests/size-budget.json. Fails when the first load (what every page view fetches: loader, wasm,
// glue) or the total (the parts too) grows more than 1 % over its budget; says so when either
// shrank enough that the budget should come down. Brotli at the settings of `scripts/bench size` is deterministic,
// so the same build gives the same figure on every machine.
//
//   node tests/size-budget.mjs                  check target/package
//   node tests/size-budget.mjs --dist DIR       check another build of the package
//   node tests/size-budget.mjs --update         write the current sizes as the new budget
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { shippedParts } from './bench/package-sizes.mjs';

const BUDGET_FILE = new URL('./size-budget.json', import.meta.url);
/** Growth allowed over the budget before the check fails. */
const TOLERANCE = 0.01;
/** Shrinking more than this asks for a lower budget, so that later growth is caught. */
const LOWER_AT = 0.03;

const { values } = parseArgs({
  options: { dist: { type: 'string', default: 'target/package' }, update: { type: 'boolean', default: false } },
});

const parts = shippedParts(values.dist);
const current = Object.fromEntries(parts.map((p) => [p.key, p.brotli]));
current.first_load = parts.filter((p) => p.firstLoad).reduce((sum, p) => sum + p.brotli, 0);
current.total = parts.reduce((sum, p) => sum + p.brotli, 0);
/** The figures with a budget of their own. */
const CHECKED = ['first_load', 'total'];

if (values.update) {
  const budget = {
    comment:
      'Brotli (quality 11) bytes of the shipped widget (scripts/package → target/package). ' +
      'Checked by tests/size-budget.mjs: the first load (loader, wasm, glue) and the total (with the parts) ' +
      'may each grow at most 1 %. ' +
      'Regenerate after a deliberate change: scripts/package && node tests/size-budget.mjs --update',
    brotli: current,
  };
  writeFileSync(BUDGET_FILE, `${JSON.stringify(budget, null, 2)}\n`);
  console.log(`size budget updated: ${JSON.stringify(current)}`);
  process.exit(0);
}

const budget = JSON.parse(readFileSync(BUDGET_FILE, 'utf8')).brotli;
const pct = (now, then) => `${now >= then ? '+' : ''}${((100 * (now - then)) / then).toFixed(2)} %`;
console.log(`${'brotli bytes'.padEnd(12)}${'budget'.padStart(10)}${'now'.padStart(10)}${'change'.padStart(10)}`);
for (const key of Object.keys(current)) {
  const then = budget[key];
  console.log(`${key.padEnd(12)}${String(then ?? '-').padStart(10)}${String(current[key]).padStart(10)}${(then ? pct(current[key], then) : '').padStart(10)}`);
}

let failed = false;
for (const key of CHECKED) {
  if (budget[key] === undefined) {
    console.error(`size budget: ${key} has no budget in ${BUDGET_FILE.pathname}: node tests/size-budget.mjs --update`);
    failed = true;
    continue;
  }
  const limit = Math.floor(budget[key] * (1 + TOLERANCE));
  if (current[key] > limit) {
    console.error(
      `size budget exceeded: the shipped widget's ${key} is ${current[key]} B brotli, over the limit of ${limit} B ` +
        `(budget ${budget[key]} B + ${100 * TOLERANCE} %). Make it smaller, or if the growth is worth it, ` +
        'raise the budget in the same commit: node tests/size-budget.mjs --update',
    );
    failed = true;
  } else {
    console.log(`size budget met: ${key} ${current[key]} B ≤ ${limit} B`);
  }
  if (current[key] < budget[key] * (1 - LOWER_AT)) {
    console.log(
      `the shipped widget's ${key} is ${((100 * (budget[key] - current[key])) / budget[key]).toFixed(2)} % below its budget: ` +
        'lower the budget so growth is caught from here: node tests/size-budget.mjs --update',
    );
  }
}
if (failed) process.exit(1);
