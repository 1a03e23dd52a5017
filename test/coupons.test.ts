import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, daysFromNow, loginAgent, postForm, TEST_ENV } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createBatchWithCodes, createMember } from '../src/dev/factories.ts';
import { createBatch } from '../src/coupons/service.ts';
import { balanceOf, ledgerSum } from '../src/credit/ledger.ts';
import { hashCode, parseCode } from '../src/coupons/codes.ts';
import { parisDay } from '../src/core/dates.ts';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createMember>>;
beforeAll(async () => {
  t = await createTestApp();
  staff = await createMember(t.deps, {}, { role: 'STAFF' });
});
afterAll(() => t.close());

const redeem = (agent: ReturnType<typeof request.agent>, code: string) => postForm(agent, '/compte/coupons', '/compte/coupons', { code });

function wrongCheck(code: string): string {
  const plain = code.replace(/-/g, '');
  for (const c of '0123456789ABCDEFGHJKMNPQRSTVWXYZ') {
    const typo = plain.slice(0, 12) + c;
    if (parseCode(typo).ok === false) return typo;
  }
  throw new Error('unreachable');
}

describe('staff: coupon batches', () => {
  it('creates a batch, offers the codes once as CSV, then never again', async () => {
    const agent = await loginAgent(t.app, staff.email, staff.password);
    const bad = await postForm(agent, '/gestion/coupons', '/gestion/coupons', { label: 'Lot test', value: '0', quantity: '200000', validFrom: '2026-11-01', validUntil: '2026-10-01' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Valeur : un montant en euros');
    expect(bad.text).toContain('Quantité : 100 000 au maximum.');
    expect(bad.text).toContain('value="Lot test"');
    // A batch whose codes could no longer be used is refused, with the dates kept.
    const [longAgo, lastMonth] = [parisDay(daysFromNow(t, -60)), parisDay(daysFromNow(t, -30))];
    const past = await postForm(agent, '/gestion/coupons', '/gestion/coupons', { label: 'Dates passées', value: '5', quantity: '10', validFrom: longAgo, validUntil: lastMonth });
    expect(past.status).toBe(422);
    expect(past.text).toContain('Fin de validité : cette date est passée');
    expect(past.text).toContain(`value="${lastMonth}"`);
    const validFrom = parisDay(daysFromNow(t, -1));
    const validUntil = parisDay(daysFromNow(t, 60));
    const res = await postForm(agent, '/gestion/coupons', '/gestion/coupons', { label: 'Salon de l’enfance', value: '7,50', quantity: '25', validFrom, validUntil, perMemberLimit: '' });
    expect(res.status).toBe(303);
    const page = await agent.get(res.headers.location);
    expect(page.text).toContain('ne peuvent être téléchargés qu’une seule fois');
    const batchId = res.headers.location.split('/').pop()!;
    const csv = await postForm(agent, res.headers.location, `/gestion/coupons/${batchId}/codes`, {});
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe('code');
    expect(lines).toHaveLength(26);
    for (const code of lines.slice(1)) expect(parseCode(code).ok).toBe(true);
    expect(new Set(lines).size).toBe(26);
    // Only HMACs are stored: no plain code anywhere in the coupon table.
    const rows = await t.deps.db.coupon.findMany({ where: { batchId } });
    expect(rows).toHaveLength(25);
    const plain = lines.slice(1).map((c) => c.replace(/-/g, ''));
    const hashes = new Set(rows.map((r) => r.codeHash));
    for (const code of plain) expect(hashes.has(hashCode(TEST_ENV.CODE_HMAC_SECRET, code))).toBe(true);
    const dump = JSON.stringify(await t.deps.db.$queryRawUnsafe('SELECT * FROM "Coupon"'));
    for (const code of plain.slice(0, 5)) expect(dump).not.toContain(code);
    const again = await agent.post(`/gestion/coupons/${batchId}/codes`).type('form').send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(page.text)![1] });
    expect(again.status).toBe(409);
    expect(again.text).toContain('ont déjà été téléchargés');
  });

  it('generates 100,000 codes in one download', async () => {
    const batch = await createBatch(t.deps, staff.member.id, { label: 'Grand tirage', valueCents: 100, quantity: 100_000, validFrom: daysFromNow(t, -30), validUntil: daysFromNow(t, 300), perMemberLimit: null });
    const { issueCodes } = await import('../src/coupons/service.ts');
    const codes = await issueCodes(t.deps, staff.member.id, batch.id);
    expect(new Set(codes).size).toBe(100_000);
    expect(await t.deps.db.coupon.count({ where: { batchId: batch.id } })).toBe(100_000);
  });

  it('shows statistics and voids a batch with a reason (audited)', async () => {
    const { batch, codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 3 });
    const member = await createMember(t.deps);
    const m = await loginAgent(t.app, member.email, member.password);
    expect((await redeem(m, codes[0])).status).toBe(303);
    const agent = await loginAgent(t.app, staff.email, staff.password);
    const stats = await agent.get(`/gestion/coupons/${batch.id}`);
    expect(stats.text).toMatch(/Utilisés<\/h2><p class="balance">1</);
    expect(stats.text).toContain('5,00');
    const noReason = await postForm(agent, `/gestion/coupons/${batch.id}`, `/gestion/coupons/${batch.id}/annuler`, { reason: '' });
    expect(noReason.status).toBe(422);
    const ok = await postForm(agent, `/gestion/coupons/${batch.id}`, `/gestion/coupons/${batch.id}/annuler`, { reason: 'Codes imprimés en double' });
    expect(ok.status).toBe(303);
    const r = await redeem(m, codes[1]);
    expect(r.status).toBe(422);
    expect(r.text).toContain('Ce code a été annulé par le club');
    expect(await t.deps.db.auditEvent.count({ where: { action: 'coupon-batch.voided', actorMemberId: staff.member.id } })).toBe(1);
  });

  it('adjusts a member’s credit with a mandatory reason, never below zero, audited', async () => {
    const member = await createMember(t.deps);
    const agent = await loginAgent(t.app, staff.email, staff.password);
    const num = `M${String(member.member.number).padStart(6, '0')}`;
    const adjust = async (body: Record<string, string>) => {
      const page = await agent.get('/gestion/credit');
      const nonce = /name="nonce" value="([^"]+)"/.exec(page.text)![1];
      return postForm(agent, '/gestion/credit', '/gestion/credit', { ...body, nonce });
    };
    const noReason = await adjust({ memberNumber: num, amount: '10', reason: '' });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain('Motif obligatoire');
    const ok = await adjust({ memberNumber: num, amount: '10,00', reason: 'Geste commercial colis abîmé' });
    expect(ok.status).toBe(303);
    expect(await balanceOf(t.deps.db, member.member.id)).toBe(1000);
    const tooMuch = await adjust({ memberNumber: num, amount: '-15', reason: 'Correction de saisie' });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.text).toContain('rendrait le solde négatif');
    expect(await balanceOf(t.deps.db, member.member.id)).toBe(1000);
    expect(await t.deps.db.auditEvent.count({ where: { action: 'credit.adjusted', subjectMemberId: member.member.id } })).toBe(1);
  });

  it('a member cannot reach the staff pages', async () => {
    const member = await createMember(t.deps);
    const agent = await loginAgent(t.app, member.email, member.password);
    expect((await agent.get('/gestion/coupons')).status).toBe(403);
  });
});

describe('members: redeeming a code', () => {
  it('credits the account once and shows it in the history', async () => {
    const { codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 2, label: 'Magazine de Noël' });
    const { email, password, member } = await createMember(t.deps);
    const agent = await loginAgent(t.app, email, password);
    const typed = codes[0].toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    const res = await redeem(agent, typed);
    expect(res.status).toBe(303);
    const page = await agent.get('/compte/coupons');
    expect(page.text.replace(/[\u202f\u00a0]/g, ' ')).toContain('Code accepté : 5,00 € crédités (Magazine de Noël)');
    expect(page.text).toContain('Magazine de Noël');
    expect(await balanceOf(t.deps.db, member.id)).toBe(500);
    // The balance the pages show (read with the session) is the new one.
    const shown = (html: string) => /class="balance">([^<]*)</.exec(html.replace(/[\u202f\u00a0]/g, ' '))?.[1];
    expect(shown(page.text)).toBe('5,00 €');
    expect(shown((await agent.get('/compte')).text)).toBe('5,00 €');
    const twice = await redeem(agent, codes[0]);
    expect(twice.status).toBe(422);
    expect(twice.text).toContain('Vous avez déjà utilisé ce code');
    expect(await balanceOf(t.deps.db, member.id)).toBe(500);
  });

  it('every failure has its French message, and the typed code is kept', async () => {
    const { email, password } = await createMember(t.deps);
    const agent = await loginAgent(t.app, email, password);
    const { codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 4 });
    const other = await createMember(t.deps);
    expect((await redeem(await loginAgent(t.app, other.email, other.password), codes[0])).status).toBe(303);

    const cases: [string, string][] = [
      [wrongCheck(codes[1]), 'faute de frappe'],
      ['ABCD-1234', 'n’a pas le bon format'],
      ['0000-0000-0000-0', 'n’existe pas'],
      [codes[0], 'Ce code a déjà été utilisé.'],
    ];
    for (const [code, message] of cases) {
      const r = await redeem(agent, code);
      expect(r.status, code).toBe(422);
      expect(r.text).toContain(message);
      expect(r.text).toContain(`value="${code}"`);
    }
    const expired = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 1, validFrom: daysFromNow(t, -400), validUntil: daysFromNow(t, -35) });
    expect((await redeem(agent, expired.codes[0])).text).toContain('Ce code a expiré');
    const future = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 1, validFrom: daysFromNow(t, 35), validUntil: daysFromNow(t, 400) });
    expect((await redeem(agent, future.codes[0])).text).toContain('n’est pas encore utilisable');
    const limited = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 3, perMemberLimit: 2 });
    expect((await redeem(agent, limited.codes[0])).status).toBe(303);
    expect((await redeem(agent, limited.codes[1])).status).toBe(303);
    expect((await redeem(agent, limited.codes[2])).text).toContain('nombre maximum de codes de cette opération');
    const empty = await redeem(agent, '');
    expect(empty.text).toContain('Saisissez le code imprimé sur votre coupon.');
  });

  it('an unconfirmed member is asked to confirm first', async () => {
    const { codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 1 });
    const { email, password } = await createMember(t.deps, {}, { confirmed: false });
    const agent = await loginAgent(t.app, email, password);
    const r = await redeem(agent, codes[0]);
    expect(r.status).toBe(422);
    expect(r.text).toContain('Confirmez d’abord votre adresse électronique');
  });

  it('rate-limits failed attempts per member (10 per hour)', async () => {
    const { email, password } = await createMember(t.deps);
    const agent = await loginAgent(t.app, email, password);
    const { generateCode } = await import('../src/coupons/codes.ts');
    for (let i = 0; i < 10; i++) expect((await redeem(agent, generateCode())).text).toContain('n’existe pas');
    const blocked = await redeem(agent, generateCode());
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Trop de codes erronés');
  });

  it('typos are caught by the check character and do not count as attempts', async () => {
    const { email, password } = await createMember(t.deps);
    const agent = await loginAgent(t.app, email, password);
    const { codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 1 });
    for (let i = 0; i < 15; i++) expect((await redeem(agent, wrongCheck(codes[0]))).text).toContain('faute de frappe');
    expect((await redeem(agent, codes[0])).status).toBe(303);
  });

  it('the history is paginated, newest first, by keyset; the balance is the sum of the lines', async () => {
    const { email, password, member } = await createMember(t.deps);
    // Lines of two other members between this member's, one whose id sorts before this member's and
    // one after (the pages read the (memberId, id) index by range): none may show on its pages.
    const others: Awaited<ReturnType<typeof createMember>>[] = [];
    const sorted = (below: boolean) => others.find((o) => (below ? o.member.id < member.id : o.member.id > member.id));
    while (!sorted(true) || !sorted(false)) others.push(await createMember(t.deps));
    const { codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 57 });
    const { redeemCoupon } = await import('../src/coupons/service.ts');
    for (const [i, c] of codes.entries()) await redeemCoupon(t.deps, i % 5 === 0 ? sorted(i % 10 === 0)!.member : member, c, '10.0.0.1');
    const agent = await loginAgent(t.app, email, password);
    const older = (html: string) => /href="\/compte\/coupons\?avant=(\d+)">Plus anciens/.exec(html)?.[1];
    const newer = (html: string) => /href="\/compte\/coupons(\?avant=\d+)?">← Plus récents/.exec(html)?.[0];
    const rows = (html: string) => (html.match(/amount-pos/g) ?? []).length;
    const p1 = await agent.get('/compte/coupons');
    expect(rows(p1.text)).toBe(20);
    expect(newer(p1.text)).toBeUndefined();
    expect(p1.text).toContain('225,00');
    const p2 = await agent.get(`/compte/coupons?avant=${older(p1.text)}`);
    expect(rows(p2.text)).toBe(20);
    expect(newer(p2.text)).toBe('href="/compte/coupons">← Plus récents');
    const p3 = await agent.get(`/compte/coupons?avant=${older(p2.text)}`);
    expect(rows(p3.text)).toBe(5);
    expect(older(p3.text)).toBeUndefined();
    // "Plus récents" from the last page leads to exactly the second page.
    const back = await agent.get(newer(p3.text)!.slice(6, -'">← Plus récents'.length));
    expect(back.text.match(/<tbody>[\s\S]*<\/tbody>/)![0]).toBe(p2.text.match(/<tbody>[\s\S]*<\/tbody>/)![0]);
    // A malformed cursor shows the first page.
    expect(rows((await agent.get('/compte/coupons?avant=abc')).text)).toBe(20);
    expect(await balanceOf(t.deps.db, member.id)).toBe(await ledgerSum(t.deps.db, member.id));
    expect(await balanceOf(t.deps.db, member.id)).toBe(22_500);
  });
});
