// Types for the page-facing API of the Convo widget (`window.ConvoWidget`) and its DOM events.
// Kept in step with js/convo-widget.js and src/api.rs; tests/types/usage.ts type-checks a page
// using every part, and tests/e2e/api.test.mjs checks the names against the live object.

/** A message in the visitor's conversation (own or someone else's). */
export interface ConvoMessage {
  conversationSid: string;
  index: number;
  author: string;
  body: string | null;
  media: { filename: string | null; contentType: string; size: number }[];
  /** RFC 3339. */
  dateCreated: string;
}

/** What each event's listeners receive (also the `detail` of its `convo:<event>` CustomEvent). */
export interface ConvoEvents {
  ready: Record<string, never>;
  open: Record<string, never>;
  close: Record<string, never>;
  message: ConvoMessage;
  unread: { count: number };
  'conversation-started': { conversationSid: string };
  'conversation-ended': { conversationSid: string | null };
  connection: { state: 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'denied' | 'terminated' };
  error: { message: string };
}

export type ConvoEventName = keyof ConvoEvents;

/** A visitor the host has identified (`signature`: HMAC-SHA256 of `id` under the backend's secret). */
export interface ConvoUser {
  id: string;
  signature?: string;
  name?: string;
  email?: string;
}

/** An option of a `select` pre-chat field: the value stored, and the label shown. */
export interface ConvoPrechatOption {
  value: string;
  /** Defaults to `value`. */
  label?: string;
}

/**
 * A custom pre-chat field, after the built-in name/email/question. Every text is plain text
 * (never HTML), at most 200 characters. A field that cannot be used (unknown type, empty or
 * duplicate id, a select without options, a link that is not http(s) or a path on the site) is
 * left out with an `error` event naming it.
 */
export interface ConvoPrechatField {
  /** `[a-z0-9_-]{1,40}`, unique: the answer's key in the conversation's attributes. */
  id: string;
  /** The label; for a consent, what the visitor agrees to. */
  label: string;
  /** `select`: one of `options`; `consent`: a checkbox (its answer is `true`/`false`). */
  type: 'text' | 'email' | 'phone' | 'select' | 'consent';
  /** Must be answered (a consent: ticked). Default false. */
  required?: boolean;
  /** A select's options (at most 50): strings, or `{ value, label }`. */
  options?: (string | ConvoPrechatOption)[];
  /** A consent's link (opens in a new tab): an http(s) address or a path on the site. */
  link?: { href: string; text: string };
  /** A hint in an empty text, email or phone input. */
  placeholder?: string;
}

/**
 * `init`'s options; a script tag's `data-*` attributes are the same options in kebab case
 * (`data-token-url`). Strings unless said otherwise; all optional.
 */
export interface ConvoWidgetOptions {
  /** Starts or resumes the visitor's conversation (default `/api/session`). */
  sessionUrl?: string;
  /** Refreshes the visitor's access token (default `/api/token`). */
  tokenUrl?: string;
  /** Ends the visitor's conversation when they choose "End chat" (default `/api/end`). */
  endUrl?: string;
  /** Stores the visitor's rating of an ended chat (default `/api/rating`). */
  ratingUrl?: string;
  /**
   * Minutes after the chat's last activity during which a page load reconnects a returning
   * visitor's chat by itself, so news shows on the launcher (default 30; 0: only when opened).
   */
  resumeWithin?: number | string;
  /** Twilio's (or the emulator's) websocket: `wss://…`, or a path on the page's host. */
  twilsockUrl?: string;
  /** The panel's title. */
  team?: string;
  /** A BCP 47 tag; the browser's language when unset. */
  locale?: string;
  /** The pre-chat form: `name!,email,question` (`!`: required), or `none`. */
  prechat?: string;
  /**
   * Custom pre-chat fields (at most 20), after the built-in ones; `data-prechat-fields` holds the
   * same array as JSON text. The backend's `CONVO_PRECHAT_FIELDS` takes the same declaration.
   */
  prechatFields?: ConvoPrechatField[] | string;
  /** A sound for new messages while the tab is hidden: `true` or `'on'`. */
  sound?: boolean | 'on' | 'true';
  /**
   * Offer desktop notifications of replies while the tab is hidden: a bell in the chat's
   * header, which asks the browser when the visitor turns it on (never at load).
   */
  notifications?: boolean | 'on' | 'true';
  launcherPosition?: 'start' | 'end';
  /** An `https:` URL or a path on the page's host. */
  launcherIcon?: string;
  /** A visitor the host knows (the pre-chat form is skipped). */
  user?: ConvoUser;
  userId?: string;
  userSignature?: string;
  userName?: string;
  userEmail?: string;
  /** A proactive greeting, as `greet(greeting, { delay: greetingDelay })` (a script tag's
   * `data-greeting`); plain text, at most 500 characters. */
  greeting?: string;
  /** Milliseconds before `greeting` shows (default 0). */
  greetingDelay?: number;
  /** Whether support is open, as `setAvailability(availability)` (a script tag's
   * `data-availability`: `open`, `closed` or `agents`). Default `'open'`. */
  availability?: ConvoAvailability;
  /** Says whether an agent is online, for availability `'agents'` (default `/api/availability`). */
  availabilityUrl?: string;
  /** Stored with the visitor's next conversation (plain JSON data). */
  attributes?: Record<string, unknown>;
  /** Where to put the widget's host element instead of `<body>`: an element or a selector. */
  target?: Element | string;
}

/** A time of day on a 24-hour clock, `'09:00'` to `'24:00'`. */
export type ConvoTime = `${number}${number}:${number}${number}`;

/** Weekly business hours: each day's opening and closing time; days left out (or `null`) are closed. */
export interface ConvoBusinessHours {
  /** Opening and closing times by weekday. */
  hours: Partial<Record<'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun', [ConvoTime, ConvoTime] | null>>;
  /** The IANA time zone the hours are in (`'Europe/Paris'`); the visitor's own when left out. */
  timeZone?: string;
}

/**
 * Whether support is open: always, never, during business hours, or (`'agents'`) while an agent
 * is online, as the backend says (`availabilityUrl`) when the visitor opens the chat.
 */
export type ConvoAvailability = 'open' | 'closed' | 'agents' | ConvoBusinessHours;

/** `greet`'s options. */
export interface ConvoGreetOptions {
  /** Milliseconds before the greeting shows: a finite number ≥ 0 (default 0). */
  delay?: number;
}

export interface ConvoWidgetApi {
  /** Puts the widget on the page. Runs once: later calls are ignored, with a warning. */
  init(options?: ConvoWidgetOptions): void;
  open(): void;
  close(): void;
  toggle(): void;
  showLauncher(): void;
  hideLauncher(): void;
  /** A BCP 47 tag: `en`, `fr`, `ar`… */
  setLocale(tag: string): void;
  setUser(user: ConvoUser): void;
  /** Stored with the visitor's next conversation (plain JSON data). */
  setAttributes(attributes: Record<string, unknown>): void;
  /** Forgets the visitor: disconnects, clears the stored session, closes the panel. */
  reset(): void;
  /**
   * A message from the team beside the closed launcher, after `delay` ms (default 0): plain
   * text, at most 500 characters; a second call replaces it. Nothing is asked of the backend
   * until the visitor answers. Not shown to a visitor with a chat going on, nor once dismissed
   * in this browser session. Wrong arguments raise an `error` event (no exception).
   */
  greet(text: string, options?: ConvoGreetOptions): void;
  /**
   * Whether support is open. While it is not (`'closed'`, or outside the business hours, looked
   * at again as they open and close), a visitor with no chat going on gets a "leave a message"
   * form (email and message) that starts a conversation marked `offline` in its attributes; a
   * chat going on goes on. Wrong arguments (an unknown day, a bad time, a time zone the browser
   * does not know) raise an `error` event (no exception) and change nothing.
   */
  setAvailability(availability: ConvoAvailability): void;
  /** Calls `listener` for each event; returns the function that stops it. */
  on<E extends ConvoEventName>(event: E, listener: (detail: ConvoEvents[E]) => void): () => void;
}

/** Calls made before the widget loads: `[method, ...arguments]`. */
export type ConvoQueuedCall =
  | { [M in Exclude<keyof ConvoWidgetApi, 'on'>]: [M, ...Parameters<ConvoWidgetApi[M]>] }[Exclude<keyof ConvoWidgetApi, 'on'>]
  | { [E in ConvoEventName]: ['on', E, (detail: ConvoEvents[E]) => void] }[ConvoEventName];

/** The placeholder a page sets before the widget loads. */
export interface ConvoWidgetQueue {
  q: ConvoQueuedCall[];
}

declare global {
  interface Window {
    ConvoWidget?: ConvoWidgetApi | ConvoWidgetQueue;
  }
  interface WindowEventMap {
    'convo:ready': CustomEvent<ConvoEvents['ready']>;
    'convo:open': CustomEvent<ConvoEvents['open']>;
    'convo:close': CustomEvent<ConvoEvents['close']>;
    'convo:message': CustomEvent<ConvoEvents['message']>;
    'convo:unread': CustomEvent<ConvoEvents['unread']>;
    'convo:conversation-started': CustomEvent<ConvoEvents['conversation-started']>;
    'convo:conversation-ended': CustomEvent<ConvoEvents['conversation-ended']>;
    'convo:connection': CustomEvent<ConvoEvents['connection']>;
    'convo:error': CustomEvent<ConvoEvents['error']>;
  }
  interface HTMLElementTagNameMap {
    'convo-widget': HTMLElement;
  }
}
