// Types for the page-facing API of the Convo widget (`window.ConvoWidget`) and its DOM events.
// Kept in step with src/api.rs; tests/types/usage.ts type-checks a page using every part.

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

export interface ConvoWidgetApi {
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
