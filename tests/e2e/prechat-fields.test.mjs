// Custom pre-chat fields (`init({ prechatFields })`, an array or the JSON text a script tag's
// `data-prechat-fields` gives it): a phone, a select and a required consent with
// its link, refused field by field until answered (nothing sent meanwhile, the first refused
// field focused, axe-clean), then stored in the conversation's attributes and shown in the agent
// desk. A field declared wrongly is left out and named in an `error` event; a refusal by the
// backend brings the visitor back to the form with their answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { BASE_URL, launch, screenshot } from './harness.mjs';
import {
  assertAxeClean,
  gotoWidget,
  launcherOf,
  panelOf,
  poll,
  refuseSessions,
  restOk,
  storedSession,
  unique,
  visit,
} from './support.mjs';

let browser;
before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

const FIELDS = [
  { id: 'phone', label: 'Phone', type: 'phone', placeholder: '+33 1 23 45 67 89' },
  { id: 'plan', label: 'Plan', type: 'select', required: true, options: ['Free', { value: 'pro', label: 'Pro <b>plus</b>' }] },
  {
    id: 'terms',
    label: 'I accept the <b>terms</b>',
    type: 'consent',
    required: true,
    link: { href: '/terms.html', text: 'Read the terms' },
  },
  // Declared wrongly: left out, and named in an `error` event.
  { id: 'when', label: 'When', type: 'date' },
];

/**
 * The demo page with the widget initialised by the page before the loader runs (a queued
 * `init`, which the script tag's own later `init` does not override), declaring `prechatFields`
 * — an array, or as `data-prechat-fields` holds it, JSON text — and `options`. Records the
 * widget's `error` events from the start.
 */
async function pageDeclaring(page, prechatFields, options = {}) {
  await page.addInitScript(
    ({ prechatFields, options }) => {
      window.__errors = [];
      window.addEventListener('convo:error', (e) => window.__errors.push(e.detail.message));
      window.ConvoWidget = {
        q: [['init', { sessionUrl: '/api/session', tokenUrl: '/api/token', prechat: 'name!', prechatFields, ...options }]],
      };
    },
    { prechatFields, options },
  );
}

/** The POST bodies sent to /api/session. */
function recordSessions(page) {
  const bodies = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/session') bodies.push(JSON.parse(r.postData() || '{}'));
  });
  return bodies;
}

async function openForm(page, team = 'Support') {
  await gotoWidget(page);
  await launcherOf(page).click();
  const panel = panelOf(page, team);
  await panel.waitFor({ state: 'visible' });
  return panel;
}

const focusedId = (page) => page.evaluate(() => document.querySelector('#convo-widget').shadowRoot.activeElement?.id ?? null);

test('a select and a required consent are refused until answered, then stored and shown in the desk', async () => {
  const visitor = await visit(browser);
  const agent = await visit(browser);
  const { page } = visitor;
  try {
    await pageDeclaring(page, FIELDS);
    const sessions = recordSessions(page);
    const panel = await openForm(page);
    const name = unique('Léa');

    // The wrong declaration is named, once, and the form has the others.
    const errors = await poll(async () => {
      const heard = await page.evaluate(() => window.__errors);
      return heard.length ? heard : null;
    }, { what: 'the error event' });
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(errors[0], /^init: pre-chat field "when": unknown type "date"/);
    assert.equal(await panel.getByLabel('When').count(), 0);

    const phone = panel.getByLabel('Phone (optional)');
    const plan = panel.getByLabel('Plan *');
    const terms = panel.getByRole('checkbox', { name: 'I accept the <b>terms</b> *' });
    const start = panel.getByRole('button', { name: 'Start chat' });
    assert.equal(await phone.getAttribute('type'), 'tel');
    assert.equal(await phone.getAttribute('placeholder'), '+33 1 23 45 67 89');
    assert.equal(await plan.evaluate((s) => s.tagName), 'SELECT');
    assert.deepEqual(await plan.locator('option').allInnerTexts(), ['Choose…', 'Free', 'Pro <b>plus</b>']);
    assert.equal(await panel.getByRole('group', { name: 'I accept the <b>terms</b> *' }).count(), 1, 'the consent is a named group');
    assert.equal(await panel.locator('.convo-prechat b').count(), 0, 'the host\'s texts are text, never markup');
    const link = panel.getByRole('link', { name: /Read the terms/ });
    assert.equal(await link.getAttribute('href'), '/terms.html');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    assert.match(await link.innerText(), /Read the terms\s+\(opens in a new tab\)/);

    // Nothing chosen: the select and the consent say why, the select gets the focus.
    await panel.getByLabel('Name *').fill(name);
    await start.click();
    const planError = panel.locator('#convo-custom-plan-error');
    const termsError = panel.locator('#convo-custom-terms-error');
    await planError.filter({ hasText: 'Please fill this in.' }).waitFor();
    await termsError.filter({ hasText: 'Please tick this box to continue.' }).waitFor();
    assert.equal(await plan.getAttribute('aria-invalid'), 'true');
    assert.equal(await terms.getAttribute('aria-invalid'), 'true');
    assert.equal(await phone.getAttribute('aria-invalid'), 'false', 'an optional field left empty is fine');
    assert.equal(await plan.getAttribute('aria-describedby'), 'convo-custom-plan-error');
    assert.equal(await terms.getAttribute('aria-describedby'), 'convo-custom-terms-error');
    assert.equal(await focusedId(page), 'convo-custom-plan', 'the first refused field has the focus');
    await assertAxeClean(page, 'the errors shown');
    await screenshot(page, 'prechat-fields-errors');

    // A phone that is not one, the plan chosen: the phone is refused and focused.
    await phone.fill('call me');
    await plan.selectOption('pro');
    await start.click();
    await panel.locator('#convo-custom-phone-error', { hasText: 'Please enter a phone number like +1 555 123 4567.' }).waitFor();
    assert.equal(await planError.innerText(), '');
    assert.equal(await plan.getAttribute('aria-invalid'), 'false');
    assert.equal(await terms.getAttribute('aria-invalid'), 'true', 'still not ticked');
    assert.equal(await focusedId(page), 'convo-custom-phone');
    assert.deepEqual(sessions, [], 'nothing was sent while the form was invalid');

    // Answered: the chat starts.
    await phone.fill('+33 1 23 45 67 89');
    await panel.getByText('I accept the <b>terms</b> *').click();
    assert.equal(await terms.isChecked(), true, 'a click on the words ticks the box');
    await start.click();
    await panel.getByRole('status').filter({ hasText: /^Connected$/ }).waitFor({ timeout: 20_000 });
    assert.equal(sessions.length, 1);
    assert.deepEqual(sessions[0].fields, { phone: '+33 1 23 45 67 89', plan: 'pro', terms: true });

    // Stored in the conversation's attributes, by label.
    const session = await poll(() => storedSession(page), { what: 'the session' });
    const conversation = await restOk('GET', `/v1/Conversations/${session.conversation_sid}`);
    assert.deepEqual(JSON.parse(conversation.attributes).fields, [
      { id: 'phone', label: 'Phone', value: '+33 1 23 45 67 89' },
      { id: 'plan', label: 'Plan', value: 'pro' },
      { id: 'terms', label: 'I accept the <b>terms</b>', value: true },
    ]);

    // Shown in the agent desk, a consent as Yes.
    await agent.page.goto(new URL('agent.html', BASE_URL).href);
    const entry = agent.page.getByRole('navigation', { name: 'Conversations' }).getByRole('button', { name: new RegExp(name) });
    await entry.waitFor({ timeout: 20_000 });
    await entry.click();
    const details = agent.page.locator('.convo-desk__details');
    await details.getByRole('heading', { name: 'Pre-chat answers' }).waitFor({ timeout: 10_000 });
    const answers = await details.locator('.convo-desk__answers').evaluate((dl) =>
      [...dl.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling.textContent]),
    );
    assert.deepEqual(answers, [
      ['Phone', '+33 1 23 45 67 89'],
      ['Plan', 'pro'],
      ['I accept the <b>terms</b>', 'Yes'],
    ]);
    assert.equal(await details.locator('b').count(), 0, 'nothing became markup in the desk');
    await assertAxeClean(agent.page, 'the desk');
    await screenshot(agent.page, 'prechat-fields-desk');

    // The wrong declaration's warning is the only console output; no error.
    assert.deepEqual([...page.problems, ...agent.page.problems], []);
  } finally {
    await agent.close();
    await visitor.close();
  }
});

test('the backend refusing an answer brings the visitor back to the form, answers kept, with its reason', async () => {
  const t = await visit(browser);
  const { page } = t;
  try {
    // JSON text, as `data-prechat-fields` gives it to `init`.
    await pageDeclaring(page, JSON.stringify(FIELDS.slice(0, 3)), { locale: 'fr' });
    const sessions = recordSessions(page);
    // A backend whose CONVO_PRECHAT_FIELDS requires a field this page does not declare answers
    // as the backend does (crates/backend/tests/api.rs shows it).
    const accept = await refuseSessions(page, 'fields.vip is required');
    const panel = await openForm(page, 'Assistance');
    await panel.getByLabel('Nom *').fill('Léa');
    await panel.getByLabel('Plan *').selectOption('Free');
    await panel.getByRole('checkbox', { name: /I accept/ }).check();
    await panel.getByRole('button', { name: 'Démarrer le chat' }).click();

    const refusal = panel.getByRole('alert').filter({ hasText: 'La discussion n’a pas pu commencer : fields.vip is required' });
    await refusal.waitFor({ timeout: 20_000 });
    assert.equal(sessions.length, 1);
    assert.equal(await panel.getByLabel('Nom *').inputValue(), 'Léa', 'the answers are kept');
    assert.equal(await panel.getByLabel('Plan *').inputValue(), 'Free');
    assert.equal(await panel.getByRole('checkbox', { name: /I accept/ }).isChecked(), true);
    assert.equal(await panel.getByText('Le chat est indisponible').count(), 0, 'not "unavailable": the form can be sent again');
    await assertAxeClean(page, 'the refusal shown');

    // Sent again once the backend accepts: the chat starts, the reason is gone.
    accept();
    await panel.getByRole('button', { name: 'Démarrer le chat' }).click();
    await panel.getByRole('status').filter({ hasText: /^Connecté$/ }).waitFor({ timeout: 20_000 });
    assert.equal(sessions.length, 2);
    assert.deepEqual(sessions[1].fields, { plan: 'Free', terms: true });

    // The answers were kept for this visitor only: after reset(), the next one sees a blank form.
    await page.evaluate(() => window.ConvoWidget.reset());
    await page.evaluate(() => window.ConvoWidget.open());
    await panel.getByLabel('Nom *').waitFor();
    assert.equal(await panel.getByLabel('Nom *').inputValue(), '');
    assert.equal(await panel.getByLabel('Plan *').inputValue(), '');
    assert.equal(await panel.getByRole('checkbox', { name: /I accept/ }).isChecked(), false);
    assert.equal(await panel.getByRole('alert').filter({ hasText: 'fields.vip' }).count(), 0);
    // The browser logs the refused request itself; nothing else.
    assert.deepEqual(page.problems.filter((p) => !/status of 400/.test(p)), []);
  } finally {
    await t.close();
  }
});
