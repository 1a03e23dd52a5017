// Error summaries that lead to their fields (views/partials/form-errors.ejs): each message of a
// refused form links to the input holding the error, on pages with several forms too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { brokenSummaryLinks, errorSummaries, summaryLinks } from './helpers/error-summary.ts';
import { ADDRESS, addToCart, checkoutForm, createProduct } from './helpers/shop.ts';
import { markPaid } from '../src/orders/service.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

/** A member's order of one product, paid; and a staff member's agent. */
async function paidOrder(productName: string) {
  const staff = await createMember(t.deps, {}, { role: 'STAFF' });
  const staffAgent = await loginAgent(t.app, staff.email, staff.password);
  const m = await createMember(t.deps);
  const agent = await loginAgent(t.app, m.email, m.password);
  const product = await createProduct(t.deps, { name: productName, priceCents: 1900 });
  expect((await addToCart(agent, product.id, 1)).status).toBe(303);
  const form = await checkoutForm(agent);
  expect((await agent.post('/commande').type('form').send({ ...ADDRESS, _csrf: form._csrf, nonce: form.nonce })).status).toBe(303);
  const order = await t.deps.db.order.findFirstOrThrow({ where: { memberId: m.member.id } });
  await markPaid(t.deps, staff.member.id, order.reference);
  return { staffAgent, order };
}

/** The one summary of the page, its links' targets, and what is wrong with them. */
function summaryOf(html: string) {
  const all = errorSummaries(html);
  expect(all).toHaveLength(1);
  const [summary] = all;
  return { summary, hrefs: summaryLinks(summary).map((l) => l.href), broken: brokenSummaryLinks(html, summary) };
}

describe('the page title of a refused form', () => {
  it('starts with « Erreur : » when the page shows an error summary, for a visitor too', async () => {
    const agent = request.agent(t.app);
    const form = await agent.get('/inscription');
    expect(form.text).toContain('<title>Inscription · Club Petites Stars</title>');
    const res = await postForm(agent, '/inscription', '/inscription', { email: 'pas-une-adresse', password: '' });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/<title>Erreur : Inscription · Club Petites Stars<\/title>/);
  });
});

describe('/compte and its three forms', () => {
  it('contact details: each message links to its field, the country select included', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const res = await postForm(agent, '/compte', '/compte', { firstName: '', lastName: 'Dupont', addressLine1: '3 rue des Lilas', postcode: '', city: 'Lyon', country: 'XX', phone: '' });
    expect(res.status).toBe(422);
    const { summary, hrefs, broken } = summaryOf(res.text);
    expect(summary).toContain('Le formulaire contient 3 erreurs :');
    expect(hrefs).toEqual(['#f-firstName', '#f-postcode', '#f-country']);
    expect(broken).toEqual([]);
    // Focusable, and not an alert as well (see the partial), with the script that focuses it.
    expect(summary).toContain('tabindex="-1"');
    expect(summary).not.toContain('role="alert"');
    expect(res.text).toContain('<script src="/static/js/form-errors.js" defer></script>');
    // The page's title says so first; the same page without errors does not.
    expect(res.text).toContain('<title>Erreur : Mon compte · Club Petites Stars</title>');
    expect((await agent.get('/compte')).text).toContain('<title>Mon compte · Club Petites Stars</title>');
  });

  it('e-mail change: the password link leads to this form’s password, not the other form’s', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const res = await postForm(agent, '/compte', '/compte/email', { email: 'pas-une-adresse', currentPassword: '' });
    expect(res.status).toBe(422);
    const { summary, hrefs, broken } = summaryOf(res.text);
    expect(summary).toContain('Le formulaire contient 2 erreurs :');
    expect(hrefs).toEqual(['#f-email', '#f-email-currentPassword']);
    expect(broken).toEqual([]);
    expect(res.text).not.toMatch(/id="f-password-currentPassword"[^>]*aria-invalid/);
  });

  it('e-mail change: one error from the service (wrong password) reads in the singular and links to its field', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const res = await postForm(agent, '/compte', '/compte/email', { email: 'nouvelle.adresse@exemple.fr', currentPassword: 'pas le bon mot de passe' });
    expect(res.status).toBe(422);
    const { summary, hrefs, broken } = summaryOf(res.text);
    expect(summary).toContain('Le formulaire contient une erreur :');
    expect(hrefs).toEqual(['#f-email-currentPassword']);
    expect(broken).toEqual([]);
  });

  it('password change: each message links to the password form’s own fields', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const res = await postForm(agent, '/compte', '/compte/mot-de-passe', { currentPassword: '', password: 'court', passwordConfirm: '' });
    expect(res.status).toBe(422);
    const { summary, hrefs, broken } = summaryOf(res.text);
    expect(summary).toContain('Le formulaire contient 3 erreurs :');
    expect(hrefs).toEqual(['#f-password-currentPassword', '#f-password', '#f-passwordConfirm']);
    expect(broken).toEqual([]);
    expect(res.text).not.toMatch(/id="f-email-currentPassword"[^>]*aria-invalid/);
  });
});

describe('form-level errors', () => {
  it('an error of the whole form (login refused) stays plain text', async () => {
    const m = await createMember(t.deps);
    const res = await postForm(request.agent(t.app), '/connexion', '/connexion', { email: m.email, password: 'un mot de passe quelconque' });
    expect(res.status).toBe(422);
    const { summary, hrefs } = summaryOf(res.text);
    expect(summary).toContain('Le formulaire contient une erreur :');
    expect(summary).toContain('Adresse électronique ou mot de passe incorrect.');
    expect(hrefs).toEqual([]);
  });
});

describe('forms whose summary showed only the form’s own error', () => {
  it('coupon code: the code’s message is in the summary and leads to the field', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const res = await postForm(agent, '/compte/coupons', '/compte/coupons', { code: '' });
    expect(res.status).toBe(422);
    const { hrefs, broken } = summaryOf(res.text);
    expect(hrefs).toEqual(['#f-code']);
    expect(broken).toEqual([]);
  });

  it('staff order page: a refused shipment leads to the carrier and the tracking number', async () => {
    const { staffAgent, order } = await paidOrder('Veilleuse soleil');
    const page = `/gestion/commandes/${order.reference}`;
    const res = await postForm(staffAgent, page, `${page}/expedition`, { carrier: '', trackingNumber: '?' });
    expect(res.status).toBe(422);
    const { hrefs, broken } = summaryOf(res.text);
    expect(hrefs).toEqual(['#f-carrier', '#f-trackingNumber']);
    expect(broken).toEqual([]);
    // Shipped after all: no paid order is left waiting for the hand-over tests below.
    expect((await postForm(staffAgent, page, `${page}/expedition`, { carrier: 'Colissimo', trackingNumber: '6A12345678901' })).status).toBe(303);
  });
});

describe('staff forms', () => {
  it('credit adjustment: each field’s message links to it; an expired form (hidden nonce) stays plain text', async () => {
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const agent = await loginAgent(t.app, staff.email, staff.password);
    // No nonce: the hidden field's error has no input to lead to.
    const res = await postForm(agent, '/gestion/credit', '/gestion/credit', { memberNumber: 'abc', amount: '0', reason: '' });
    expect(res.status).toBe(422);
    const { summary, hrefs, broken } = summaryOf(res.text);
    expect(summary).toContain('Le formulaire contient 4 erreurs :');
    expect(summary).toContain('<li>Formulaire expiré : rechargez la page.</li>');
    expect(hrefs).toEqual(['#f-memberNumber', '#f-amount', '#f-reason']);
    expect(broken).toEqual([]);
  });
});

describe('pages whose fields have ids of their own', () => {
  it('accountant dashboard: a refused export links to that export form’s fields (x-j-…)', async () => {
    const accountant = await createMember(t.deps, {}, { role: 'ACCOUNTANT' });
    const agent = await loginAgent(t.app, accountant.email, accountant.password);
    const res = await agent.get('/comptabilite/exports/journal.csv?du=pas-une-date&au=&journal=ZZ');
    expect(res.status).toBe(422);
    const { hrefs, broken } = summaryOf(res.text);
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.every((h) => ['#x-j-du', '#x-j-au', '#x-j-j'].includes(h)), hrefs.join(' ')).toBe(true);
    expect(broken).toEqual([]);
  });

  it('accounting periods: the confirmation checkbox is the link’s target', async () => {
    const accountant = await createMember(t.deps, {}, { role: 'ACCOUNTANT' });
    const agent = await loginAgent(t.app, accountant.email, accountant.password);
    const page = await agent.get('/comptabilite/periodes');
    const period = /<option value="([^"]+)"/.exec(page.text)?.[1];
    expect(period, 'a period to close').toBeDefined();
    const res = await postForm(agent, '/comptabilite/periodes', '/comptabilite/periodes', { period: period! });
    expect(res.status).toBe(422);
    const { hrefs, broken } = summaryOf(res.text);
    expect(hrefs).toContain('#f-confirm');
    expect(broken).toEqual([]);
  });

  it('admin member page: the role select and the request reference (ids without prefix)', async () => {
    const admin = await createMember(t.deps, {}, { role: 'ADMIN' });
    const agent = await loginAgent(t.app, admin.email, admin.password);
    const target = await createMember(t.deps);
    const url = `/admin/membres/${target.member.id}`;
    const role = await postForm(agent, url, `${url}/role`, { role: 'ROI' });
    expect(role.status).toBe(422);
    expect(summaryOf(role.text)).toMatchObject({ hrefs: ['#role'], broken: [] });
    const erase = await postForm(agent, url, `${url}/effacer`, { requestRef: '' });
    expect(erase.status).toBe(422);
    expect(summaryOf(erase.text)).toMatchObject({ hrefs: ['#requestRef'], broken: [] });
  });

  it('staff hand-over with no order to choose: the message has no field to lead to', async () => {
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const agent = await loginAgent(t.app, staff.email, staff.password);
    const res = await postForm(agent, '/gestion/expeditions', '/gestion/expeditions', { destinataire: 'carrier' });
    expect(res.status).toBe(422);
    expect(summaryOf(res.text)).toMatchObject({ hrefs: [], broken: [] });
  });

  it('staff hand-over: with a paid order, no order ticked leads to the first checkbox', async () => {
    const { staffAgent } = await paidOrder('Veilleuse lune');
    const res = await postForm(staffAgent, '/gestion/expeditions', '/gestion/expeditions', { destinataire: 'carrier' });
    expect(res.status).toBe(422);
    const { hrefs, broken } = summaryOf(res.text);
    expect(hrefs).toHaveLength(1);
    expect(hrefs[0]).toMatch(/^#c-/);
    expect(broken).toEqual([]);
  });
});
