// `scripts/bench history`: a returning visitor's conversation of MESSAGES messages (seeded through
// the emulator's REST API, a bounded number at a time), in headless Chromium.
//
// - First page: launcher click → the newest message's row rendered (cold cache, median of
//   RUNS), against the SDK page from its token to its last page via getMessages(50) rendered.
// - DOM size: message rows (elements with data-index), elements inside them, and all elements
//   of the widget's shadow root, sampled every animation frame while scrolling; the maximum.
// - Scroll to the start: from the first page, the list is scrolled to its top every animation
//   frame (a fast, steady fling) until message index 0 is in the DOM. Reference: the SDK page
//   paging back with prevPage() to the first message, keeping the pages, rendering nothing.
//   The median of SCROLL_RUNS runs, the two sides alternating, each on a fresh page whose probe
//   no longer records DOM changes (instrumentation the page would not otherwise have).
// - Memory after the first page and at the start: JS heap in use after a GC (CDP) plus, for
//   Convo, the wasm linear memory (where its Rust heap lives; it only grows).
import {
  coldRun,
  convoAtLauncher,
  cpuProfile,
  firstPageStage,
  launcher,
  load,
  median,
  memory,
  newContext,
  options,
  printTrace,
  printProfile,
  profiling,
  progress,
  report,
  runBench,
  scrollToStart,
  traceSummary,
} from './browser-support.mjs';

const MESSAGES = 10_000;
const SEED_CONCURRENCY = 16;
const RUNS = 5;
const SCROLL_RUNS = 3;
const opts = options('history');

await runBench('history', 20 * 60_000, async (scope) => {
  progress(`history: seeding ${MESSAGES} messages, ${SEED_CONCURRENCY} at a time`);
  const { browser, sides, seedMs, newest } = await firstPageStage(scope, opts, {
    messages: MESSAGES,
    concurrency: SEED_CONCURRENCY,
  });

  const first = { convo: [], sdk: [] };
  for (let run = 0; run < RUNS; run += 1) {
    progress(`history: first page, cold run ${run + 1}/${RUNS}`);
    for (const name of ['convo', 'sdk']) first[name].push(await coldRun(browser, sides[name].setup, (page) => load(sides[name], page)));
  }

  // The scroll, SCROLL_RUNS times each side, alternating, each on a fresh page: one run varies
  // by a quarter either way on this kind of machine, the median much less. Memory is the first
  // run's.
  const scrolls = [];
  const pagings = [];
  let convoFirstMemory, convoStartMemory, sdkFirstMemory, sdkStartMemory;
  for (let run = 0; run < SCROLL_RUNS; run += 1) {
    progress(`history: Convo scrolls to the first message, run ${run + 1}/${SCROLL_RUNS}`);
    await withOpenedPage(browser, sides.convo, async (page) => {
      if (run === 0) convoFirstMemory = await memory(page);
      scrolls.push(await scrollToStart(page));
      if (run === 0) convoStartMemory = await memory(page);
    });
    progress(`history: the SDK pages back to the first message, run ${run + 1}/${SCROLL_RUNS}`);
    await withOpenedPage(browser, sides.sdk, async (page) => {
      if (run === 0) sdkFirstMemory = await memory(page);
      const paging = await page.evaluate(() => window.sdkBench.pageToStart());
      if (paging.first !== 0) throw new Error(`the SDK paged back to index ${paging.first}, not 0`);
      pagings.push(paging);
      if (run === 0) sdkStartMemory = await memory(page);
    });
  }
  const scroll = {
    ms: median(scrolls.map((s) => s.ms)),
    frames: median(scrolls.map((s) => s.frames)),
    maxRows: Math.max(...scrolls.map((s) => s.maxRows)),
    maxMessageElements: Math.max(...scrolls.map((s) => s.maxMessageElements)),
    maxShadowElements: Math.max(...scrolls.map((s) => s.maxShadowElements)),
  };
  const paging = { ms: median(pagings.map((p) => p.ms)), pages: pagings[0].pages };

  const firstMs = { convo: median(first.convo.map((r) => r.fromStart)), sdk: median(first.sdk.map((r) => r.fromStart)) };
  report('history', [
    {
      case: 'first page',
      unit: 'ms',
      convo: firstMs.convo,
      sdk: firstMs.sdk,
      target: '≤ 100 ms',
      met: firstMs.convo <= 100,
      extra: { runs: RUNS, convo_dom_ms: Number(median(first.convo.map((r) => r.domFromStart)).toFixed(2)) },
    },
    { case: 'message rows in DOM (max)', unit: 'rows', convo: scroll.maxRows, target: '≤ 300', met: scroll.maxRows <= 300 },
    { case: 'elements in message rows (max)', unit: 'elements', convo: scroll.maxMessageElements },
    { case: 'shadow-root elements (max)', unit: 'elements', convo: scroll.maxShadowElements },
    {
      case: 'scroll to the first message',
      unit: 'ms',
      convo: scroll.ms,
      sdk: paging.ms,
      extra: {
        runs: SCROLL_RUNS,
        frames: scroll.frames,
        sdk_pages: paging.pages,
        convo_runs_ms: scrolls.map((s) => Number(s.ms.toFixed(1))),
        sdk_runs_ms: pagings.map((p) => Number(p.ms.toFixed(1))),
      },
    },
    memoryRow('memory, first page', convoFirstMemory, sdkFirstMemory),
    memoryRow('memory, at the first message', convoStartMemory, sdkStartMemory),
  ], [
    `(${newest + 1} messages, seeded through REST in ${(seedMs / 1000).toFixed(1)} s; first page: median of ${RUNS} cold runs, Convo from the`,
    ` launcher click, SDK from its token to getMessages(50) rendered; scroll: median of ${SCROLL_RUNS} runs each on fresh pages,`,
    ' reference: the SDK paging back with prevPage(), rendering nothing; heap after a GC; the SDK page keeps every page it loaded)',
  ]);

  if (profiling) {
    // The first page (the figure with a target), then the scroll, each in its own trace.
    const page = await convoAtLauncher(browser, sides.convo, scope);
    const tab = { 'widget page': page };
    printTrace('Convo, cold, launcher click → first page', await traceSummary(browser, tab, () => sides.convo.measure(page, async () => {})));
    printTrace('Convo, scrolling to the first message', await traceSummary(browser, tab, () => scrollToStart(page)));
    // A fresh page (the traced one is at the start now): where the scroll's script time goes.
    // A wasm built with names (`-g` in www/index.html's data-wasm-opt-params) names its functions.
    const again = await convoAtLauncher(browser, sides.convo, scope);
    await sides.convo.measure(again, async () => {});
    printProfile('Convo, scrolling to the first message (V8 CPU profile)', await cpuProfile(again, () => scrollToStart(again), 40));
  }
});

/** Convo's JS heap plus its wasm memory (its Rust heap) against the SDK page's JS heap. */
function memoryRow(label, convo, sdk) {
  return {
    case: `${label} (JS heap + wasm)`,
    unit: 'bytes',
    convo: convo.jsHeap + convo.wasm,
    sdk: sdk.jsHeap,
    extra: { convo_js_heap_bytes: convo.jsHeap, convo_wasm_bytes: convo.wasm },
  };
}

/** Runs `work` on a page of `side` (a fresh context) showing its first page, then closes it. */
async function withOpenedPage(browser, side, work) {
  const context = await newContext(browser, side.setup);
  try {
    const page = await context.newPage();
    await load(side, page);
    return await work(page);
  } finally {
    await context.close();
  }
}
