// The audit journal is kept when a member is erased (AuditEvent: onErase 'keep'), so it must hold
// identifiers and codes only: a reason typed by staff about a member (an order's cancellation or
// refund, a contest winner's replacement) stays in its own row, which erasure scrubs (decision 0077).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, daysFromNow } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { createProduct } from './helpers/shop.ts';
import { cancelOrder, exportHandOver, markPaid, markShipped, placeOrder, refundOrder } from '../src/orders/service.ts';
import { addPrize, closeContest, createContest, drawContest, enterContest, publishContest, redraw } from '../src/contests/service.ts';
import { eraseMember } from '../src/privacy/eraser.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('audit journal after erasure', () => {
  it('keeps no reason typed about a member: order cancellation and refund, contest redraw', async () => {
    const mk = `QAUD${Date.now().toString(36).toUpperCase()}`;
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const buyer = await createMember(t.deps, { firstName: `Prenom${mk}` });
    const member = await t.deps.db.member.findUniqueOrThrow({ where: { id: buyer.member.id } });
    const product = await createProduct(t.deps, { priceCents: 1200, stock: 10 });
    const address = { firstName: 'Camille', lastName: 'Martin', addressLine1: '12 rue des Lilas', addressLine2: null, postcode: '69003', city: 'Lyon', country: 'FR', phone: null };
    const place = async () =>
      (await placeOrder(t.deps, member, { nonce: randomUUID(), address, notes: null, lines: [{ productId: product.id, quantity: 1, priceCents: product.priceCents }] })).order;

    // One order cancelled, one refunded after shipping, each with a reason naming the member.
    const cancelled = await place();
    await cancelOrder(t.deps, staff.member.id, cancelled.reference, `Mme ${mk} a appelé pour annuler`);
    const refunded = await place();
    await markPaid(t.deps, staff.member.id, refunded.reference);
    await exportHandOver(t.deps, staff.member.id, 'carrier', [refunded.reference]);
    await markShipped(t.deps, staff.member.id, refunded.reference, 'Colissimo', '6A00000000002');
    await refundOrder(t.deps, staff.member.id, refunded.reference, `Colis refusé par M. ${mk}`);

    // A contest: the winner is replaced with a reason naming them; the reserve is promoted.
    const c = await createContest(t.deps, staff.member.id, {
      title: 'Concours du journal', description: '', question: null, opensAt: daysFromNow(t, -1), closesAt: daysFromNow(t, 2), drawAt: daysFromNow(t, 3), reserves: 1, claimDays: 14,
    });
    await addPrize(t.deps, staff.member.id, c.id, { name: 'Peluche', quantity: 1, unitCostCents: 500 });
    await publishContest(t.deps, staff.member.id, c.id);
    const other = await createMember(t.deps);
    await enterContest(t.deps, member, c.slug, null);
    await enterContest(t.deps, other.member, c.slug, null);
    t.clock.set(daysFromNow(t, 2.5));
    await closeContest(t.deps, null, c.id);
    t.clock.set(daysFromNow(t, 1));
    await drawContest(t.deps, staff.member.id, c.id);
    const winner = await t.deps.db.contestRank.findFirstOrThrow({ where: { contestId: c.id, role: 'WINNER' } });
    expect(await redraw(t.deps, staff.member.id, c.id, winner.id, `Mme ${mk} est la cousine d’un membre de l’équipe`)).toEqual({ promotedRank: 2 });

    // The reasons live where they belong until the erasure.
    expect((await t.deps.db.order.findUniqueOrThrow({ where: { id: cancelled.id } })).cancelReason).toContain(mk);
    expect((await t.deps.db.contestRank.findUniqueOrThrow({ where: { id: winner.id } })).replacedReason).toContain(mk);
    const events = await t.deps.db.auditEvent.findMany({ where: { action: { in: ['order.cancelled', 'order.refunded', 'contest.redrawn'] } } });
    expect(events.map((e) => e.action).sort()).toEqual(['contest.redrawn', 'order.cancelled', 'order.refunded']);
    expect(events.find((e) => e.action === 'contest.redrawn')!.details).toEqual({ id: c.id, rank: 1, promotedRank: 2 });
    expect(events.find((e) => e.action === 'order.cancelled')!.details).toEqual({ id: cancelled.reference });

    expect(await eraseMember(t.deps, member.id, { reason: 'self' })).toBe(true);
    expect(await eraseMember(t.deps, other.member.id, { reason: 'self' })).toBe(true);
    await t.worker.drain();

    // Nothing in the kept journal (details scanned as text), nor anywhere else in the database.
    const inJournal = await t.deps.db.$queryRaw<{ action: string; details: string }[]>`
      SELECT action, details::text AS details FROM "AuditEvent" WHERE position(lower(${mk}) in lower(coalesce(details::text, ''))) > 0`;
    expect(inJournal).toEqual([]);
    const cols = await t.deps.db.$queryRaw<{ table_name: string; column_name: string }[]>`
      SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' AND data_type ~ '(text|char|json)'`;
    const hits: string[] = [];
    for (const col of cols) {
      const [row] = await t.deps.db.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM "${col.table_name}" WHERE position(lower($1) in lower("${col.column_name}"::text)) > 0`,
        mk,
      );
      if (row!.n > 0) hits.push(`${col.table_name}.${col.column_name}`);
    }
    expect(hits).toEqual([]);
  }, 120_000);

  it('the migration takes the reasons and free-text references out of the rows written before the rule', async () => {
    const at = t.clock.now();
    const old = [
      { action: 'order.cancelled', details: { id: 'C000001', reason: 'Mme Dupont a appelé' } },
      { action: 'order.refunded', details: { id: 'C000002', reason: 'Colis refusé par M. Durand', stock: 'articles non retournés, stock inchangé' } },
      { action: 'contest.redrawn', details: { id: randomUUID(), reason: 'Cousine de Mme Martin', count: 3 } },
      { action: 'member.erased', details: { reason: 'admin-request', requestRef: 'Mme Dupont 12' } },
      { action: 'member.erased', details: { reason: 'admin-request', requestRef: 'DPO-014' } },
      { action: 'newsletter.unsubscribed-at-mailchimp', details: { reason: 'cleaned' } },
    ];
    const ids: bigint[] = [];
    for (const e of old) ids.push((await t.deps.db.auditEvent.create({ data: { at, action: e.action, details: e.details } })).id);
    const sql = readFileSync(new URL('../prisma/migrations/20261203150000_audit_details_ids_only/migration.sql', import.meta.url), 'utf8');
    const statements = sql.replace(/^--.*$/gm, '').split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter(Boolean);
    expect(statements).toHaveLength(2);
    for (const st of statements) await t.deps.db.$executeRawUnsafe(st);
    const rows = await t.deps.db.auditEvent.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.details)).toEqual([
      { id: 'C000001' },
      { id: 'C000002', stock: 'articles non retournés, stock inchangé' },
      { id: old[2]!.details.id, count: 3 },
      { reason: 'admin-request', requestRef: 'ref-removed' },
      { reason: 'admin-request', requestRef: 'DPO-014' },
      { reason: 'cleaned' }, // a code from Mailchimp, not a staff's text
    ]);
  });
});
