// `scripts/bench latency`: send → rendered at the other side, in headless Chromium against the
// same emulator.
//
// - Convo: two tabs of one returning visitor (one browser context, so one stored session; both
//   panels open on the conversation). A message typed in tab A is sent with Enter; the clock
//   starts at that keydown (a capture listener on A's window) and stops when the message's row
//   enters tab B's DOM (a MutationObserver in B, into the widget's shadow root).
// - SDK: two tabs of the minimal page on the official SDK's browser build, two identities in one
//   conversation; A stamps right before conversation.sendMessage(), B renders each messageAdded
//   as a <p> and is observed the same way.
// Both clocks are performance.timeOrigin + performance.now() in each tab. Messages go one at a
// time, in interleaved blocks so Convo and the SDK see the same machine load; WARMUP messages of
// each come first and are not counted. The next message goes once the previous one is rendered
// at the other side *and* its sender has the reply (Convo's row has its index; the SDK's
// sendMessage() promise settled): each message starts from a quiet pair, as a visitor's does.
// Sent sooner, Convo's next message would wait for that reply (it keeps one message per
// conversation in flight, to keep the order), and Chromium defers a page's network tasks after
// a key press until its next frame (DeferRendererTasksAfterInput), which headless Chromium can
// take up to ~100 ms to produce: that measured the browser's frame pacing, not the widget.
import {
  accessToken,
  launchBrowser,
  launcher,
  newContext,
  options,
  PAGE_SIZE,
  p50,
  p99,
  printProfile,
  printTrace,
  profiling,
  cpuProfile,
  progress,
  report,
  restOk,
  returningVisitor,
  runBench,
  seen,
  sendText,
  sleep,
  startServer,
  traceSummary,
  newestIndex,
  TASK_KINDS,
} from './browser-support.mjs';

// BENCH_MESSAGES: fewer for a quick look (p99 needs the full 1,000 to mean anything).
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000);
const WARMUP = 20;
const BLOCK = 50;
const ARRIVAL_MS = 10_000;
const opts = options('latency');
// Every benchmarked tab records the arrival of numbered messages: Convo's bubbles, the SDK's <p>.
// BENCH_STAGES=1 also stamps the frames on the wire, to tell where the time goes.
const stages = process.env.BENCH_STAGES === '1';
const RECORD = { record: { selector: '.convo-bubble__text, .sdk-message', pattern: '^lat (\\d+)$', wire: stages } };
/** `ms` to 0.01 ms. */
const hundredths = (ms) => Math.round(ms * 100) / 100;

await runBench('latency', 20 * 60_000, async (scope) => {
  const server = await startServer(opts);
  scope.defer(() => server.close());
  const browser = await launchBrowser(scope);
  const convo = await convoPair(browser, server, scope);
  const sdk = await sdkPair(browser, server, scope);

  let seq = 0;
  const sendBlock = async (pair, count) => {
    for (let i = 0; i < count; i += 1) await sendOne(pair, (seq += 1));
  };
  await sendBlock(convo, WARMUP);
  await sendBlock(sdk, WARMUP);
  const counted = { convo: new Set(), sdk: new Set() };
  for (let sent = 0; sent < MESSAGES; sent += BLOCK) {
    progress(`latency: messages ${sent + 1}–${sent + BLOCK} of ${MESSAGES}, each side`);
    for (const [name, pair] of [['convo', convo], ['sdk', sdk]]) {
      const first = seq + 1;
      await sendBlock(pair, BLOCK);
      for (let n = first; n <= seq; n += 1) counted[name].add(String(n));
    }
  }
  await sleep(100); // the last arrivals' animation frames
  const results = { convo: await latencies(convo, counted.convo), sdk: await latencies(sdk, counted.sdk) };
  const skew = Math.max(await clockSkew(convo), await clockSkew(sdk));

  const row = (label, kind, stat, limit) => {
    const c = stat(results.convo[kind]);
    const s = stat(results.sdk[kind]);
    return {
      case: label,
      unit: 'ms',
      convo: c,
      sdk: s,
      // As issue 12 states it: at most the SDK's. The pages' clocks step by 0.1 ms, so equal
      // medians are common; compared to 0.01 ms, below which a difference is only the float
      // arithmetic of the two clocks' readings.
      ...(limit && { target: `≤ ${limit} ms, ≤ SDK`, met: hundredths(c) <= limit && hundredths(c) <= hundredths(s) }),
      extra: { messages: results.convo[kind].length, sdk_messages: results.sdk[kind].length },
    };
  };
  report('latency', [
    row('p50 send → in DOM', 'dom', p50, 10),
    row('p99 send → in DOM', 'dom', p99, 30),
    row('p50 send → next frame', 'frame', p50),
    row('p99 send → next frame', 'frame', p99),
  ], [
    `(${MESSAGES} messages each, one at a time (the next once the previous is rendered and its sender has the reply), after ${WARMUP} unmeasured;`,
    ' Convo: Enter keydown in tab A → row in tab B\'s DOM;',
    ' SDK: before sendMessage() in tab A → messageAdded rendered in tab B; "next frame": the animation frame after, which paints it;',
    ` clocks of the two tabs agree within ${skew.toFixed(2)} ms as estimated through the CDP round trip)`,
  ]);

  if (stages) {
    for (const [name, pair] of [['Convo', convo], ['SDK', sdk]]) printStages(name, await stageTimes(pair, counted[name === 'Convo' ? 'convo' : 'sdk']));
  }

  if (profiling) {
    const TRACED = 100;
    const tabs = { 'receiving tab': convo.receiver, 'sending tab': convo.sender };
    const convoTrace = await traceSummary(browser, tabs, () => sendBlock(convo, TRACED));
    printTrace(`Convo, ${TRACED} more messages`, convoTrace);
    // The same for the SDK's pair: the reference for the main-thread time per received message.
    const sdkTrace = await traceSummary(browser, { 'receiving tab': sdk.receiver, 'sending tab': sdk.sender }, () => sendBlock(sdk, TRACED));
    printTrace(`SDK, ${TRACED} more messages`, sdkTrace);
    const perMessage = (trace) => trace['receiving tab'].totalMs / TRACED;
    report('latency', [{
      case: 'main thread per received message',
      unit: 'ms',
      convo: perMessage(convoTrace),
      sdk: perMessage(sdkTrace),
      target: '≤ 3 ms',
      met: perMessage(convoTrace) <= 3,
      extra: { messages: TRACED },
    }], [`(the receiving tab's main thread busy in a Chromium trace of ${TRACED} messages, divided by ${TRACED}: script, style, layout, paint and the browser's own tasks)`]);
    // Where it goes: what the 3 ms compare with on either page.
    console.log(`\nthe receiving tab's main thread per received message, by kind of task (ms, and tasks per message):`);
    console.log(`${''.padEnd(22)}${'Convo'.padStart(14)}${'SDK'.padStart(14)}`);
    const cell = (trace, kind) => {
      const { ms, count } = trace['receiving tab'].byTask[kind];
      return `${(ms / TRACED).toFixed(2)} (${(count / TRACED).toFixed(1)})`.padStart(14);
    };
    for (const kind of TASK_KINDS) console.log(`${kind.padEnd(22)}${cell(convoTrace, kind)}${cell(sdkTrace, kind)}`);
    for (const [label, page] of Object.entries(tabs)) {
      printProfile(`Convo ${label}, 100 more messages (V8 CPU profile)`, await cpuProfile(page, () => sendBlock(convo, 100)));
    }
  }
});

/** Two tabs of one returning visitor, both panels open on the conversation's latest page. */
async function convoPair(browser, server, scope) {
  const visitor = await returningVisitor(opts.backendUrl);
  const newest = `[data-index="${await newestIndex(visitor.conversation_sid)}"]`;
  const context = await newContext(browser, {
    origin: server.origin,
    storage: visitor.storage,
    probe: { ...RECORD, watch: [newest] },
  });
  scope.defer(() => context.close());
  const open = async () => {
    const page = await context.newPage();
    await page.goto(`${server.origin}/`);
    await launcher(page).click({ timeout: 30_000 });
    await seen(page, newest);
    return page;
  };
  const sender = await open();
  const receiver = await open();
  // Settled: the sender's own row has its index, so the reply is in. Heard by the probe (a
  // promise, as the SDK pair's settles), not by Playwright polling the page's DOM: work in the
  // sender's tab that the SDK pair's never does.
  const settled = (text) =>
    sender.evaluate(([key, ms]) => window.__probe.confirmed(key, ms).then(() => true), [text.replace(/^lat /, ''), ARRIVAL_MS]);
  return { sender, receiver, send: (text) => sendText(sender, text), settled };
}

/** Two SDK tabs, two identities in one conversation (made through REST), latest page shown. */
async function sdkPair(browser, server, scope) {
  const conversation = await restOk('POST', '/v1/Conversations', { FriendlyName: 'latency bench' });
  const identities = ['bench-sdk-a', 'bench-sdk-b'].map((name) => `${name}-${Date.now().toString(36)}`);
  for (const identity of identities) {
    await restOk('POST', `/v1/Conversations/${conversation.sid}/Participants`, { Identity: identity });
  }
  const context = await newContext(browser, { probe: RECORD });
  scope.defer(() => context.close());
  const open = async (identity) => {
    const page = await context.newPage();
    await page.goto(server.sdkPageUrl({}));
    await page.evaluate(([token, sid, size]) => window.sdkBench.open(token, sid, size), [accessToken(identity), conversation.sid, PAGE_SIZE]);
    return page;
  };
  const sender = await open(identities[0]);
  const receiver = await open(identities[1]);
  // Not awaited: the clock runs until the receiver renders it, whenever the sender's promise settles.
  return {
    sender,
    receiver,
    send: (text) => sender.evaluate((t) => void window.sdkBench.send(t), text),
    settled: () => sender.evaluate(() => window.sdkBench.settled()),
  };
}

/**
 * Sends message `n` from the pair's sender and waits until the receiver rendered it and the
 * sender has its reply, so that each message starts from a quiet pair, as a visitor's does.
 */
async function sendOne(pair, n) {
  await pair.send(`lat ${n}`);
  try {
    await pair.receiver.evaluate(([key, ms]) => window.__probe.arrival(key, ms).then(() => true), [String(n), ARRIVAL_MS]);
  } catch (error) {
    throw new Error(`${error.message}\n${await lostMessage(pair, String(n))}`);
  }
  await pair.settled(`lat ${n}`);
}

/** What each tab knows of a message that never rendered: its rows' texts and (with BENCH_STAGES) its frames. */
async function lostMessage(pair, key) {
  const look = (page) =>
    page.evaluate((k) => {
      const roots = window.__probe.roots;
      const rows = roots.flatMap((r) => [...r.querySelectorAll('[data-index], .sdk-message, .convo-row')]);
      const texts = rows.slice(-4).map((r) => `${r.getAttribute?.('data-index') ?? ''}:${r.textContent.trim().slice(0, 60)}`);
      const wire = window.__probe.wire;
      return JSON.stringify({
        last_rows: texts,
        frame_out: wire?.sent.get(k) ?? null,
        frame_in: wire?.received.get(k) ?? null,
        sockets: wire?.sockets ?? null,
        list: (() => {
          const list = roots.map((r) => r.querySelector?.('.convo-messages')).find(Boolean);
          return list && { top: list.scrollTop, height: list.scrollHeight, client: list.clientHeight, rows: list.querySelectorAll('[data-index]').length };
        })(),
        now: performance.timeOrigin + performance.now(),
      });
    }, key);
  const problems = pair.sender.context().problems ?? [];
  return `sender: ${await look(pair.sender)}\nreceiver: ${await look(pair.receiver)}\npage errors: ${problems.join('; ') || 'none'}`;
}

/** {dom: [ms…], frame: [ms…]} for the messages numbered in `keys`. */
async function latencies(pair, keys) {
  const sends = new Map(await pair.sender.evaluate(() => [...window.__probe.sends]));
  const arrivals = new Map(await pair.receiver.evaluate(() => [...window.__probe.arrivals]));
  const out = { dom: [], frame: [] };
  for (const key of keys) {
    const sent = sends.get(`lat ${key}`);
    const arrived = arrivals.get(key);
    if (sent === undefined || !arrived) throw new Error(`message ${key}: no send or arrival stamp`);
    out.dom.push(arrived.dom - sent);
    if (arrived.frame) out.frame.push(arrived.frame - sent);
  }
  return out;
}

/**
 * How far apart the two tabs' clocks are (ms): each tab's clock against Node's, taken on the
 * fastest of 20 CDP round trips (the error is at most half of it), then their difference.
 */
async function clockSkew(pair) {
  const offset = async (page) => {
    let best = { rtt: Infinity, offset: 0 };
    for (let i = 0; i < 20; i += 1) {
      const before = performance.timeOrigin + performance.now();
      const at = await page.evaluate(() => performance.timeOrigin + performance.now());
      const after = performance.timeOrigin + performance.now();
      if (after - before < best.rtt) best = { rtt: after - before, offset: at - (before + after) / 2 };
    }
    return best;
  };
  const a = await offset(pair.sender);
  const b = await offset(pair.receiver);
  return Math.abs(a.offset - b.offset) + (a.rtt + b.rtt) / 2;
}

/** Each counted message's stages: keydown/send → frame out (sender) → frame in → row in DOM (receiver). */
async function stageTimes(pair, keys) {
  const sender = await pair.sender.evaluate(() => ({
    sends: [...window.__probe.sends],
    out: [...window.__probe.wire.sent],
    back: [...window.__probe.wire.received],
    log: window.__probe.wire.log,
    visibility: document.visibilityState,
    focus: document.hasFocus(),
  }));
  console.log(`sender tab: ${sender.visibility}, focus ${sender.focus}`);
  const back = new Map(sender.back);
  const receiver = await pair.receiver.evaluate(() => ({
    arrivals: [...window.__probe.arrivals],
    in: [...window.__probe.wire.received],
    log: window.__probe.wire.log,
  }));
  const sends = new Map(sender.sends);
  const out = new Map(sender.out);
  const into = new Map(receiver.in);
  const arrivals = new Map(receiver.arrivals);
  const stages = { 'send → frame out': [], 'frame out → frame in': [], 'frame in → in DOM': [], "sender's first frame back": [] };
  for (const key of keys) {
    const t = [sends.get(`lat ${key}`), out.get(key), into.get(key), arrivals.get(key)?.dom];
    if (t.some((v) => v === undefined)) continue;
    stages['send → frame out'].push(t[1] - t[0]);
    stages['frame out → frame in'].push(t[2] - t[1]);
    stages['frame in → in DOM'].push(t[3] - t[2]);
    if (back.has(key)) stages["sender's first frame back"].push(back.get(key) - t[1]);
  }
  // Both tabs' frames around a typical transit (the median one): what else was on the wire.
  const transits = [...keys]
    .map((key) => [key, out.get(key), into.get(key)])
    .filter(([, a, b]) => a !== undefined && b !== undefined)
    .sort((x, y) => (x[2] - x[1]) - (y[2] - y[1]));
  const typical = transits[Math.floor(transits.length / 2)];
  if (typical) {
    const [key, from, to] = typical;
    console.log(`median transit lat ${key}: ${(to - from).toFixed(2)} ms; both tabs' frames from 20 ms before the frame out to 5 ms after the frame in:`);
    const around = (frames, who) => frames.filter(([, at]) => at >= from - 20 && at <= to + 5).map(([dir, at, header, k]) => [at, `${who} ${dir}`, header, k]);
    for (const [at, who, header, k] of [...around(receiver.log, 'receiver'), ...around(sender.log, 'sender')].sort((a, b) => a[0] - b[0])) {
      console.log(`  ${(at - from).toFixed(2).padStart(7)} ${who.padEnd(12)} ${k ? `[lat ${k}] ` : ''}${header}`);
    }
  }
  // The sender's frames between keydown and frame out, for the slowest sends.
  const slow = [...keys]
    .map((key) => [key, sends.get(`lat ${key}`), out.get(key)])
    .filter(([, a, b]) => a !== undefined && b !== undefined)
    .sort((x, y) => (y[2] - y[1]) - (x[2] - x[1]))
    .slice(0, 3);
  for (const [key, from, to] of slow) {
    console.log(`slow send lat ${key}: ${(to - from).toFixed(1)} ms; the sender's frames from 100 ms before:`);
    for (const [dir, at, header, k] of sender.log.filter(([, at]) => at >= from - 100 && at <= to + 1)) {
      console.log(`  ${(at - from).toFixed(1).padStart(7)} ${dir} ${k ? `[lat ${k}] ` : ''}${header}`);
    }
  }
  return stages;
}

function printStages(name, stages) {
  console.log(`\n${name}: where the time goes (ms)`);
  for (const [label, values] of Object.entries(stages)) {
    const sorted = [...values].sort((a, b) => a - b);
    const worst = sorted.slice(-5).map((v) => v.toFixed(1)).join(', ');
    console.log(`  ${label.padEnd(22)} n=${values.length}  p50 ${p50(values).toFixed(2)}  p99 ${p99(values).toFixed(2)}  worst ${worst}`);
  }
}
