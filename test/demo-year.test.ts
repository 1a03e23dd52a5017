// The demo seed books a realistic current year (src/orders/demo-year.ts): the accountant's journal,
// FEC and trial balance are right on a fresh start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { seedDemo } from '../prisma/seed.ts';
import { parisDay, parisDayStart } from '../src/core/dates.ts';
import { fecChunks, trialBalance } from '../src/accounting/exports.ts';
import { checkFecLines } from '../src/accounting/fec-check.ts';

const DAY = 24 * 3600_000;
const ORDERS = 100;

describe('demo year', () => {
  let t: TestApp;
  let year: number;
  let seconds = 0;

  beforeAll(async () => {
    t = await createTestApp();
    // Late in the test clock's year, whatever the real date: the year holds the contest's draw too.
    year = Number(parisDay(t.clock.now()).slice(0, 4));
    t.clock.set(new Date(parisDayStart(`${year}-01-01`).getTime() + 250 * DAY + 10 * 3600_000));
    const began = process.hrtime.bigint();
    await seedDemo(t.deps, { yearOrders: ORDERS });
    seconds = Number(process.hrtime.bigint() - began) / 1e9;
  }, 300_000); // 100 orders through the services: ~40 s alone, much more on a loaded machine
  afterAll(() => t?.close());

  it('books the orders over the year, in every state', async () => {
    expect(seconds).toBeGreaterThan(0);
    const start = parisDayStart(`${year}-01-01`);
    const family = await t.deps.db.member.findMany({ where: { email: { startsWith: 'famille' } }, select: { id: true } });
    expect(family).toHaveLength(30);
    const orders = await t.deps.db.order.findMany({ where: { memberId: { in: family.map((m) => m.id) } } });
    expect(orders).toHaveLength(ORDERS);
    expect(orders.every((o) => o.createdAt >= start && o.createdAt < t.clock.now())).toBe(true);
    const months = new Set(orders.map((o) => parisDay(o.createdAt).slice(0, 7)));
    expect(months.size).toBeGreaterThanOrEqual(8);
    const statuses = new Set(orders.map((o) => o.status));
    for (const s of ['DELIVERED', 'CANCELLED', 'REFUNDED'] as const) expect(statuses).toContain(s);
    expect(orders.some((o) => o.paymentMethod === 'CREDIT')).toBe(true);
    expect(orders.some((o) => o.paymentMethod !== 'CREDIT' && o.creditUsedCents > 0)).toBe(true);
    // The recent ones still on their way; the demo member's own four orders untouched.
    expect(orders.filter((o) => ['AWAITING_PAYMENT', 'PAID', 'PREPARING', 'SHIPPED'].includes(o.status)).length).toBeGreaterThan(0);
    const demoMember = await t.deps.db.member.findUniqueOrThrow({ where: { email: 'membre@demo.clubpetitesstars.example' } });
    const demo = await t.deps.db.order.findMany({ where: { memberId: demoMember.id } });
    expect(demo.map((o) => o.status).sort()).toEqual(['AWAITING_PAYMENT', 'CANCELLED', 'DELIVERED', 'SHIPPED']);
    expect(await t.deps.db.product.count({ where: { stock: { lt: 0 } } })).toBe(0);
  });

  it('posts several hundred balanced entries, numbered in date order, of every kind', async () => {
    const entries = await t.deps.db.journalEntry.findMany({ orderBy: { number: 'asc' }, include: { lines: true } });
    expect(entries.length).toBeGreaterThanOrEqual(200);
    for (const e of entries) {
      const d = e.lines.reduce((s, l) => s + l.debitCents, 0);
      const c = e.lines.reduce((s, l) => s + l.creditCents, 0);
      expect(d, `entry ${e.number}`).toBe(c);
      expect(d).toBeGreaterThan(0);
    }
    // Chronological numbering: each entry's date is on or after the previous one's.
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.date >= entries[i - 1]!.date, `entry ${entries[i]!.number}`).toBe(true);
    const kinds = (prefix: string) => entries.filter((e) => e.label.startsWith(prefix)).length;
    expect(kinds('Facture')).toBeGreaterThan(ORDERS);
    expect(kinds('Virement')).toBeGreaterThan(ORDERS / 2);
    expect(kinds('Avoir')).toBeGreaterThan(2);
    expect(kinds('Remboursement')).toBeGreaterThan(1);
    expect(kinds('Lot de concours')).toBe(1);
    const prize = entries.find((e) => e.journal === 'OD')!;
    expect(prize.lines.map((l) => [l.accountNumber, l.debitCents > 0]).sort()).toEqual([['607', false], ['6234', true]]);
  });

  it('gives a FEC the checker passes and a trial balance that balances', async () => {
    let text = '';
    for await (const chunk of fecChunks(t.deps.db, year)) text += chunk;
    const { issues, entryCount } = await checkFecLines(text.split('\n'));
    expect(issues).toEqual([]);
    expect(entryCount).toBe(await t.deps.db.journalEntry.count());
    const tb = await trialBalance(t.deps.db, parisDay(t.clock.now()));
    expect(tb.debit).toBe(tb.credit);
    expect(tb.debit).toBeGreaterThan(0n);
    expect(tb.rows.map((r) => r.accountNumber)).toEqual(expect.arrayContaining(['411', '512', '607', '6234', '707']));
  });
});
