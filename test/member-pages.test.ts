// The member's own pages as a new member finds them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createBatchWithCodes, createMember } from '../src/dev/factories.ts';
import { formatEuros } from '../src/core/money.ts';
import { memberNumber } from '../src/core/member-number.ts';
import { ADDRESS, addToCart, checkoutForm, createProduct } from './helpers/shop.ts';
import { queueMail } from '../src/mail/outbox.ts';
import { collectMemberData } from '../src/privacy/export.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

async function memberWithOrder(productName: string) {
  const m = await createMember(t.deps);
  const agent = await loginAgent(t.app, m.email, m.password);
  const product = await createProduct(t.deps, { name: productName, priceCents: 2100 });
  expect((await addToCart(agent, product.id, 2)).status).toBe(303);
  const form = await checkoutForm(agent);
  const placed = await agent.post('/commande').type('form').send({ ...ADDRESS, _csrf: form._csrf, nonce: form.nonce });
  expect(placed.status, placed.text.slice(0, 300)).toBe(303);
  const order = await t.deps.db.order.findFirstOrThrow({ where: { memberId: m.member.id } });
  return { ...m, agent, order };
}

/** Page text with the French thin and non-breaking spaces made plain spaces. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('/compte', () => {
  it('links to every page of the member area the modules declare', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const page = await agent.get('/compte');
    expect(page.status).toBe(200);
    for (const href of ['/compte/commandes', '/compte/concours', '/compte/coupons', '/compte/donnees']) {
      expect(page.text, href).toContain(`href="${href}"`);
    }
    // From the registry: every member entry, with its label.
    for (const e of t.deps.registry.nav('member').filter((n) => n.href !== '/compte')) {
      expect(page.text, e.href).toMatch(new RegExp(`<a href="${e.href}"[^>]*>${e.label.replace(/’/g, '(’|&#39;)')}</a>`));
    }
  });
});

describe('/compte/suppression', () => {
  it('with an order awaiting payment, says so before asking for the password; the POST still refuses', async () => {
    const m = await memberWithOrder('Puzzle des étoiles');
    const page = await m.agent.get('/compte/suppression');
    expect(page.status).toBe(200);
    expect(page.text).toContain('tant qu’une commande attend son paiement ou sa livraison');
    expect(page.text).toContain(m.order.reference);
    expect(page.text).not.toContain('name="currentPassword"');
    expect(page.text).not.toContain('Supprimer définitivement mon compte');
    expect(page.text).toContain(`mailto:${t.deps.config.privacyEmail}`);
    // A POST all the same (an old tab, a race with the checkout) is refused by the eraser.
    const del = await m.agent.post('/compte/suppression').type('form').send({ _csrf: csrfOf(page.text), currentPassword: m.password });
    expect(del.status).toBe(409);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: m.member.id } })).erasedAt).toBeNull();
  });

  it('without a blocking order, shows the form', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const page = await agent.get('/compte/suppression');
    expect(page.text).toContain('name="currentPassword"');
    expect(page.text).toContain('Supprimer définitivement mon compte');
  });

  it('after the deletion, redirects to a confirmation page that can be reloaded', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const del = await postForm(agent, '/compte/suppression', '/compte/suppression', { currentPassword: m.password });
    expect(del.status).toBe(303);
    expect(del.headers.location).toBe('/compte-supprime');
    const shown = await agent.get(del.headers.location);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Votre compte est supprimé');
    expect(shown.text).toContain('Se connecter');
    const again = await agent.get('/compte-supprime');
    expect(again.status).toBe(200);
    expect(again.text).toContain('Votre compte est supprimé');
    // Public: no session needed.
    expect((await request(t.app).get('/compte-supprime')).status).toBe(200);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: m.member.id } })).erasedAt).not.toBeNull();
  });
});

describe('/compte/donnees', () => {
  it('shows the orders’ lines, amounts in euros, French headings, audit labels, each landmark named once', async () => {
    const m = await memberWithOrder('Doudou lune bleue');
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const { codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 1, label: 'Lot du salon' });
    expect((await postForm(m.agent, '/compte/coupons', '/compte/coupons', { code: codes[0] })).status).toBe(303);
    // The newest event about the member, a minute after the others: listed first.
    await t.deps.db.auditEvent.create({ data: { at: new Date(t.clock.now().getTime() + 60_000), action: 'password.changed', actorMemberId: m.order.memberId, subjectMemberId: m.order.memberId } });
    const page = await m.agent.get('/compte/donnees');
    expect(page.status).toBe(200);
    const html = plain(page.text);
    const section = (key: string) => new RegExp(`<section aria-labelledby="s-${key}">[\\s\\S]*?</section>`).exec(html)?.[0] ?? '';
    const orders = section('commandes');
    // The order's line and its amounts, in its block.
    expect(orders).toContain('Doudou lune bleue');
    expect(orders).toContain(plain(formatEuros(m.order.totalCents)));
    expect(orders).toContain(plain(formatEuros(2100)));
    expect(orders).toContain('<dt>Total</dt>');
    expect(orders).toContain('<th scope="col">Prix unitaire TTC</th>');
    expect(orders).toContain('Lyon');
    expect(orders).not.toContain(`>${m.order.totalCents}<`);
    // No raw keys for headings.
    for (const raw of ['total_centimes', 'credit_utilise_centimes', 'prix_unitaire_ttc_centimes', '>reference<', '>lignes<', '>etat<', '>statut_chez_mailchimp<', '>recu<', '>reponse<']) {
      expect(html, raw).not.toContain(raw);
    }
    // The member's number as the site writes it elsewhere.
    const number = (await t.deps.db.member.findUniqueOrThrow({ where: { id: m.order.memberId } })).number;
    expect(section('profil')).toMatch(new RegExp(`<dt>Numéro</dt><dd[^>]*>\\s*${memberNumber(number)}\\s*</dd>`));
    // The journal in words.
    expect(section('journal_de_securite')).not.toContain('member.registered');
    expect(section('journal_de_securite')).toContain(t.deps.registry.auditLabels['auth.login'] ?? 'Connexion');
    // The member's own login: done by them (« vous »), not by nobody.
    const rows = [...section('journal_de_securite').matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((x) => x[1].replace(/<[^>]+>/g, '|').replace(/\s*\|\s*/g, '|'));
    const login = rows.find((r) => r.includes(`|${t.deps.registry.auditLabels['login.succeeded']}|`));
    expect(login, rows.join('\n')).toMatch(/\|vous\|/);
    expect(rows[1], 'the first row after the headings').toContain(`|${t.deps.registry.auditLabels['password.changed']}|`);
    // Coupons: one heading per column, the batch's label and value.
    const coupons = section('coupons_utilises');
    const headings = [...coupons.matchAll(/<th scope="col">([^<]*)<\/th>/g)].map((x) => x[1]);
    expect(headings.length).toBeGreaterThan(2);
    expect(new Set(headings).size).toBe(headings.length);
    expect(coupons).toContain('Lot du salon');
    // Landmarks: the sections (named by their heading) and the scrolling tables have names of their own.
    const sectionNames = [...html.matchAll(/<section aria-labelledby="([^"]*)">\s*<h2 id="\1">([^<]*)</g)].map((x) => x[2]);
    const regionNames = [...html.matchAll(/role="region" aria-label="([^"]*)"/g)].map((x) => x[1]);
    expect(sectionNames.length).toBeGreaterThan(5);
    const names = [...sectionNames, ...regionNames];
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('shows what a queued e-mail will carry, its link’s token masked', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const token = 'Zq8vK3pLm2Xr7TnB4wYc9HdF6sJa1GeU0oQi5RkV';
    await queueMail(t.deps.db, t.clock.now(), m.member.id, m.email, { subject: 'Confirmez votre adresse', text: `Cliquez : https://club.example/confirmer?jeton=${token}` });
    const data = JSON.parse((await agent.get('/compte/donnees/telecharger')).text);
    const queued = data.envois_en_attente.find((j: { contenu: { objet?: string } | null }) => j.contenu?.objet === 'Confirmez votre adresse');
    expect(queued.contenu).toEqual({ destinataire: m.email, objet: 'Confirmez votre adresse', texte: 'Cliquez : https://club.example/confirmer?jeton=[masqué]' });
    expect(JSON.stringify(data)).not.toContain(token);
    const page = plain((await agent.get('/compte/donnees')).text);
    expect(page).toContain('Confirmez votre adresse');
    expect(page).toContain('jeton=[masqué]');
    expect(page).not.toContain(token);
    // One block per job, not a table whose text column would be a narrow strip pages tall.
    const queuedSection = /<section aria-labelledby="s-envois_en_attente">[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(queuedSection).toContain('<dt>Contenu</dt>');
    expect(queuedSection).not.toContain('<th scope="col">Contenu</th>');
  });

  it('lists kept e-mails and consents by their dates, oldest first, on the page (its first rows) and in the download', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const at = (minutes: number) => new Date(t.clock.now().getTime() + minutes * 60_000);
    // Written in an order that is neither their dates' nor their (random) ids'.
    for (const minutes of [2, 5, 1, 4, 3]) {
      await t.deps.db.mailMessage.create({ data: { to: m.email, subject: `Courriel ${minutes}`, text: '…', memberId: m.member.id, createdAt: at(minutes) } });
      await t.deps.db.consent.create({ data: { memberId: m.member.id, kind: 'newsletter', policyVersion: `v-${minutes}`, givenAt: at(minutes) } });
    }
    const data = JSON.parse((await agent.get('/compte/donnees/telecharger')).text);
    expect(data.courriels.map((x: { subject: string }) => x.subject)).toEqual([1, 2, 3, 4, 5].map((n) => `Courriel ${n}`));
    // The registration's consents first (given at the clock's time), then these.
    const versions = data.consentements.map((x: { policyVersion: string }) => x.policyVersion);
    expect(versions.slice(-5)).toEqual(['v-1', 'v-2', 'v-3', 'v-4', 'v-5']);
    // The page asks for the first rows only: the oldest ones.
    const firstTwo = await collectMemberData(t.deps, m.member.id, { audit: false, limit: 2 });
    const listed = (key: string) => firstTwo.sections.find((x) => x.section.key === key)?.data as Record<string, unknown>[];
    expect(listed('courriels').map((x) => x.subject)).toEqual(['Courriel 1', 'Courriel 2']);
    const page = plain((await agent.get('/compte/donnees')).text);
    expect(page.indexOf('Courriel 1')).toBeGreaterThan(0);
    expect(page.indexOf('Courriel 1')).toBeLessThan(page.indexOf('Courriel 5'));
  });

  it('lists a password-reset request made with the member’s address until it is handled, then the link sent', async () => {
    const m = await createMember(t.deps);
    const other = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    // Typed in capitals: the request holds the address (the form writes it in small letters), not the member's id.
    for (const email of [m.email.toUpperCase(), other.email]) {
      expect((await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email })).status).toBe(200);
    }
    const download = async () => JSON.parse((await agent.get('/compte/donnees/telecharger')).text);
    const before = await download();
    expect(before.demandes_de_mot_de_passe).toEqual([{ date: t.clock.now().toISOString(), statut: 'PENDING', courriel: m.email }]);
    const section = /<section aria-labelledby="s-demandes_de_mot_de_passe">[\s\S]*?<\/section>/.exec(plain((await agent.get('/compte/donnees')).text))?.[0] ?? '';
    expect(section).toContain(m.email);
    expect(section).toContain('en attente');
    expect(section).not.toContain(other.email);
    while ((await t.worker.runOnce()) > 0);
    const after = await download();
    expect(after.demandes_de_mot_de_passe).toEqual([]);
    expect(after.liens_en_attente.map((l: { purpose: string }) => l.purpose)).toContain('RESET_PASSWORD');
  });

  it('keeps the JSON download’s keys', async () => {
    const m = await memberWithOrder('Hochet soleil');
    const data = JSON.parse((await m.agent.get('/compte/donnees/telecharger')).text);
    expect(Object.keys(data.commandes[0])).toEqual(expect.arrayContaining(['reference', 'total_centimes', 'credit_utilise_centimes', 'lignes', 'transmissions']));
    expect(data.commandes[0].lignes[0]).toMatchObject({ produit: 'Hochet soleil', quantite: 2, prix_unitaire_ttc_centimes: 2100 });
  });
});

describe('countries and phone numbers in words', () => {
  it('the order pages and "Mes données" name the country and group a French number by two; the JSON keeps the codes', async () => {
    const m = await memberWithOrder('Mobile des planètes');
    const ref = m.order.reference;
    const mine = plain((await m.agent.get(`/compte/commandes/${ref}`)).text);
    expect(mine).toContain('69003 Lyon (France)');
    expect(mine).toContain('Tél. 06 12 34 56 78');
    expect(mine).not.toContain('(FR)');
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const staffAgent = await loginAgent(t.app, staff.email, staff.password);
    const staffPage = plain((await staffAgent.get(`/gestion/commandes/${ref}`)).text);
    expect(staffPage).toContain('69003 Lyon (France)');
    expect(staffPage).toContain('Tél. 06 12 34 56 78');
    const data = plain((await m.agent.get('/compte/donnees')).text);
    const orders = /<section aria-labelledby="s-commandes">[\s\S]*?<\/section>/.exec(data)?.[0] ?? '';
    expect(orders).toMatch(/<dt>Pays<\/dt><dd[^>]*>\s*France\s*<\/dd>/);
    expect(orders).toMatch(/<dt>Téléphone<\/dt><dd[^>]*>\s*06 12 34 56 78\s*<\/dd>/);
    expect(data).not.toMatch(/<(dd|td)[^>]*>\s*FR\s*<\/(dd|td)>/);
    // The stored values and the JSON download are unchanged.
    const json = JSON.parse((await m.agent.get('/compte/donnees/telecharger')).text);
    expect(json.commandes[0].livraison).toMatchObject({ pays: 'FR', telephone: '0612345678' });
    expect(await t.deps.db.order.findUniqueOrThrow({ where: { id: m.order.id } })).toMatchObject({ country: 'FR', phone: '0612345678' });
  });

  it('the account form shows the stored French number in pairs, and saving it keeps the digits', async () => {
    const m = await createMember(t.deps, { phone: '0612345678' });
    const agent = await loginAgent(t.app, m.email, m.password);
    const page = await agent.get('/compte');
    expect(page.text).toContain('id="f-phone" name="phone" type="tel" value="06 12 34 56 78"');
    const values = Object.fromEntries([...page.text.matchAll(/name="(firstName|lastName|addressLine1|addressLine2|postcode|city|phone)" type="[a-z]+" value="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const saved = await postForm(agent, '/compte', '/compte', { ...values, country: 'FR' });
    expect(saved.status, saved.text.slice(0, 300)).toBe(303);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: m.member.id } })).phone).toBe('0612345678');
  });
});
