// The journal's month totals (LedgerMonthTotal, docs/decisions/0043): kept by the posting
// transaction, equal to the GROUP BY over the lines after postings of every kind, backfilled by the
// migration, and read by the dashboard with the same results as the scans of the lines they replace.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, onPostgres } from './helpers/db.ts';
import type { TestDatabase } from './helpers/db.ts';
import { testClockStart } from './helpers/app.ts';
import { postEntry, reverseEntry } from '../src/accounting/journal.ts';
import type { EntryInput, JournalCode } from '../src/accounting/journal.ts';
import { closePeriod } from '../src/accounting/periods.ts';
import { journalTotals, monthlySales } from '../src/accounting/service.ts';
import { addEntryToTotals, checkLedgerTotals } from '../src/accounting/totals.ts';
import { parisDay } from '../src/core/dates.ts';
import type { Deps } from '../src/deps.ts';
import { expectDashboardAsScansOf, expectTrialBalanceAsScanOf } from './helpers/ledger-scans.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

const DAY = 24 * 3600_000;
const start = testClockStart();
let seq = 0;
const key = (what: string) => `totals:${what}:${++seq}`;

/** A sale of `net` + 20 % VAT (+ 4,90 € shipping when `shipping`) to a member. */
function sale(at: Date, net: number, member: number, shipping = false): EntryInput {
  const vat = net / 5;
  return {
    journal: 'VE',
    at,
    piece: `F${seq + 1}`,
    label: `Facture F${seq + 1} membre M${member}`,
    idempotencyKey: key('sale'),
    lines: [
      { account: 'CLIENTS', memberNumber: member, debitCents: net + vat + (shipping ? 588 : 0) },
      { account: 'VENTES', vatRateBp: 2000, creditCents: net },
      ...(shipping ? [{ account: 'PORTS' as const, vatRateBp: 2000, creditCents: 490 }] : []),
      { account: 'TVA_COLLECTEE', vatRateBp: 2000, creditCents: vat + (shipping ? 98 : 0) },
    ],
  };
}
const payment = (at: Date, cents: number, member: number, journal: JournalCode = 'BQ'): EntryInput => ({
  journal,
  at,
  piece: `P${seq + 1}`,
  label: `Paiement membre M${member}`,
  idempotencyKey: key('pay'),
  lines: [
    { account: 'BANQUE', debitCents: cents },
    { account: 'CLIENTS', memberNumber: member, creditCents: cents },
  ],
});

async function expectDashboardAsScans(years: number[]) {
  for (const year of years) {
    await expectDashboardAsScansOf(database.prisma, year);
    for (const at of [`${year}-01-01`, `${year}-02-14`, `${year}-06-30`, `${year}-12-31`]) await expectTrialBalanceAsScanOf(database.prisma, at);
  }
}

const post = (e: EntryInput) => database.prisma.$transaction((tx) => postEntry(tx, e));
const year0 = Number(parisDay(start).slice(0, 4));
const years = [year0, year0 + 1, year0 + 2];

describe('month totals kept by the postings', () => {
  it('a fresh database has no totals, and the dashboard shows none', async () => {
    expect(await database.prisma.ledgerMonthTotal.count()).toBe(0);
    expect(await checkLedgerTotals(database.prisma)).toEqual([]);
    expect(await journalTotals({ db: database.prisma } as Deps, year0)).toEqual([]);
  });

  it('equal the GROUP BY over the lines after sales, payments, OD, reversals, duplicates, rollbacks, a closed month and a renumbered account', async () => {
    const db = database.prisma;
    const posted: bigint[] = [];
    // 14 months of activity, several entries a month, across the turn of a year.
    for (let d = 0; d < 430; d += 9) {
      const at = new Date(start.getTime() + d * DAY + (d % 5) * 3600_000);
      const member = 1 + (d % 7);
      posted.push((await post(sale(at, 1000 + d * 10, member, d % 2 === 0))).entryId);
      await post(payment(at, 1200 + d * 12, member));
      if (d % 4 === 0) await post(payment(at, 500, member, 'OD'));
    }
    // A duplicate posting counts once.
    const dup = sale(new Date(start.getTime() + 3 * DAY), 4245, 9);
    await post(dup);
    expect((await post(dup)).duplicate).toBe(true);
    // A rolled-back event leaves no total behind.
    await expect(
      db.$transaction(async (tx) => {
        await postEntry(tx, sale(new Date(start.getTime() + 5 * DAY), 777_775, 3));
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    // Reversals (credit notes): one in its own month, one whose month is closed meanwhile (dated
    // the first day of the next open period), and a duplicate reversal.
    await db.$transaction((tx) => reverseEntry(tx, posted[3]!, new Date(start.getTime() + 40 * DAY), key('rev')));
    const closedMonth = parisDay(start).slice(0, 7);
    await db.$transaction((tx) => closePeriod(tx, closedMonth, new Date(start.getTime() + 45 * DAY)));
    const k = key('rev-closed');
    await db.$transaction((tx) => reverseEntry(tx, posted[0]!, start, k));
    expect((await db.$transaction((tx) => reverseEntry(tx, posted[0]!, start, k))).duplicate).toBe(true);
    // The accountant renumbers 707: later lines carry 7071, and the chart still counts them as sales.
    await db.chartAccount.create({ data: { key: 'VENTES', number: '7071', label: 'Ventes adhérents', updatedAt: start } });
    await post(sale(new Date(start.getTime() + 60 * DAY), 3000, 4, true));
    await db.$transaction((tx) => reverseEntry(tx, posted[5]!, new Date(start.getTime() + 61 * DAY), key('rev')));

    expect(await checkLedgerTotals(db)).toEqual([]);
    const rows = await db.ledgerMonthTotal.findMany();
    expect(new Set(rows.map((r) => r.month)).size).toBeGreaterThanOrEqual(14);
    expect(rows.some((r) => r.accountNumber === '7071' && r.accountKey === 'VENTES')).toBe(true);
    // The lines and entries counted match the journal's.
    expect(rows.reduce((s, r) => s + r.lineCount, 0)).toBe(await db.journalLine.count());
    expect(rows.reduce((s, r) => s + r.entryCount, 0)).toBe(await db.journalEntry.count());
    await expectDashboardAsScans(years);
    // Credit notes make a month's figures move: the dashboard reads what the lines say.
    expect((await monthlySales({ db } as Deps, year0)).some((m) => m.netCents > 0)).toBe(true);
  });

  it('the migration’s backfill rebuilds the same totals from the lines', async () => {
    const db = database.prisma;
    const before = await db.ledgerMonthTotal.findMany({ orderBy: [{ month: 'asc' }, { journal: 'asc' }, { accountKey: 'asc' }, { accountNumber: 'asc' }] });
    expect(before.length).toBeGreaterThan(0);
    const dir = path.join(import.meta.dirname, '..', 'prisma', 'migrations');
    const folder = readdirSync(dir).find((f) => f.endsWith('_ledger_month_totals'));
    const sql = readFileSync(path.join(dir, folder!, 'migration.sql'), 'utf8');
    const backfill = /INSERT INTO "LedgerMonthTotal"[\s\S]*?;/.exec(sql)?.[0];
    expect(backfill).toBeTruthy();
    await db.$transaction(async (tx) => {
      await tx.$executeRaw`DELETE FROM "LedgerMonthTotal"`;
      expect(await checkLedgerTotals(tx)).not.toEqual([]);
      await tx.$executeRawUnsafe(backfill!);
    });
    const after = await db.ledgerMonthTotal.findMany({ orderBy: [{ month: 'asc' }, { journal: 'asc' }, { accountKey: 'asc' }, { accountNumber: 'asc' }] });
    expect(after).toEqual(before);
    expect(await checkLedgerTotals(db)).toEqual([]);
  });

  it('checkLedgerTotals reports a total that drifted from the lines', async () => {
    const db = database.prisma;
    const row = await db.ledgerMonthTotal.findFirstOrThrow({ where: { accountKey: 'BANQUE' } });
    const where = { month_journal_accountKey_accountNumber: { month: row.month, journal: row.journal, accountKey: row.accountKey, accountNumber: row.accountNumber } };
    await db.ledgerMonthTotal.update({ where, data: { debitCents: { increment: 1 } } });
    const diff = await checkLedgerTotals(db);
    expect(diff).toEqual([
      {
        month: row.month, journal: row.journal, accountKey: 'BANQUE', accountNumber: row.accountNumber,
        kept: [String(row.debitCents + 1n), String(row.creditCents), row.lineCount, row.entryCount],
        lines: [String(row.debitCents), String(row.creditCents), row.lineCount, row.entryCount],
      },
    ]);
    await db.ledgerMonthTotal.update({ where, data: { debitCents: { decrement: 1 } } });
    expect(await checkLedgerTotals(db)).toEqual([]);
  });

  // Only PostgreSQL runs these transactions concurrently.
  it.runIf(onPostgres)('24 concurrent postings (new and existing months, reversals), every fourth rolled back: the totals equal the sums', async () => {
    const db = database.prisma;
    const originals = (await db.journalEntry.findMany({ where: { reversesId: null, journal: 'VE' }, select: { id: true }, take: 6, orderBy: { number: 'desc' } })).map((e) => e.id);
    const results = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) =>
        db.$transaction(
          async (tx) => {
            // Months far ahead (new rows created by concurrent transactions) and months already there.
            const at = new Date(start.getTime() + (i % 2 === 0 ? 600 + (i % 3) * 31 : 10 + i * 3) * DAY);
            if (i % 6 === 5) await reverseEntry(tx, originals[i % originals.length]!, at, key(`race-rev-${i}`));
            else await postEntry(tx, i % 3 === 0 ? payment(at, 1000 + i, 1 + (i % 5)) : sale(at, 2000 + i * 10, 1 + (i % 5), i % 2 === 1));
            await tx.$executeRaw`SELECT pg_sleep(0.005)`;
            if (i % 4 === 0) throw new Error('rollback');
          },
          { maxWait: 60_000, timeout: 60_000 },
        ),
      ),
    );
    expect(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))).toEqual(Array(6).fill('Error: rollback'));
    expect(await checkLedgerTotals(db)).toEqual([]);
    await expectDashboardAsScans([...years, year0 + 3]);
  });

  // postEntry's upserts are serialised by the journal counter's lock anyway; this proves the upsert
  // itself loses nothing when transactions run it at the same time on the same rows.
  it.runIf(onPostgres)('the upsert alone, run by concurrent transactions on the same rows, loses no addition', async () => {
    const db = database.prisma;
    await db.$executeRaw`DELETE FROM "LedgerMonthTotal"`;
    const ids = (await db.journalEntry.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((e) => e.id);
    expect(ids.length).toBeGreaterThan(100);
    const results = await Promise.allSettled(
      ids.map((id) =>
        db.$transaction(
          async (tx) => {
            await addEntryToTotals(tx, id);
            await tx.$executeRaw`SELECT pg_sleep(0.002)`;
          },
          { maxWait: 60_000, timeout: 60_000 },
        ),
      ),
    );
    expect(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))).toEqual([]);
    expect(await checkLedgerTotals(db)).toEqual([]);
  });
});
