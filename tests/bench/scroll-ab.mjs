// `scripts/bench scroll-ab A B`: the history's scroll (see history.mjs) on two builds of the widget
// against one seeded conversation of MESSAGES messages, the two runs alternating, RUNS each, each
// on a fresh page. A change to the rows moves the scroll by a few per cent, less than it varies
// between two runs of `scripts/bench history`; side by side in one sitting, the medians tell.
import { parseArgs } from 'node:util';

import {
  firstPageSides,
  launchBrowser,
  load,
  median,
  newContext,
  newestIndex,
  progress,
  returningVisitor,
  runBench,
  scrollToStart,
  seedMessages,
  startServer,
} from './browser-support.mjs';

const MESSAGES = 10_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const { values } = parseArgs({ options: { a: { type: 'string' }, b: { type: 'string' }, sdk: { type: 'string' } } });
const backendUrl = process.env.BENCH_BACKEND_URL?.replace(/\/$/, '');
const emulatorUrl = process.env.BENCH_EMULATOR_URL?.replace(/\/$/, '');
if (!values.a || !values.b || !values.sdk || !backendUrl || !emulatorUrl) {
  console.error('usage: BENCH_BACKEND_URL=… BENCH_EMULATOR_URL=… node tests/bench/scroll-ab.mjs --a DIST --b DIST --sdk SDK_MIN_JS');
  process.exit(2);
}

await runBench('scroll-ab', 20 * 60_000, async (scope) => {
  const servers = {};
  for (const name of ['a', 'b']) {
    servers[name] = await startServer({ dist: values[name], sdk: values.sdk, backendUrl, emulatorUrl });
    scope.defer(() => servers[name].close());
  }
  const browser = await launchBrowser(scope);
  const visitor = await returningVisitor(backendUrl);
  progress(`scroll-ab: seeding ${MESSAGES} messages`);
  await seedMessages(visitor.conversation_sid, MESSAGES, [visitor.identity, visitor.agent], 16);
  const newest = `[data-index="${await newestIndex(visitor.conversation_sid)}"]`;
  const runs = { a: [], b: [] };
  for (let run = 0; run < RUNS; run += 1) {
    for (const name of ['a', 'b']) {
      progress(`scroll-ab: ${name.toUpperCase()} scrolls to the first message, run ${run + 1}/${RUNS}`);
      const side = firstPageSides(servers[name], visitor, newest).convo;
      const context = await newContext(browser, side.setup);
      try {
        const page = await context.newPage();
        await load(side, page);
        runs[name].push((await scrollToStart(page)).ms);
      } finally {
        await context.close();
      }
    }
  }
  const a = median(runs.a);
  const b = median(runs.b);
  console.log(`scroll to the first of ${MESSAGES} messages, median of ${RUNS} runs each, alternating:`);
  console.log(`  A ${values.a}: ${a.toFixed(0)} ms   (runs ${runs.a.map((ms) => ms.toFixed(0)).join(', ')})`);
  console.log(`  B ${values.b}: ${b.toFixed(0)} ms   (runs ${runs.b.map((ms) => ms.toFixed(0)).join(', ')})`);
  console.log(`  B / A = ${(b / a).toFixed(3)}`);
  console.log(JSON.stringify({ bench: 'scroll-ab', a_ms: Number(a.toFixed(1)), b_ms: Number(b.toFixed(1)), ratio: Number((b / a).toFixed(3)), runs: RUNS }));
});
