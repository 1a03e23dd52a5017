// Privacy by construction: the classification covers the whole database, erasure leaves no
// personal data anywhere (tables, logs, kept e-mails), and the retention job applies the periods.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { csrfOf, loginAgent, postForm } from './helpers/app.ts';
import { createMailchimpTestApp } from './helpers/mailchimp.ts';
import type { MailchimpTestApp } from './helpers/mailchimp.ts';
import { lastMailTo, linkIn } from './helpers/mail.ts';
import { tableRules } from '../src/core/module.ts';
import { eraseMember } from '../src/privacy/eraser.ts';
import { subscriberHash } from '../src/newsletter/mailchimp.ts';
import { runRetention } from '../src/privacy/retention.ts';
import { createBatchWithCodes, createMember } from '../src/dev/factories.ts';
import { balanceOf } from '../src/credit/ledger.ts';
import { adjustCredit } from '../src/credit/service.ts';
import { ADDRESS, addToCart, checkoutForm, createProduct } from './helpers/shop.ts';
import { enterAndWinContests } from './helpers/contests.ts';

// With the local fake Mailchimp: the erasure test scans its store too.
let t: MailchimpTestApp;
beforeAll(async () => {
  t = await createMailchimpTestApp();
});
afterAll(() => t.close());

async function columns() {
  return t.deps.db.$queryRaw<{ table_name: string; column_name: string; data_type: string }[]>`
    SELECT table_name, column_name, data_type FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY table_name, ordinal_position`;
}

describe('data classification', () => {
  it('classifies every column of every table, and nothing that does not exist', async () => {
    const cols = await columns();
    const inDb = cols.map((c) => `${c.table_name}.${c.column_name}`).sort();
    const inMap = tableRules(t.deps.registry.classification).flatMap(([tbl, rule]) => Object.keys(rule.fields).map((f) => `${tbl}.${f}`)).sort();
    expect(inMap).toEqual(inDb);
  });
});

describe('erasure', () => {
  it('leaves no marker of the member in any column of any table, in the logs, or in the kept e-mails', async () => {
    const mk = `QZX${Date.now().toString(36).toUpperCase()}`;
    const email = `${mk.toLowerCase()}@exemple.fr`;
    const password = `phrase de passe ${mk}`;
    const markers = [mk, mk.toLowerCase(), email];
    // Register through the site with markers in every personal field.
    const agent = request.agent(t.app);
    const reg = await postForm(agent, '/inscription', '/inscription', {
      firstName: `Prenom${mk}`, lastName: `Nom${mk}`, addressLine1: `1 rue ${mk}`, addressLine2: `Bat ${mk}`,
      postcode: '75011', city: `Ville${mk}`, country: 'FR', phone: '0699887766', email, password, newsletter: 'on', acceptTerms: 'on',
    });
    expect(reg.status).toBe(303);
    markers.push('0699887766');
    const confirm = linkIn((await lastMailTo(t, email))?.text);
    const token = confirm.split('jeton=')[1];
    markers.push(token);
    const page = await agent.get(confirm);
    await agent.post('/inscription/confirmer').type('form').send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1], jeton: token });
    const member = await t.deps.db.member.findUniqueOrThrow({ where: { email } });

    // Use every feature that exists: login, failed login, coupons, adjustments, e-mail change, reset, export.
    await postForm(request.agent(t.app), '/connexion', '/connexion', { email, password: 'mauvais mot de passe' });
    const me = await loginAgent(t.app, email, password);
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const { codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 3, label: 'Lot effacement' });
    expect((await postForm(me, '/compte/coupons', '/compte/coupons', { code: codes[0] })).status).toBe(303);
    await postForm(me, '/compte/coupons', '/compte/coupons', { code: '0000-0000-0000-0' });
    await adjustCredit(t.deps, staff.member.id, { memberNumber: member.number, amountCents: 250, reason: `Geste pour ${mk}`, nonce: crypto.randomUUID() });
    await postForm(me, '/compte', '/compte/email', { email: `new${mk.toLowerCase()}@exemple.fr`, currentPassword: password });
    markers.push(`new${mk.toLowerCase()}@exemple.fr`);
    await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email });
    const contests = await enterAndWinContests(t.deps, staff.member.id, await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } }), mk);
    await t.worker.drain();
    expect((await me.get('/compte/donnees')).text).toContain(email);
    // The newsletter reached Mailchimp, under the new address once confirmed.
    expect(JSON.stringify([...t.fake.members.values()])).toContain(email);
    const staffAgent = await loginAgent(t.app, staff.email, staff.password);
    const mails = await t.deps.db.mailMessage.findMany({ where: { memberId: member.id } });
    expect(mails.length).toBeGreaterThanOrEqual(3);
    expect((await staffAgent.get(`/gestion/courriels/${mails[0].id}`)).status).toBe(200);
    expect(await balanceOf(t.deps.db, member.id)).toBe(750);
    // An order (credit + transfer) with markers in its delivery details, paid, handed to the carrier, shipped, delivered.
    const product = await createProduct(t.deps, { priceCents: 2500 });
    expect((await addToCart(me, product.id, 1)).status).toBe(303);
    const checkout = await checkoutForm(me);
    const placed = await me.post('/commande').type('form').send({
      ...ADDRESS, firstName: `Prenom${mk}`, lastName: `Nom${mk}`, addressLine1: `2 rue ${mk}`, city: `Ville${mk}`, phone: '0699887766', notes: `Sonner chez ${mk}`,
      _csrf: checkout._csrf, nonce: checkout.nonce,
    });
    expect(placed.status).toBe(303);
    const order = await t.deps.db.order.findFirstOrThrow({ where: { memberId: member.id } });
    const sa = await loginAgent(t.app, staff.email, staff.password);
    const st = csrfOf((await sa.get(`/gestion/commandes/${order.reference}`)).text);
    expect((await sa.post(`/gestion/commandes/${order.reference}/paiement`).type('form').send({ _csrf: st })).status).toBe(303);
    expect((await sa.post('/gestion/expeditions').type('form').send({ _csrf: st, destinataire: 'carrier', commandes: order.reference })).text).toContain(mk);
    expect((await sa.post(`/gestion/commandes/${order.reference}/expedition`).type('form').send({ _csrf: st, carrier: 'Colissimo', trackingNumber: `TR${mk}` })).status).toBe(303);
    expect((await sa.post(`/gestion/commandes/${order.reference}/livraison`).type('form').send({ _csrf: st })).status).toBe(303);
    markers.push(`TR${mk}`);

    // Delete the account through the site.
    const del = await postForm(me, '/compte/suppression', '/compte/suppression', { currentPassword: password, confirmForfeit: 'on' });
    expect(del.status).toBe(303);
    expect(del.headers.location).toBe('/compte-supprime');
    expect((await me.get('/compte-supprime')).text).toContain('Votre compte est supprimé');
    await t.worker.drain();

    // Scan every text-like column of every table, for the markers and for the subscriber hashes
    // (MD5) of both addresses: the forget job has run, nothing keeps them.
    const hashes = [email, `new${mk.toLowerCase()}@exemple.fr`].map(subscriberHash);
    const cols = (await columns()).filter((c) => /text|char|json|uuid|ARRAY/.test(c.data_type));
    const hits: string[] = [];
    for (const c of cols) {
      for (const m of [...markers, ...hashes]) {
        const rows = await t.deps.db.$queryRawUnsafe<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM "${c.table_name}" WHERE position(lower($1) in lower("${c.column_name}"::text)) > 0`,
          m,
        );
        if (rows[0].n > 0) hits.push(`${c.table_name}.${c.column_name} contains ${m}`);
      }
    }
    expect(hits).toEqual([]);
    // Mailchimp (the fake's whole store, and its log of calls): the contact was deleted permanently.
    const fakeStore = t.fake.dump().toLowerCase();
    expect(markers.filter((m) => fakeStore.includes(m.toLowerCase()))).toEqual([]);
    expect(t.fake.calls.some((c) => c.path.endsWith('/actions/delete-permanent') && c.status === 204)).toBe(true);
    expect(t.logs.filter((l) => [...markers, ...hashes].some((m) => l.toLowerCase().includes(m.toLowerCase())))).toEqual([]);
    // The development mailbox's files (no SMTP here) went with the site's copies.
    const dir = t.deps.mailer.dir!;
    const files = (await readdir(dir)).filter((f) => f.endsWith('.eml'));
    const fileTexts = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')));
    expect(files.filter((f, i) => markers.some((m) => fileTexts[i].toLowerCase().includes(m.toLowerCase())))).toEqual([]);

    // What is kept: the pseudonymous row and the accounting amounts, linked to it.
    const kept = await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect(kept.erasedAt).not.toBeNull();
    expect(kept.number).toBe(member.number);
    expect([kept.email, kept.firstName, kept.passwordHash, kept.phone]).toEqual([null, null, null, null]);
    const lines = await t.deps.db.creditLine.findMany({ where: { memberId: member.id }, orderBy: { id: 'asc' } });
    expect(lines.map((l) => [l.kind, l.amountCents])).toEqual([['COUPON', 500], ['ADJUSTMENT', 250], ['ORDER', -750]]);
    // The order keeps its lines, amounts and member id; its delivery details are gone; the hand-over record stays.
    const keptOrder = await t.deps.db.order.findFirstOrThrow({ where: { memberId: member.id }, include: { lines: true, disclosures: true } });
    expect(keptOrder).toMatchObject({ totalCents: 3190, creditUsedCents: 750, recipientName: null, addressLine1: null, notes: null, email: null, phone: null });
    expect(keptOrder.lines).toHaveLength(1);
    expect(keptOrder.disclosures.map((d) => d.recipient)).toEqual(['Transporteur']);
    expect(lines.every((l) => l.couponId === null && l.reason === null)).toBe(true);
    // The coupon stays spent, but nothing says who used it.
    const used = await t.deps.db.coupon.findMany({ where: { redeemedAt: { not: null }, batch: { label: 'Lot effacement' } } });
    expect(used).toHaveLength(1);
    expect(used[0].redeemedById).toBeNull();
    const again = await t.deps.db.coupon.findFirstOrThrow({ where: { id: used[0].id } });
    expect(again.redeemedAt).not.toBeNull();
    // Contests: the open contest's entry is gone; the drawn one keeps only its public id.
    expect(await t.deps.db.contestEntry.count({ where: { contestId: contests.openId } })).toBe(0);
    const wonEntries = await t.deps.db.contestEntry.findMany({ where: { contestId: contests.wonId } });
    expect(wonEntries.map((e) => [e.memberId, e.answer])).toEqual([[null, null]]);
    const rank = await t.deps.db.contestRank.findUniqueOrThrow({ where: { id: contests.rankId } });
    expect([rank.shipName, rank.shipLine1, rank.shipCity, rank.replacedReason]).toEqual([null, null, null, null]);
    // Sessions gone, cannot log in, erasure audited by id only.
    expect(await t.deps.db.session.count({ where: { memberId: member.id } })).toBe(0);
    expect((await me.get('/compte')).status).toBe(303);
    const relog = await postForm(request.agent(t.app), '/connexion', '/connexion', { email, password });
    expect(relog.status).toBe(422);
    expect(await t.deps.db.auditEvent.count({ where: { action: 'member.erased', subjectMemberId: member.id } })).toBe(1);
  }, 180_000);

  it('takes with it a reset request still waiting in the queue (it holds the address, not the id)', async () => {
    const m = await createMember(t.deps);
    await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email: m.email.toUpperCase() });
    const waiting = () => t.deps.db.job.count({ where: { kind: 'password-reset', status: 'PENDING', payload: { path: ['email'], string_contains: m.email.split('@')[0] } } });
    expect(await waiting()).toBe(1);
    expect(await eraseMember(t.deps, m.member.id, { reason: 'self' })).toBe(true);
    expect(await waiting()).toBe(0);
  });

  it('is idempotent: erasing twice is harmless', async () => {
    const { member } = await createMember(t.deps);
    expect(await eraseMember(t.deps, member.id, { reason: 'admin-request' })).toBe(true);
    expect(await eraseMember(t.deps, member.id, { reason: 'admin-request' })).toBe(false);
    expect(await t.deps.db.auditEvent.count({ where: { action: 'member.erased', subjectMemberId: member.id } })).toBe(1);
  });

  it('asks for the password, and for an explicit renunciation of remaining credit', async () => {
    const { member, email, password } = await createMember(t.deps);
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    await adjustCredit(t.deps, staff.member.id, { memberNumber: member.number, amountCents: 1200, reason: 'Dotation', nonce: crypto.randomUUID() });
    const agent = await loginAgent(t.app, email, password);
    const page = await agent.get('/compte/suppression');
    expect(page.text).toContain('Ce qui est conservé');
    expect(page.text.replace(/[\u202f\u00a0]/g, ' ')).toContain('Il vous reste <strong>12,00 €</strong> de crédit');
    const wrong = await postForm(agent, '/compte/suppression', '/compte/suppression', { currentPassword: 'pas le bon', confirmForfeit: 'on' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Mot de passe actuel incorrect.');
    const noForfeit = await postForm(agent, '/compte/suppression', '/compte/suppression', { currentPassword: password });
    expect(noForfeit.status).toBe(422);
    expect(noForfeit.text).toContain('renoncez à votre crédit restant');
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).erasedAt).toBeNull();
  });
});

describe('retention', () => {
  it('erases unconfirmed accounts after 7 days, warns at 35 months of inactivity, erases a month after the warning, purges sessions', async () => {
    const base = t.clock.now();
    const fresh = await createMember(t.deps, {}, { confirmed: false });
    t.clock.advance(8 * 24 * 3600_000);
    const recent = await createMember(t.deps, {}, { confirmed: false });
    const active = await createMember(t.deps);
    const idle = await createMember(t.deps);
    const ancient = await createMember(t.deps);
    const now = t.clock.now();
    const monthsAgo = (n: number) => { const d = new Date(now); d.setUTCMonth(d.getUTCMonth() - n); return d; };
    await t.deps.db.member.update({ where: { id: idle.member.id }, data: { lastActiveAt: new Date(monthsAgo(35).getTime() - 24 * 3600_000) } });
    await t.deps.db.member.update({ where: { id: ancient.member.id }, data: { lastActiveAt: monthsAgo(40) } });
    await t.deps.db.session.create({ data: { sid: 'expired-one', data: '{}', expiresAt: new Date(now.getTime() - 1000) } });
    const report = await runRetention(t.deps);
    expect(report.unconfirmedErased).toBeGreaterThanOrEqual(1);
    const erased = async (id: string) => (await t.deps.db.member.findUniqueOrThrow({ where: { id } })).erasedAt !== null;
    expect(await erased(fresh.member.id)).toBe(true);
    expect(await erased(recent.member.id)).toBe(false);
    expect(await erased(active.member.id)).toBe(false);
    expect(await erased(idle.member.id)).toBe(false);
    // Never erased without a warning first, however long inactive.
    expect(await erased(ancient.member.id)).toBe(false);
    expect(await lastMailTo(t, idle.email, 'Votre compte va être supprimé')).not.toBeNull();
    expect(await lastMailTo(t, ancient.email, 'Votre compte va être supprimé')).not.toBeNull();
    expect(await t.deps.db.session.count({ where: { sid: 'expired-one' } })).toBe(0);
    // Warned once only.
    expect((await runRetention(t.deps)).inactiveWarned).toBe(0);
    // Logging in again resets the inactivity clock.
    await loginAgent(t.app, idle.email, idle.password);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: idle.member.id } })).inactivityWarnedAt).toBeNull();
    // A month after the warning (36 − 35), the still-inactive account is erased.
    t.clock.advance(31 * 24 * 3600_000);
    const later = await runRetention(t.deps);
    expect(later.inactiveErased).toBe(1);
    expect(await erased(ancient.member.id)).toBe(true);
    expect(await erased(idle.member.id)).toBe(false);
    t.clock.set(base);
  });

  it('a member whose order is still on its way waits for the next run; the others are erased and the run goes on', async () => {
    const base = t.clock.now();
    const now = t.clock.now();
    const monthsAgo = (n: number) => { const d = new Date(now); d.setUTCMonth(d.getUTCMonth() - n); return d; };
    // Both inactive for 40 months and warned 2 months ago: due for erasure. Before, the refusal
    // stopped the run (the other member, the session purge and the rest waited for ever).
    const [blocked, other] = [await createMember(t.deps), await createMember(t.deps)];
    for (const m of [blocked, other]) {
      await t.deps.db.member.update({ where: { id: m.member.id }, data: { lastActiveAt: monthsAgo(40), inactivityWarnedAt: monthsAgo(2), createdAt: monthsAgo(41) } });
    }
    const tag = blocked.member.id.slice(0, 8);
    const order = await t.deps.db.order.create({
      data: {
        reference: `T${tag}`, memberId: blocked.member.id, status: 'SHIPPED', idempotencyKey: `retention-${tag}`, goodsCents: 1000, shippingCents: 0,
        totalCents: 1000, creditUsedCents: 1000, dueCents: 0, paymentMethod: 'credit', invoiceNumber: 900_000_000 + Number.parseInt(tag.slice(0, 6), 16) % 1_000_000,
        recipientName: 'Destinataire Retenue', createdAt: monthsAgo(40), updatedAt: monthsAgo(40),
      },
    });
    await t.deps.db.session.create({ data: { sid: 'expired-two', data: '{}', expiresAt: new Date(now.getTime() - 1000) } });
    // E-mailed links (of the member kept by this run): a used one and an expired one go, live ones stay.
    const token = (tokenHash: string, expiresAt: Date, usedAt: Date | null = null) =>
      t.deps.db.memberToken.create({ data: { memberId: blocked.member.id, purpose: 'CONFIRM_EMAIL', tokenHash, email: 'nouvelle@exemple.fr', expiresAt, usedAt, createdAt: now } });
    const hour = 3600_000;
    await token(`used-${tag}`, new Date(now.getTime() + hour), now);
    await token(`expired-${tag}`, new Date(now.getTime() - hour));
    await token(`live-${tag}`, new Date(now.getTime() + hour));
    await t.deps.db.memberToken.create({ data: { memberId: blocked.member.id, purpose: 'RESET_PASSWORD', tokenHash: `live2-${tag}`, expiresAt: new Date(now.getTime() + hour), createdAt: now } });
    const report = await runRetention(t.deps);
    expect(await t.deps.db.memberToken.count({ where: { tokenHash: { in: [`used-${tag}`, `expired-${tag}`] } } })).toBe(0);
    expect(await t.deps.db.memberToken.count({ where: { tokenHash: { in: [`live-${tag}`, `live2-${tag}`] } } })).toBe(2);
    const erasedAt = async (id: string) => (await t.deps.db.member.findUniqueOrThrow({ where: { id } })).erasedAt;
    expect(await erasedAt(blocked.member.id)).toBeNull();
    expect(await erasedAt(other.member.id)).not.toBeNull();
    expect(report.erasuresDeferred).toBe(1);
    // The rest of the run happened.
    expect(await t.deps.db.session.count({ where: { sid: 'expired-two' } })).toBe(0);
    // Delivered: the next run erases the member.
    await t.deps.db.order.update({ where: { id: order.id }, data: { status: 'DELIVERED', deliveredAt: now } });
    const next = await runRetention(t.deps);
    expect(next.erasuresDeferred).toBe(0);
    expect(await erasedAt(blocked.member.id)).not.toBeNull();
    t.clock.set(base);
  });
});

describe('development mail files', () => {
  it("the retention run deletes the .eml files older than 30 days, like the site's own copies", async () => {
    const dir = t.deps.mailer.dir!;
    const base = t.clock.now();
    await t.deps.mailer.send({ to: 'ancien@exemple.fr', subject: 'Ancien', text: 'vieux message' });
    t.clock.advance(20 * 24 * 3600_000);
    await t.deps.mailer.send({ to: 'recent@exemple.fr', subject: 'Récent', text: 'message récent' });
    t.clock.advance(11 * 24 * 3600_000);
    const names = async () => (await readdir(dir)).filter((f) => f.endsWith('.eml'));
    const before = await names();
    await runRetention(t.deps);
    const after = await names();
    const texts = await Promise.all(after.map((f) => readFile(path.join(dir, f), 'utf8')));
    expect(texts.some((x) => x.includes('ancien@exemple.fr'))).toBe(false);
    expect(texts.some((x) => x.includes('recent@exemple.fr'))).toBe(true);
    expect(after.length).toBeLessThan(before.length);
    t.clock.set(base);
  });
});
