// After the sale: the printable credit note, the refund of a delivered order with or without the
// goods coming back, and the staff's paged order list (PGlite and PostgreSQL).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { formatCreditNoteNumber, formatInvoiceNumber, formatReference, normalizeReference, STAFF_PAGE_SIZE } from '../src/orders/service.ts';
import { ADDRESS, addToCart, checkoutForm, createProduct, giveCredit } from './helpers/shop.ts';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createMember>>;
let staffAgent: ReturnType<typeof request.agent>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createMember(t.deps, {}, { role: 'STAFF' });
  staffAgent = await loginAgent(t.app, staff.email, staff.password);
});
afterAll(() => t?.close());

async function orderOf(productId: string, quantity: number, credit = 0) {
  const m = await createMember(t.deps);
  if (credit) await giveCredit(t.deps, m.member.id, credit);
  const agent = await loginAgent(t.app, m.email, m.password);
  expect((await addToCart(agent, productId, quantity)).status).toBe(303);
  const form = await checkoutForm(agent);
  const res = await agent.post('/commande').type('form').send({ ...ADDRESS, _csrf: form._csrf, nonce: form.nonce });
  expect(res.status, res.text.slice(0, 300)).toBe(303);
  const reference = /\/compte\/commandes\/(C\d+)/.exec(res.headers.location)![1];
  return { ...m, agent, reference };
}

/** Staff take the order through payment, shipping and delivery. */
async function deliver(reference: string) {
  const token = csrfOf((await staffAgent.get(`/gestion/commandes/${reference}`)).text);
  const order = await t.deps.db.order.findUniqueOrThrow({ where: { reference } });
  if (order.status === 'AWAITING_PAYMENT') expect((await staffAgent.post(`/gestion/commandes/${reference}/paiement`).type('form').send({ _csrf: token })).status).toBe(303);
  expect((await staffAgent.post(`/gestion/commandes/${reference}/expedition`).type('form').send({ _csrf: token, carrier: 'Colissimo', trackingNumber: '6A000111' })).status).toBe(303);
  expect((await staffAgent.post(`/gestion/commandes/${reference}/livraison`).type('form').send({ _csrf: token })).status).toBe(303);
  return token;
}

const stockOf = async (id: string) => (await t.deps.db.product.findUniqueOrThrow({ where: { id } })).stock;

describe('refund after delivery', () => {
  it('without the box ticked the stock stays; the bad form keeps the box; audited', async () => {
    const p = await createProduct(t.deps, { stock: 5, priceCents: 2000 });
    const o = await orderOf(p.id, 2, 1000);
    const token = await deliver(o.reference);
    expect(await stockOf(p.id)).toBe(3);
    const page = await staffAgent.get(`/gestion/commandes/${o.reference}`);
    expect(page.text).toContain('Articles retournés : remettre en stock');
    // Bad input: French message, the box stays ticked.
    const bad = await staffAgent.post(`/gestion/commandes/${o.reference}/remboursement`).type('form').send({ _csrf: token, reason: '', retour: 'on' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Motif : indiquez la raison');
    expect(bad.text).toMatch(/name="retour" checked/);
    const ok = await staffAgent.post(`/gestion/commandes/${o.reference}/remboursement`).type('form').send({ _csrf: token, reason: 'Colis abîmé, gardé par le client' });
    expect(ok.status).toBe(303);
    expect(await stockOf(p.id)).toBe(3);
    const after = await t.deps.db.order.findUniqueOrThrow({ where: { reference: o.reference } });
    expect(after.status).toBe('REFUNDED');
    const event = await t.deps.db.auditEvent.findFirstOrThrow({ where: { action: 'order.refunded', subjectMemberId: o.member.id } });
    expect(event.actorMemberId).toBe(staff.member.id);
    expect(event.details).toMatchObject({ id: o.reference, stock: 'articles non retournés, stock inchangé' });
  });

  it('with "articles retournés" ticked the units go back on sale, once', async () => {
    const p = await createProduct(t.deps, { stock: 4 });
    const o = await orderOf(p.id, 3);
    const token = await deliver(o.reference);
    expect(await stockOf(p.id)).toBe(1);
    const res = await staffAgent.post(`/gestion/commandes/${o.reference}/remboursement`).type('form').send({ _csrf: token, reason: 'Rétractation, colis retourné', retour: 'on' });
    expect(res.status).toBe(303);
    expect(await stockOf(p.id)).toBe(4);
    const event = await t.deps.db.auditEvent.findFirstOrThrow({ where: { action: 'order.refunded', subjectMemberId: o.member.id } });
    expect(event.details).toMatchObject({ stock: 'articles retournés, 3 remis en stock' });
    // A second refund is refused and restocks nothing.
    const again = await staffAgent.post(`/gestion/commandes/${o.reference}/remboursement`).type('form').send({ _csrf: token, reason: 'Encore une fois', retour: 'on' });
    expect(again.status).toBe(409);
    expect(await stockOf(p.id)).toBe(4);
  });
});

describe('printable credit note', () => {
  it('shows number, dates, lines, VAT per rate, totals and the seller; linked from both order pages; never another member’s', async () => {
    const books = await createProduct(t.deps, { priceCents: 1290, vatRateBp: 550, stock: 10, name: 'Imagier des saisons' });
    const o = await orderOf(books.id, 2, 500);
    // No credit note yet: its page is a 404 for the member and the staff.
    expect((await o.agent.get(`/compte/commandes/${o.reference}/avoir`)).status).toBe(404);
    expect((await staffAgent.get(`/gestion/commandes/${o.reference}/avoir`)).status).toBe(404);
    const token = await deliver(o.reference);
    expect((await staffAgent.post(`/gestion/commandes/${o.reference}/remboursement`).type('form').send({ _csrf: token, reason: 'Livre abîmé' })).status).toBe(303);
    const order = await t.deps.db.order.findUniqueOrThrow({ where: { reference: o.reference } });
    const av = formatCreditNoteNumber(order.creditNoteNumber!);

    const mine = await o.agent.get(`/compte/commandes/${o.reference}`);
    expect(mine.text).toContain(`href="/compte/commandes/${o.reference}/avoir"`);
    const note = await o.agent.get(`/compte/commandes/${o.reference}/avoir`);
    expect(note.status).toBe(200);
    for (const text of [`Avoir ${av}`, `Annule la facture ${formatInvoiceNumber(order.invoiceNumber)}`, 'Imagier des saisons', '5,5 %', '25,80', 'Livre abîmé', t.deps.config.seller.siren, t.deps.config.seller.vatNumber]) {
      expect(note.text, text).toContain(text);
    }
    // 2 × 12,90 + 4,90 shipping (if any) − 5,00 credit: the net and the credit given back are stated.
    expect(note.text).toContain('Crédit du club rendu sur le compte du membre');
    expect(note.text).toContain('Somme payée par virement, reversée par virement');
    const invoice = await o.agent.get(`/compte/commandes/${o.reference}/facture`);
    expect(invoice.text).toContain(`href="/compte/commandes/${o.reference}/avoir"`);

    const staffPage = await staffAgent.get(`/gestion/commandes/${o.reference}`);
    expect(staffPage.text).toContain(`href="/gestion/commandes/${o.reference}/avoir"`);
    const staffNote = await staffAgent.get(`/gestion/commandes/${o.reference}/avoir`);
    expect(staffNote.status).toBe(200);
    expect(staffNote.text).toContain(`Avoir ${av}`);

    // IDOR: another member gets the same 404 as for a missing order, and no staff page.
    const other = await createMember(t.deps);
    const otherAgent = await loginAgent(t.app, other.email, other.password);
    const stolen = await otherAgent.get(`/compte/commandes/${o.reference}/avoir`);
    expect(stolen.status).toBe(404);
    expect(stolen.text).not.toContain(av);
    expect((await otherAgent.get(`/gestion/commandes/${o.reference}/avoir`)).status).toBe(403);
    expect((await request(t.app).get(`/compte/commandes/${o.reference}/avoir`)).status).toBe(303);
  });
});

describe('staff order list', () => {
  it('pages by keyset (50 a page, every order once, newest first), keeps the status filter, finds a reference typed in full or as its number', async () => {
    // Orders written directly (the list reads them; numbers far above the counters'); a third awaiting payment.
    const member = await createMember(t.deps);
    const now = t.clock.now();
    const base = 800_000;
    const n = 2 * STAFF_PAGE_SIZE + 7;
    await t.deps.db.order.createMany({
      data: Array.from({ length: n }, (_, i) => ({
        reference: formatReference(base + i), memberId: member.member.id, status: i % 3 === 0 ? ('AWAITING_PAYMENT' as const) : ('PAID' as const),
        idempotencyKey: `liste-${base + i}`, goodsCents: 1000, shippingCents: 0, totalCents: 1000, creditUsedCents: 0, dueCents: 1000,
        paymentMethod: 'BANK_TRANSFER', invoiceNumber: base + i, createdAt: now, updatedAt: now,
      })),
    });
    const refsOf = (html: string) => [...html.matchAll(/href="\/gestion\/commandes\/(C\d+)"/g)].map((m) => m[1]);
    const nextOf = (html: string) => /href="(\/gestion\/commandes\?[^"]*avant=\d+[^"]*)"/.exec(html)?.[1]?.replace(/&amp;/g, '&');

    const walk = async (first: string) => {
      const seen: string[] = [];
      let url: string | undefined = first;
      let pages = 0;
      while (url) {
        const page = await staffAgent.get(url);
        expect(page.status).toBe(200);
        const refs = refsOf(page.text);
        expect(refs.length).toBeLessThanOrEqual(STAFF_PAGE_SIZE);
        seen.push(...refs);
        url = nextOf(page.text);
        pages++;
        expect(pages).toBeLessThan(20);
      }
      return seen;
    };
    const all = await walk('/gestion/commandes');
    const mine = all.filter((r) => Number(r.slice(1)) >= base);
    expect(mine).toHaveLength(n);
    expect(new Set(all).size).toBe(all.length);
    expect(mine).toEqual([...mine].sort().reverse());

    const awaiting = await walk('/gestion/commandes?statut=AWAITING_PAYMENT');
    const expected = Array.from({ length: n }, (_, i) => i).filter((i) => i % 3 === 0).map((i) => formatReference(base + i)).reverse();
    expect(awaiting.filter((r) => Number(r.slice(1)) >= base)).toEqual(expected);
    // 71 paid ones: two pages, the link to the second keeps the filter.
    const paid = await staffAgent.get('/gestion/commandes?statut=PAID');
    expect(nextOf(paid.text)).toContain('statut=PAID');
    const paidAll = await walk('/gestion/commandes?statut=PAID');
    expect(paidAll.filter((r) => Number(r.slice(1)) >= base)).toHaveLength(n - expected.length);

    for (const q of [formatReference(base + 5), String(base + 5), `c${base + 5}`]) {
      const found = await staffAgent.get(`/gestion/commandes?q=${q}`);
      expect(refsOf(found.text), q).toEqual([formatReference(base + 5)]);
    }
    const none = await staffAgent.get('/gestion/commandes?q=ZZZ');
    expect(none.status).toBe(200);
    expect(none.text).toContain('Aucune commande ne porte cette référence');
    // A malformed cursor is ignored (first page), never a 500.
    expect((await staffAgent.get('/gestion/commandes?avant=abc')).status).toBe(200);
    expect(normalizeReference('42')).toBe('C000042');
    expect(normalizeReference('C42X')).toBeNull();
  });
});
