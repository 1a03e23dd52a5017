// Correctness under concurrency: each test races real requests or transactions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createBatchWithCodes, createMember } from '../src/dev/factories.ts';
import { onPostgres } from './helpers/db.ts';
import { balanceOf, InsufficientCreditError, ledgerSum, postCredit } from '../src/credit/ledger.ts';

let t: TestApp;
let staffId: string;
beforeAll(async () => {
  if (!onPostgres) return;
  t = await createTestApp();
  staffId = (await createMember(t.deps, {}, { role: 'STAFF' })).member.id;
});
afterAll(() => t?.close());

async function readyAgent(email: string, password: string) {
  const agent = await loginAgent(t.app, email, password);
  const page = await agent.get('/compte/coupons');
  return { agent, token: csrfOf(page.text) };
}

// PGlite runs one transaction at a time, so none of these races can happen on it: they run on
// PostgreSQL (CI starts a server), where concurrent transactions really interleave.
describe.runIf(onPostgres)('races', () => {
  it('a code redeemed by 50 members at once credits exactly one of them; the others are told it is used; no 500', async () => {
    const { codes } = await createBatchWithCodes(t.deps, staffId, { quantity: 1, valueCents: 1000 });
    const members = await Promise.all(Array.from({ length: 50 }, () => createMember(t.deps)));
    const agents = await Promise.all(members.map((m) => readyAgent(m.email, m.password)));
    const results = await Promise.all(agents.map(({ agent, token }) => agent.post('/compte/coupons').type('form').send({ _csrf: token, code: codes[0] })));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 303)).toHaveLength(1);
    expect(statuses.filter((s) => s === 422)).toHaveLength(49);
    for (const r of results.filter((x) => x.status === 422)) expect(r.text).toContain('Ce code a déjà été utilisé.');
    const lines = await t.deps.db.creditLine.findMany({ where: { kind: 'COUPON', memberId: { in: members.map((m) => m.member.id) } } });
    expect(lines).toHaveLength(1);
    expect(lines[0].amountCents).toBe(1000);
    // The kept balance equals the sum of the ledger for every member of the race, and the batch counter says 1.
    for (const m of members) expect(await balanceOf(t.deps.db, m.member.id)).toBe(await ledgerSum(t.deps.db, m.member.id));
    const batch = await t.deps.db.couponBatch.findFirstOrThrow({ where: { coupons: { some: { id: lines[0].couponId! } } } });
    expect(batch.redeemedCount).toBe(1);
    // The per-day counter of the batch page agrees.
    const days = await t.deps.db.couponRedemptionDay.findMany({ where: { batchId: batch.id } });
    expect(days.reduce((n, d) => n + d.count, 0)).toBe(1);
  });

  it('30 members redeeming 30 codes of one batch at once: 30 credits, and both batch counters say 30', async () => {
    const { batch, codes } = await createBatchWithCodes(t.deps, staffId, { quantity: 30, valueCents: 200 });
    const members = await Promise.all(Array.from({ length: 30 }, () => createMember(t.deps)));
    const agents = await Promise.all(members.map((m) => readyAgent(m.email, m.password)));
    const results = await Promise.all(agents.map(({ agent, token }, i) => agent.post('/compte/coupons').type('form').send({ _csrf: token, code: codes[i] })));
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(303));
    expect((await t.deps.db.couponBatch.findUniqueOrThrow({ where: { id: batch.id } })).redeemedCount).toBe(30);
    const days = await t.deps.db.couponRedemptionDay.findMany({ where: { batchId: batch.id } });
    expect(days.reduce((n, d) => n + d.count, 0)).toBe(30);
    expect(await t.deps.db.coupon.count({ where: { batchId: batch.id, redeemedAt: { not: null } } })).toBe(30);
  });

  it('the same member submitting the form twice at once is credited once', async () => {
    const { codes } = await createBatchWithCodes(t.deps, staffId, { quantity: 1, valueCents: 300 });
    const m = await createMember(t.deps);
    const { agent, token } = await readyAgent(m.email, m.password);
    const [a, b] = await Promise.all([0, 1].map(() => agent.post('/compte/coupons').type('form').send({ _csrf: token, code: codes[0] })));
    expect([a.status, b.status].sort()).toEqual([303, 422]);
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(300);
  });

  it('a member racing two codes of a batch limited to one per member gets one', async () => {
    const { codes } = await createBatchWithCodes(t.deps, staffId, { quantity: 5, valueCents: 200, perMemberLimit: 1 });
    const m = await createMember(t.deps);
    const { agent, token } = await readyAgent(m.email, m.password);
    const results = await Promise.all(codes.map((code) => agent.post('/compte/coupons').type('form').send({ _csrf: token, code })));
    expect(results.filter((r) => r.status === 303)).toHaveLength(1);
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(200);
  });

  it('50 concurrent debits against a balance that covers 10: exactly 10 succeed, balance 0, never negative', async () => {
    const m = await createMember(t.deps);
    await t.deps.db.$transaction((tx) =>
      postCredit(tx, { memberId: m.member.id, amountCents: 1000, kind: 'ADJUSTMENT', label: 'Dotation', idempotencyKey: `race-fund-${m.member.id}`, at: t.clock.now() }),
    );
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        t.deps.db.$transaction(
          (tx) => postCredit(tx, { memberId: m.member.id, amountCents: -100, kind: 'ORDER', label: `Commande ${i}`, idempotencyKey: `race-debit-${m.member.id}-${i}`, at: t.clock.now() }),
          { maxWait: 20_000, timeout: 20_000 },
        ),
      ),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(40);
    for (const r of refused) expect(r.reason).toBeInstanceOf(InsufficientCreditError);
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(0);
    expect(await ledgerSum(t.deps.db, m.member.id)).toBe(0);
    // Never negative at any point: every running sum over the ledger, in order, stays >= 0.
    const lines = await t.deps.db.creditLine.findMany({ where: { memberId: m.member.id }, orderBy: { id: 'asc' } });
    let running = 0;
    for (const l of lines) {
      running += l.amountCents;
      expect(running).toBeGreaterThanOrEqual(0);
    }
  });

  it('the idempotency key is a backstop: the same source event cannot be credited twice', async () => {
    const m = await createMember(t.deps);
    const post = () => t.deps.db.$transaction((tx) => postCredit(tx, { memberId: m.member.id, amountCents: 500, kind: 'REFUND', label: 'Remboursement', idempotencyKey: `refund-${m.member.id}`, at: t.clock.now() }));
    const results = await Promise.allSettled([post(), post(), post()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(500);
  });

  it('a staff adjustment form submitted twice at once is recorded once', async () => {
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, staff.email, staff.password);
    const page = await agent.get('/gestion/credit');
    const body = { _csrf: csrfOf(page.text), nonce: /name="nonce" value="([^"]+)"/.exec(page.text)![1], memberNumber: String(m.member.number), amount: '4', reason: 'Double clic du personnel' };
    const [a, b] = await Promise.all([0, 1].map(() => agent.post('/gestion/credit').type('form').send(body)));
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(400);
  });
});

void request;
