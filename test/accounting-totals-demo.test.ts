// After the demo year booked through the app's own services (orders, payments, cancellations,
// refunds, prizes), the journal's month totals equal the GROUP BY over the lines, and the dashboard
// reads from them the same figures as the scans of the lines they replace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { expectDashboardAsScansOf, expectTrialBalanceAsScanOf } from './helpers/ledger-scans.ts';
import { seedDemo } from '../prisma/seed.ts';
import { parisDay, parisDayStart } from '../src/core/dates.ts';
import { checkLedgerTotals } from '../src/accounting/totals.ts';

const DAY = 24 * 3600_000;

describe('month totals after the demo year', () => {
  let t: TestApp;
  let year: number;

  beforeAll(async () => {
    t = await createTestApp();
    year = Number(parisDay(t.clock.now()).slice(0, 4));
    t.clock.set(new Date(parisDayStart(`${year}-01-01`).getTime() + 250 * DAY + 10 * 3600_000));
    await seedDemo(t.deps, { yearOrders: 40 });
  }, 300_000); // 40 orders through the services: ~20 s alone, more on a loaded machine
  afterAll(() => t?.close());

  it('equal the GROUP BY over the lines, and the dashboard shows the figures of the lines', async () => {
    const db = t.deps.db;
    expect(await db.journalEntry.count()).toBeGreaterThan(40);
    // Credit notes (refunds, cancellations) are among them: sales lines on the debit side.
    expect(await db.journalLine.count({ where: { accountKey: 'VENTES', debitCents: { gt: 0 } } })).toBeGreaterThan(0);
    expect(await checkLedgerTotals(db)).toEqual([]);
    await expectDashboardAsScansOf(db, year);
    // The trial balance from the month totals: a month's first day, a day within, a month's last day, today.
    for (const at of [`${year}-03-01`, `${year}-05-15`, `${year}-06-30`, parisDay(t.clock.now()), `${year}-12-31`]) {
      await expectTrialBalanceAsScanOf(db, at);
    }
  });
});
