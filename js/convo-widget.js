/*! Convo loader: defines window.ConvoWidget and loads the widget's wasm when the page is idle or
 * the visitor first interacts. MIT licence. */
// Two ways in, one file:
// - a classic <script src=".../convo-widget.js" data-token-url="…"> (data-* attributes become
//   ConvoWidget.init's options, in camelCase, as `dataset` has them);
// - the npm package's entry, imported as a module (no currentScript: the page calls init).
// The dynamic import below resolves against this file's URL either way, and a bundler sees it.
// Plain ES2020 with no import/export statement, so it parses as both a script and a module.
(function () {
  'use strict';
  // Server-side rendering imports the package too: there is nothing to do there.
  if (typeof window === 'undefined') return;
  var w = window;
  var script = document.currentScript;
  var api = (w.ConvoWidget = w.ConvoWidget || {});
  // A second copy of the loader (a snippet pasted twice) leaves the first in charge.
  if (api.__convoLoader) return;
  Object.defineProperty(api, '__convoLoader', { value: true });

  // Hidden, so that the page sees exactly the API's methods on the object.
  var queue = api.q || [];
  Object.defineProperty(api, 'q', { value: queue, writable: true, configurable: true, enumerable: false });

  var EVENTS = ['ready', 'open', 'close', 'message', 'unread', 'conversation-started',
    'conversation-ended', 'connection', 'error'];
  var METHODS = ['init', 'open', 'close', 'toggle', 'showLauncher', 'hideLauncher', 'setUser',
    'setAttributes', 'setLocale', 'reset', 'greet', 'setAvailability'];
  // What the visitor asked to see now does not wait for the browser to be idle.
  var URGENT = ['open', 'toggle'];

  function warn(message) {
    console.warn('ConvoWidget: ' + message);
    w.dispatchEvent(new CustomEvent('convo:error', { detail: { message: message } }));
  }

  var loading = false;
  function load() {
    if (loading) return;
    loading = true;
    import('./core/convo-widget.js')
      .then(function (core) {
        return core.default().then(function () {
          core.boot();
        });
      })
      .catch(function (error) {
        warn('the widget could not load (' + error + ')');
      });
  }

  METHODS.forEach(function (name) {
    api[name] = function () {
      // Until the wasm fills in this method, calls wait in the queue, in order.
      api.q.push([name].concat(Array.prototype.slice.call(arguments)));
      if (URGENT.indexOf(name) >= 0) load();
    };
  });

  // Events are DOM events on window, so listening needs no wasm: a listener added now hears
  // `ready`.
  api.on = function (event, listener) {
    // A wrong call still returns a function, so a page that always unsubscribes cannot throw.
    if (EVENTS.indexOf(event) < 0) {
      warn('unknown event ' + JSON.stringify(event) + '; known: ' + EVENTS.join(', '));
      return function () {};
    }
    if (typeof listener !== 'function') {
      warn('on expects (event name, function)');
      return function () {};
    }
    var handler = function (e) {
      listener(e.detail);
    };
    w.addEventListener('convo:' + event, handler);
    return function () {
      w.removeEventListener('convo:' + event, handler);
    };
  };

  // A placeholder's queued `on` calls take effect now; the others wait for the wasm.
  var waiting = queue.splice(0, queue.length);
  waiting.forEach(function (call) {
    if (call[0] === 'on') api.on(call[1], call[2]);
    else queue.push(call);
  });

  if (script && Object.keys(script.dataset).length) api.init(Object.assign({}, script.dataset));

  var EAGER = ['pointerdown', 'keydown', 'touchstart', 'focusin'];
  EAGER.forEach(function (type) {
    w.addEventListener(type, load, { once: true, passive: true, capture: true });
  });
  function whenIdle() {
    if (w.requestIdleCallback) w.requestIdleCallback(load, { timeout: 2000 });
    else setTimeout(load, 200);
  }
  if (document.readyState === 'complete') whenIdle();
  else w.addEventListener('load', whenIdle, { once: true });
  if (queue.some(function (call) { return URGENT.indexOf(call[0]) >= 0; })) load();
})();
