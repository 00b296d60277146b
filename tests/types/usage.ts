// A page using every part of the declared API; `tsc --noEmit` must accept it, and the lines
// marked @ts-expect-error must stay errors (so the types keep refusing wrong calls).
import type { ConvoWidgetApi, ConvoWidgetQueue } from '../../js/convo-widget';
import { ConvoWidget } from '../../js/index';

const queue: ConvoWidgetQueue = { q: [['open'], ['setLocale', 'fr'], ['greet', 'Hello', { delay: 1000 }], ['on', 'unread', (d: { count: number }) => console.log(d.count)]] };
window.ConvoWidget = window.ConvoWidget ?? queue;

declare const api: ConvoWidgetApi;
api.init({ sessionUrl: '/api/session', tokenUrl: '/api/token', locale: 'fr', sound: true, notifications: 'on', target: '#help' });
api.init({ endUrl: '/api/end', ratingUrl: '/api/rating', resumeWithin: 15 });
api.init({ user: { id: 'u-1', signature: 'ab12' }, attributes: { plan: 'pro' }, target: document.body });
api.init();
ConvoWidget.open();
api.open();
api.close();
api.toggle();
api.showLauncher();
api.hideLauncher();
api.setLocale('ar');
api.setUser({ id: 'u-1', signature: 'ab12', name: 'Ada', email: 'ada@example.com' });
api.setAttributes({ plan: 'pro', cart: 3 });
api.reset();
api.greet('Hi! Need a hand?');
api.greet('Hi! Need a hand?', { delay: 5000 });
api.init({ greeting: 'Welcome!', greetingDelay: 3000 });
api.init({
  prechatFields: [
    { id: 'company', label: 'Company', type: 'text', placeholder: 'Acme' },
    { id: 'phone', label: 'Phone', type: 'phone' },
    { id: 'plan', label: 'Plan', type: 'select', required: true, options: ['Free', { value: 'pro', label: 'Pro' }] },
    { id: 'terms', label: 'I accept the terms', type: 'consent', required: true, link: { href: '/terms', text: 'Terms' } },
  ],
});
api.init({ prechatFields: '[{"id":"plan","label":"Plan","type":"select","options":["a"]}]' });
api.setAvailability('closed');
api.setAvailability('open');
api.setAvailability({ timeZone: 'Europe/Paris', hours: { mon: ['09:00', '18:00'], sat: ['10:00', '13:30'], sun: null } });
api.setAvailability({ hours: { fri: ['00:00', '24:00'] } });
api.init({ availability: 'closed' });
api.init({ availability: 'agents', availabilityUrl: '/api/availability' });
api.setAvailability('agents');
api.init({ availability: { hours: { tue: ['08:30', '17:00'] }, timeZone: 'America/New_York' } });
const stop: () => void = api.on('message', (m) => console.log(m.author, m.body, m.media[0]?.contentType, m.index + 1));
stop();
api.on('connection', ({ state }) => {
  const known: 'connected' | 'disconnected' | 'connecting' | 'reconnecting' | 'denied' | 'terminated' = state;
  console.log(known);
});
api.on('conversation-started', ({ conversationSid }) => conversationSid.startsWith('CH'));
window.addEventListener('convo:unread', (e) => console.log(e.detail.count + 1));
const element: HTMLElement = document.createElement('convo-widget');
console.log(element);

// @ts-expect-error: no such event
api.on('nope', () => {});
// @ts-expect-error: setUser needs an id
api.setUser({ name: 'Ada' });
// @ts-expect-error: unread's detail has no body
api.on('unread', (d) => d.body);
// @ts-expect-error: unknown option
api.init({ tokenURL: '/api/token' });
// @ts-expect-error: no such field type
api.init({ prechatFields: [{ id: 'when', label: 'When', type: 'date' }] });
// @ts-expect-error: a consent link needs its text
api.init({ prechatFields: [{ id: 't', label: 'T', type: 'consent', link: { href: '/terms' } }] });
// @ts-expect-error: greet's text is a string
api.greet(42);
// @ts-expect-error: the delay is a number of milliseconds
api.greet('Hi', { delay: '5s' });
// @ts-expect-error: availability is open, closed or business hours
api.setAvailability('away');
// @ts-expect-error: days are mon…sun
api.setAvailability({ hours: { monday: ['09:00', '18:00'] } });
// @ts-expect-error: a day's hours are an opening and a closing time
api.setAvailability({ hours: { mon: ['09:00'] } });
// @ts-expect-error: queued calls are checked too
const wrong: ConvoWidgetQueue = { q: [['setLocale', 42]] };
console.log(wrong);
