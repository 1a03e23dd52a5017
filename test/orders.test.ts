// Cart, checkout and orders through HTTP (PGlite and PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, daysFromNow, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { lastMailTo } from './helpers/mail.ts';
import { createMember } from '../src/dev/factories.ts';
import { balanceOf, ledgerSum } from '../src/credit/ledger.ts';
import { eraseMember } from '../src/privacy/eraser.ts';
import { exportMemberData } from '../src/privacy/export.ts';
import { SESSION_COOKIE } from '../src/http/app.ts';
import { ADDRESS, addToCart, checkoutForm, createProduct, giveCredit } from './helpers/shop.ts';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createMember>>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createMember(t.deps, {}, { role: 'STAFF' });
});
afterAll(() => t?.close());

const cookieOf = (res: request.Response) => ([] as string[]).concat(res.headers['set-cookie'] ?? []).join(';');

async function memberWithCart(productId: string, quantity = 1, credit = 0) {
  const m = await createMember(t.deps);
  if (credit) await giveCredit(t.deps, m.member.id, credit);
  const agent = await loginAgent(t.app, m.email, m.password);
  expect((await addToCart(agent, productId, quantity)).status).toBe(303);
  return { ...m, agent };
}

async function placeOrderAs(agent: ReturnType<typeof request.agent>) {
  const form = await checkoutForm(agent);
  const res = await agent.post('/commande').type('form').send({ ...ADDRESS, _csrf: form._csrf, nonce: form.nonce });
  expect(res.status, res.text.slice(0, 500)).toBe(303);
  const reference = /\/compte\/commandes\/(C\d+)/.exec(res.headers.location)![1];
  return t.deps.db.order.findUniqueOrThrow({ where: { reference }, include: { lines: true } });
}

describe('cart', () => {
  it('an anonymous visitor gets no cookie until the first "Ajouter au panier", which needs a same-origin request', async () => {
    const p = await createProduct(t.deps);
    const empty = await request(t.app).get('/panier');
    expect(empty.status).toBe(200);
    expect(empty.headers['set-cookie']).toBeUndefined();
    // Cross-site (a forged form elsewhere) and header-less posts are refused, without a cookie.
    const forged = await request(t.app).post('/panier/ajouter').set('Origin', 'https://evil.example').type('form').send({ produit: p.id, quantite: '1' });
    expect(forged.status).toBe(403);
    expect(cookieOf(forged)).not.toContain(SESSION_COOKIE);
    const crossSite = await request(t.app).post('/panier/ajouter').set('Sec-Fetch-Site', 'cross-site').set('Origin', 'http://club.test').type('form').send({ produit: p.id });
    expect(crossSite.status).toBe(403);
    expect((await request(t.app).post('/panier/ajouter').type('form').send({ produit: p.id })).status).toBe(403);
    const agent = request.agent(t.app);
    const added = await addToCart(agent, p.id, 2);
    expect(added.status).toBe(303);
    expect(cookieOf(added)).toContain(SESSION_COOKIE);
    const cart = await agent.get('/panier');
    expect(cart.text).toContain(p.name);
    expect(cart.text).toContain('25,80'); // 2 × 12,90 €
    // Other cart forms need the session token.
    expect((await agent.post('/panier/modifier').type('form').send({ [`q_${p.id}`]: '3' })).status).toBe(403);
    const token = csrfOf(cart.text);
    expect((await agent.post('/panier/modifier').type('form').send({ _csrf: token, [`q_${p.id}`]: '3' })).status).toBe(303);
    expect((await agent.get('/panier')).text).toContain('38,70');
    const bad = await agent.post('/panier/modifier').type('form').send({ _csrf: token, [`q_${p.id}`]: 'trois' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Quantité : un nombre entier');
    expect(bad.text).toContain('value="trois"');
    const tooMany = await addToCart(agent, p.id, 50);
    expect(tooMany.status).toBe(422);
    expect(tooMany.text).toMatch(/Il ne reste que 10 exemplaires de « [^»]+ » et votre panier en contient déjà 3\./);
  });

  it('the cart survives the login at checkout', async () => {
    const p = await createProduct(t.deps);
    const m = await createMember(t.deps);
    const agent = request.agent(t.app);
    await addToCart(agent, p.id, 1);
    const go = await agent.get('/commande');
    expect(go.status).toBe(303);
    expect(go.headers.location).toBe('/connexion?retour=%2Fcommande');
    const login = await agent.get('/connexion?retour=%2Fcommande');
    const res = await agent.post('/connexion').type('form').send({ _csrf: csrfOf(login.text), email: m.email, password: m.password, retour: '/commande' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/commande');
    const checkout = await agent.get('/commande');
    expect(checkout.status).toBe(200);
    expect(checkout.text).toContain(p.name);
  });
});

describe('checkout', () => {
  it('pays with credit then bank transfer: one transaction for order, stock, credit and mail; a double POST gives one order', async () => {
    const p = await createProduct(t.deps, { priceCents: 2000, vatRateBp: 2000, stock: 5 });
    const m = await memberWithCart(p.id, 2, 1500);
    const form = await checkoutForm(m.agent);
    expect(form.page.text).toContain('value="12 rue des Lilas"'); // prefilled from the profile
    const body = { ...ADDRESS, addressLine1: '3 place Bellecour', notes: 'Laisser chez la gardienne', _csrf: form._csrf, nonce: form.nonce };
    const [a, b] = await Promise.all([m.agent.post('/commande').type('form').send(body), m.agent.post('/commande').type('form').send(body)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.location).toBe(b.headers.location);
    const again = await m.agent.post('/commande').type('form').send(body);
    expect(again.headers.location).toBe(a.headers.location);
    const orders = await t.deps.db.order.findMany({ where: { memberId: m.member.id }, include: { lines: true } });
    expect(orders).toHaveLength(1);
    const o = orders[0];
    // 2 × 20 € = 40 €, shipping 6,90 € (below the free threshold), credit 15 €.
    expect(o).toMatchObject({ status: 'AWAITING_PAYMENT', goodsCents: 4000, shippingCents: 690, totalCents: 4690, creditUsedCents: 1500, dueCents: 3190, addressLine1: '3 place Bellecour' });
    expect(o.lines[0]).toMatchObject({ name: p.name, unitPriceCents: 2000, vatRateBp: 2000, quantity: 2 });
    expect((await t.deps.db.product.findUniqueOrThrow({ where: { id: p.id } })).stock).toBe(3);
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(0);
    expect(await ledgerSum(t.deps.db, m.member.id)).toBe(0);
    const mail = await lastMailTo(t, m.email, `Votre commande ${o.reference}`);
    expect(mail!.text).toContain(o.reference);
    expect(mail!.text).toContain('IBAN');
    expect(mail!.text).toContain('31,90');
    const page = await m.agent.get(`/compte/commandes/${o.reference}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(t.deps.config.shop.bank.iban);
    expect(page.text).toContain('Instructions de livraison : Laisser chez la gardienne');
    const invoice = await m.agent.get(`/compte/commandes/${o.reference}/facture`);
    expect(invoice.text).toContain(t.deps.config.seller.siren);
    expect(invoice.text).toMatch(/F\d{7}/);
    // The cart is empty after the order.
    expect((await m.agent.get('/panier')).text).toContain('Votre panier est vide');
  });

  it('an order fully paid by credit is paid at once', async () => {
    const p = await createProduct(t.deps, { priceCents: 7000, stock: 3 });
    const m = await memberWithCart(p.id, 1, 10_000);
    const o = await placeOrderAs(m.agent);
    expect(o).toMatchObject({ status: 'PAID', totalCents: 7000, shippingCents: 0, creditUsedCents: 7000, dueCents: 0, paymentMethod: 'CREDIT' });
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(3000);
  });

  it('bad input keeps the values with French messages; a price change is told before ordering', async () => {
    const p = await createProduct(t.deps, { priceCents: 1000 });
    const m = await memberWithCart(p.id, 1);
    const form = await checkoutForm(m.agent);
    const bad = await m.agent.post('/commande').type('form').send({ ...ADDRESS, postcode: '6900', city: 'Villeurbanne', acceptCgv: undefined, _csrf: form._csrf, nonce: form.nonce });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Code postal invalide');
    expect(bad.text).toContain('Vous devez accepter les conditions générales de vente');
    expect(bad.text).toContain('value="Villeurbanne"');
    expect(bad.text).toContain('value="6900"');
    await t.deps.db.product.update({ where: { id: p.id }, data: { priceCents: 1100 } });
    const changed = await m.agent.post('/commande').type('form').send({ ...ADDRESS, _csrf: form._csrf, nonce: form.nonce });
    expect(changed.status).toBe(422);
    expect(changed.text).toContain('le prix est passé de 10,00');
    expect(await t.deps.db.order.count({ where: { memberId: m.member.id } })).toBe(0);
    // Confirming again after reading the new total works.
    const ok = await m.agent.post('/commande').type('form').send({ ...ADDRESS, _csrf: form._csrf, nonce: form.nonce });
    expect(ok.status).toBe(303);
    expect((await t.deps.db.order.findFirstOrThrow({ where: { memberId: m.member.id } })).goodsCents).toBe(1100);
  });

  it('stock gone between the cart and the order: nothing is written', async () => {
    const p = await createProduct(t.deps, { stock: 2 });
    const m = await memberWithCart(p.id, 2, 500);
    const form = await checkoutForm(m.agent);
    await t.deps.db.product.update({ where: { id: p.id }, data: { stock: 1 } });
    const res = await m.agent.post('/commande').type('form').send({ ...ADDRESS, _csrf: form._csrf, nonce: form.nonce });
    expect(res.status).toBe(422);
    expect(res.text).toContain('il n’en reste que 1');
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(500);
    expect(await t.deps.db.order.count({ where: { memberId: m.member.id } })).toBe(0);
  });
});

describe('orders', () => {
  it('no member sees another member’s order (IDOR), members cannot reach the staff pages', async () => {
    const p = await createProduct(t.deps);
    const owner = await memberWithCart(p.id);
    const o = await placeOrderAs(owner.agent);
    const other = await createMember(t.deps);
    const agent = await loginAgent(t.app, other.email, other.password);
    for (const path of [`/compte/commandes/${o.reference}`, `/compte/commandes/${o.reference}/facture`]) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(404);
      expect(res.text).not.toContain(o.reference + ' ');
    }
    expect((await agent.get('/compte/commandes')).text).not.toContain(o.reference);
    const anon = await request(t.app).get(`/compte/commandes/${o.reference}`);
    expect(anon.status).toBe(303);
    for (const path of ['/gestion/commandes', `/gestion/commandes/${o.reference}`, '/gestion/expeditions']) expect((await agent.get(path)).status, path).toBe(403);
    const page = await agent.get('/compte/commandes');
    for (const action of ['paiement', 'annulation', 'expedition']) {
      expect((await agent.post(`/gestion/commandes/${o.reference}/${action}`).type('form').send({ _csrf: csrfOf(page.text), reason: 'test' })).status).toBe(403);
    }
    expect((await t.deps.db.order.findUniqueOrThrow({ where: { id: o.id } })).status).toBe('AWAITING_PAYMENT');
  });

  it('staff: payment received, shipped, hand-over export logged and shown to the member, delivered; erasure refused until then', async () => {
    const p = await createProduct(t.deps, { weightGrams: 350 });
    const m = await memberWithCart(p.id, 2);
    const o = await placeOrderAs(m.agent);
    const veto = await eraseMember(t.deps, m.member.id, { reason: 'self' }).catch((e: Error) => e.message);
    expect(veto).toContain('tant qu’une commande attend son paiement ou sa livraison');
    const s = await loginAgent(t.app, staff.email, staff.password);
    const list = await s.get(`/gestion/commandes?q=${o.reference}`);
    expect(list.text).toContain(o.reference);
    const token = csrfOf((await s.get(`/gestion/commandes/${o.reference}`)).text);
    expect((await s.post(`/gestion/commandes/${o.reference}/paiement`).type('form').send({ _csrf: token })).status).toBe(303);
    expect((await s.post(`/gestion/commandes/${o.reference}/paiement`).type('form').send({ _csrf: token })).status).toBe(409);
    expect((await lastMailTo(t, m.email, `Commande ${o.reference} : paiement reçu`))).not.toBeNull();
    const bank = await t.deps.db.journalEntry.findUniqueOrThrow({ where: { idempotencyKey: `order-paid:${o.id}` }, include: { lines: true } });
    expect(bank.journal).toBe('BQ');
    expect(bank.lines.map((l) => [l.accountKey, l.debitCents, l.creditCents, l.memberNumber])).toEqual([['BANQUE', o.dueCents, 0, null], ['CLIENTS', 0, o.dueCents, m.member.number]]);
    expect(bank.label).not.toContain('Camille');
    const ship = await s.get('/gestion/expeditions');
    expect(ship.text).toContain(o.reference);
    const csv = await s.post('/gestion/expeditions').type('form').send({ _csrf: token, destinataire: 'carrier', commandes: o.reference });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text).toContain(`${o.reference};Camille Martin;12 rue des Lilas;;69003;Lyon;FR;0612345678;700`);
    const none = await s.post('/gestion/expeditions').type('form').send({ _csrf: token, destinataire: 'carrier' });
    expect(none.status).toBe(422);
    expect(none.text).toContain('Cochez au moins une commande');
    const badShip = await s.post(`/gestion/commandes/${o.reference}/expedition`).type('form').send({ _csrf: token, carrier: 'Colissimo', trackingNumber: '<x>' });
    expect(badShip.status).toBe(422);
    expect(badShip.text).toContain('value="Colissimo"');
    expect((await s.post(`/gestion/commandes/${o.reference}/expedition`).type('form').send({ _csrf: token, carrier: 'Colissimo', trackingNumber: '6A12345678901' })).status).toBe(303);
    expect((await lastMailTo(t, m.email, `Commande ${o.reference} : expédiée`))!.text).toContain('6A12345678901');
    const mine = await m.agent.get(`/compte/commandes/${o.reference}`);
    expect(mine.text).toContain('Transporteur');
    expect(mine.text).toContain('6A12345678901');
    const exported = await exportMemberData(t.deps, m.member.id);
    expect(JSON.stringify(exported)).toContain('Transporteur');
    expect((await s.post(`/gestion/commandes/${o.reference}/livraison`).type('form').send({ _csrf: token })).status).toBe(303);
    // After delivery: erasure scrubs the order's personal details, keeps lines, amounts and the member id.
    expect(await eraseMember(t.deps, m.member.id, { reason: 'self' })).toBe(true);
    const after = await t.deps.db.order.findUniqueOrThrow({ where: { id: o.id }, include: { lines: true, disclosures: true } });
    expect(after).toMatchObject({ recipientName: null, addressLine1: null, phone: null, email: null, city: null, trackingNumber: null, memberId: m.member.id, totalCents: o.totalCents });
    expect(after.lines).toHaveLength(1);
    expect(after.disclosures).toHaveLength(1);
  });

  it('prefills the profile’s phone in pairs; the order keeps the digits', async () => {
    const p = await createProduct(t.deps, { stock: 3 });
    const m = await memberWithCart(p.id, 1, 0);
    await t.deps.db.member.update({ where: { id: m.member.id }, data: { phone: '0612345678' } });
    const form = await checkoutForm(m.agent);
    expect(form.page.text).toContain('value="06 12 34 56 78"');
    const placed = await m.agent.post('/commande').type('form').send({ ...ADDRESS, phone: '06 12 34 56 78', _csrf: form._csrf, nonce: form.nonce });
    expect(placed.status, placed.text.slice(0, 300)).toBe(303);
    expect((await t.deps.db.order.findFirstOrThrow({ where: { memberId: m.member.id } })).phone).toBe('0612345678');
  });

  it('an order shipped without the carrier’s file still records the hand-over to that carrier, once', async () => {
    const p = await createProduct(t.deps, { stock: 3 });
    const m = await memberWithCart(p.id, 1, 0);
    const o = await placeOrderAs(m.agent);
    const s = await loginAgent(t.app, staff.email, staff.password);
    const token = csrfOf((await s.get(`/gestion/commandes/${o.reference}`)).text);
    expect((await s.post(`/gestion/commandes/${o.reference}/paiement`).type('form').send({ _csrf: token })).status).toBe(303);
    expect((await s.post(`/gestion/commandes/${o.reference}/expedition`).type('form').send({ _csrf: token, carrier: 'Mondial Relay', trackingNumber: 'MR123456' })).status).toBe(303);
    const disclosures = await t.deps.db.orderDisclosure.findMany({ where: { orderId: o.id } });
    expect(disclosures.map((d) => [d.recipient, d.purpose, d.at.getTime()])).toEqual([['Transporteur (Mondial Relay)', 'Livraison de la commande', t.clock.now().getTime()]]);
    const exported = (await exportMemberData(t.deps, m.member.id)) as { transmissions_a_des_tiers: { destinataire: string }[] };
    expect(exported.transmissions_a_des_tiers.map((d) => d.destinataire)).toContain('Transporteur (Mondial Relay)');
  });

  it('an order paid partly with credit, then cancelled: stock, credit restored, credit note issued, member told', async () => {
    const p = await createProduct(t.deps, { priceCents: 1500, stock: 4 });
    const m = await memberWithCart(p.id, 3, 2000);
    const o = await placeOrderAs(m.agent);
    expect(o.creditUsedCents).toBe(2000);
    expect((await t.deps.db.product.findUniqueOrThrow({ where: { id: p.id } })).stock).toBe(1);
    const s = await loginAgent(t.app, staff.email, staff.password);
    const token = csrfOf((await s.get(`/gestion/commandes/${o.reference}`)).text);
    const noReason = await s.post(`/gestion/commandes/${o.reference}/annulation`).type('form').send({ _csrf: token, reason: '' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Motif');
    expect((await s.post(`/gestion/commandes/${o.reference}/annulation`).type('form').send({ _csrf: token, reason: 'Demande du membre' })).status).toBe(303);
    const after = await t.deps.db.order.findUniqueOrThrow({ where: { id: o.id } });
    expect(after.status).toBe('CANCELLED');
    expect(after.creditNoteNumber).toBeGreaterThan(0);
    expect((await t.deps.db.product.findUniqueOrThrow({ where: { id: p.id } })).stock).toBe(4);
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(2000);
    expect(await ledgerSum(t.deps.db, m.member.id)).toBe(2000);
    expect((await lastMailTo(t, m.email, `Commande ${o.reference} : annulée`))!.text).toContain('Demande du membre');
    // The member's export gives the reason (the audit journal keeps none: decision 0077).
    const exported = (await exportMemberData(t.deps, m.member.id)) as { commandes: { reference: string; motif_annulation: string | null }[] };
    expect(exported.commandes.find((c) => c.reference === o.reference)!.motif_annulation).toBe('Demande du membre');
    // Journal: the sale and its credit note cancel out account by account (no money was received).
    const entries = await t.deps.db.journalEntry.findMany({ where: { idempotencyKey: { contains: o.id } }, include: { lines: true } });
    expect(entries.map((e) => e.idempotencyKey.split(':')[0]).sort()).toEqual(['order-credit-note', 'order-invoiced']);
    const net = new Map<string, number>();
    for (const l of entries.flatMap((e) => e.lines)) net.set(`${l.accountKey}/${l.vatRateBp ?? ''}/${l.memberNumber ?? ''}`, (net.get(`${l.accountKey}/${l.vatRateBp ?? ''}/${l.memberNumber ?? ''}`) ?? 0) + l.debitCents - l.creditCents);
    expect([...net.values()].every((v) => v === 0)).toBe(true);
    expect(entries.find((e) => e.idempotencyKey.startsWith('order-invoiced'))!.lines.some((l) => l.accountKey === 'REMISES' && l.debitCents > 0)).toBe(true);
    expect((await s.post(`/gestion/commandes/${o.reference}/annulation`).type('form').send({ _csrf: token, reason: 'Encore' })).status).toBe(409);
  });

  it('an unpaid bank-transfer order is reminded 3 days before, then cancelled after 14 days by the daily job', async () => {
    const p = await createProduct(t.deps, { stock: 3 });
    const m = await memberWithCart(p.id, 1, 100);
    const o = await placeOrderAs(m.agent);
    const start = t.clock.now();
    try {
      t.clock.set(daysFromNow(t, 11));
      await t.deps.registry.jobs['orders.auto-cancel'].execute(t.deps, {});
      expect((await lastMailTo(t, m.email, `Commande ${o.reference} : en attente de votre virement`))!.text).toContain(o.reference);
      expect((await t.deps.db.order.findUniqueOrThrow({ where: { id: o.id } })).status).toBe('AWAITING_PAYMENT');
      t.clock.set(new Date(start.getTime() + 14 * 24 * 3600_000 + 60_000));
      await t.deps.registry.jobs['orders.auto-cancel'].execute(t.deps, {});
      const after = await t.deps.db.order.findUniqueOrThrow({ where: { id: o.id } });
      expect(after.status).toBe('CANCELLED');
      expect(after.creditNoteNumber).not.toBeNull();
      expect((await t.deps.db.product.findUniqueOrThrow({ where: { id: p.id } })).stock).toBe(3);
      expect(await balanceOf(t.deps.db, m.member.id)).toBe(100);
    } finally {
      t.clock.set(start);
    }
  });
});

describe('demo seed', () => {
  it('gives the demo member orders in several states, with a hand-over', async () => {
    const { seedDemoOrders } = await import('../src/orders/seed.ts');
    for (let i = 0; i < 4; i++) await createProduct(t.deps, { stock: 20 });
    const m = await createMember(t.deps);
    await giveCredit(t.deps, m.member.id, 1000);
    expect(await seedDemoOrders(t.deps, m.member, staff.member.id)).toBe(4);
    const orders = await t.deps.db.order.findMany({ where: { memberId: m.member.id }, include: { disclosures: true } });
    expect(orders.map((o) => o.status).sort()).toEqual(['AWAITING_PAYMENT', 'CANCELLED', 'DELIVERED', 'SHIPPED']);
    expect(orders.filter((o) => o.disclosures.length)).toHaveLength(2);
  });
});
