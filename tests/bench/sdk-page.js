// The reference page for the browser benchmarks: the official SDK's browser build
// (twilio-conversations.min.js, loaded before this script) and the least UI a chat needs — each
// message a <p data-index> in <main>. Served by browser-support.mjs at /__bench/sdk.html. It
// dials the twilsock URL the benchmark names (`#ts=…`: the one the backend's grants give Convo),
// so both pages reach the emulator the same way.
//
// With `#token=…&sid=…&size=…` it starts at once (the ready and history benchmarks): the clock
// starts when the token is in hand (`sdkBench.started`), and the probe stamps the newest
// message's element. Otherwise the benchmark drives it through `window.sdkBench`.
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const list = document.getElementById('messages');
  const twilsock = new URLSearchParams(location.hash.slice(1)).get('ts')
    ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/v3/wsconnect`;
  let client;
  let conversation;
  const older = [];

  function render(messages, { prepend = false } = {}) {
    const fragment = document.createDocumentFragment();
    for (const message of messages) {
      const p = document.createElement('p');
      p.className = 'sdk-message';
      p.dataset.index = message.index;
      p.textContent = message.body;
      fragment.append(p);
    }
    if (prepend) list.prepend(fragment);
    else list.append(fragment);
  }

  function connect(token) {
    client = new window.Twilio.Conversations.Client(token, { twilsock: { uri: twilsock }, logLevel: 'silent' });
    return new Promise((resolve, reject) => {
      client.on('initialized', resolve);
      client.on('initFailed', ({ error }) => reject(new Error(`initFailed: ${error?.message}`)));
    });
  }

  /** Token in hand → the conversation's latest page rendered. */
  async function open(token, sid, size) {
    await connect(token);
    conversation = await client.getConversationBySid(sid);
    const page = await conversation.getMessages(size);
    older.push(page);
    render(page.items);
    conversation.on('messageAdded', (message) => render([message]));
    return page;
  }

  let sending = Promise.resolve();
  window.sdkBench = {
    open: async (token, sid, size) => {
      await open(token, sid, size);
    },
    /** Stamps the send as the probe stamps Convo's Enter, then sends. */
    send: (text) => {
      window.__probe.sends.set(text, now());
      sending = conversation.sendMessage(text);
      return sending;
    },
    /** Resolves once the last send's promise settled: the sender has its reply. */
    settled: () => sending.then(() => true),
    /** Pages back to the first message, keeping every page (as a chat UI's model would). */
    pageToStart: async () => {
      const started = now();
      let page = older[older.length - 1];
      let pages = 0;
      while (page.hasPrevPage) {
        page = await page.prevPage();
        older.push(page);
        pages += 1;
      }
      return { ms: now() - started, pages, first: page.items[0]?.index };
    },
  };

  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has('token')) {
    window.sdkBench.started = now();
    open(params.get('token'), params.get('sid'), Number(params.get('size') ?? 50)).catch((error) => {
      window.sdkBench.error = String(error?.message ?? error);
    });
  }
})();
