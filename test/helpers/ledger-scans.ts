// The accountant dashboard's two aggregates as they were computed before the month totals (scans of
// the year's lines): the reference the month totals must reproduce exactly.
import { expect } from 'vitest';
import type { Db } from '../../src/db/connect.ts';
import type { Deps } from '../../src/deps.ts';
import { journalTotals, monthlySales } from '../../src/accounting/service.ts';
import { trialBalance } from '../../src/accounting/exports.ts';
import { scanYearOfLines } from '../../src/accounting/totals.ts';

export async function scans(db: Db, year: number) {
  const { totals, months: rows } = await scanYearOfLines(db, year);
  const by = new Map(rows.map((r) => [r.month, r]));
  const months = Array.from({ length: 12 }, (_, i) => {
    const month = `${year}-${String(i + 1).padStart(2, '0')}`;
    return { month, netCents: Number(by.get(month)?.net ?? 0n), vatCents: Number(by.get(month)?.vat ?? 0n) };
  });
  return { totals, months };
}

/** journalTotals and monthlySales (read from the month totals) equal the scans of the lines. */
export async function expectDashboardAsScansOf(db: Db, year: number): Promise<void> {
  const before = await scans(db, year);
  expect(await journalTotals({ db } as Deps, year)).toEqual(before.totals);
  expect(await monthlySales({ db } as Deps, year)).toEqual(before.months);
}

/** The trial balance at a date (month totals + the part-month's lines) equals the scan of every line up to that date. */
export async function expectTrialBalanceAsScanOf(db: Db, at: string): Promise<void> {
  const scanned = await db.$queryRaw<{ accountNumber: string; debit: bigint; credit: bigint }[]>`
    SELECT l."accountNumber", sum(l."debitCents")::bigint AS debit, sum(l."creditCents")::bigint AS credit
    FROM "JournalLine" l JOIN "JournalEntry" e ON e.id = l."entryId"
    WHERE e.date <= ${at}::date
    GROUP BY l."accountNumber" ORDER BY l."accountNumber"`;
  const tb = await trialBalance(db, at);
  expect(tb.rows.map(({ accountNumber, debit, credit }) => ({ accountNumber, debit, credit }))).toEqual(scanned);
  expect(tb.rows.every((r) => r.accountLabel.length > 0)).toBe(true);
  expect(tb.debit).toBe(tb.credit);
}
