// Month totals of the journal (docs/decisions/0043-ledger-month-totals.md): one row per (month of
// the entry date, journal, account key, account number) with the sums of its lines, kept by the
// posting transaction itself. The dashboard reads these rows, whose number grows with months and
// accounts, never with the lines. The migration `ledger_month_totals` backfills them with the
// same grouping; `checkLedgerTotals` compares them with the lines (tests, bench:fec).
import { Prisma } from '../generated/prisma/client.ts';

type Tx = Prisma.TransactionClient;
type Raw = Pick<Tx, '$queryRaw'>;

/**
 * Adds the lines of the entries `where` selects to their month totals: ONE statement, one upsert row
 * per (month, journal, account) group, incrementing an existing row (`ON CONFLICT DO UPDATE SET x =
 * x + excluded.x`), so that concurrent postings never lose an addition. Rows are taken in key order.
 * The month is the one of the entry's accounting date (its Paris day, or the next open period's).
 */
async function addTotals(tx: Pick<Tx, '$executeRaw'>, where: Prisma.Sql): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "LedgerMonthTotal" ("month", "journal", "accountKey", "accountNumber", "debitCents", "creditCents", "lineCount", "entryCount")
    SELECT to_char(e."date", 'YYYY-MM'), e."journal", l."accountKey", l."accountNumber",
           sum(l."debitCents"), sum(l."creditCents"), count(*), count(*) FILTER (WHERE l."position" = 0)
    FROM "JournalLine" l JOIN "JournalEntry" e ON e."id" = l."entryId"
    WHERE ${where}
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("month", "journal", "accountKey", "accountNumber") DO UPDATE SET
      "debitCents" = "LedgerMonthTotal"."debitCents" + excluded."debitCents",
      "creditCents" = "LedgerMonthTotal"."creditCents" + excluded."creditCents",
      "lineCount" = "LedgerMonthTotal"."lineCount" + excluded."lineCount",
      "entryCount" = "LedgerMonthTotal"."entryCount" + excluded."entryCount"`;
}

/** In the posting transaction, once the entry's lines are inserted: adds them to the month totals. */
export const addEntryToTotals = (tx: Pick<Tx, '$executeRaw'>, entryId: bigint): Promise<void> => addTotals(tx, Prisma.sql`l."entryId" = ${entryId}`);

/** For SQL bulk generation (bench:fec): adds the entries numbered `from`..`to` to the month totals. */
export const addEntriesToTotals = (tx: Pick<Tx, '$executeRaw'>, from: number, to: number): Promise<void> =>
  addTotals(tx, Prisma.sql`e."number" BETWEEN ${from} AND ${to}`);

export interface TotalsDifference {
  month: string;
  journal: string;
  accountKey: string;
  accountNumber: string;
  /** [debit, credit, lines, entries] kept in LedgerMonthTotal, null when the row is missing. */
  kept: [string, string, number, number] | null;
  /** The same recomputed from the lines, null when no line has that key. */
  lines: [string, string, number, number] | null;
}

/**
 * Compares the month totals with a GROUP BY over every journal line: the differences (none when the
 * totals are right). Scans the whole journal: for tests and benchmarks, never for a page.
 */
export async function checkLedgerTotals(db: Raw): Promise<TotalsDifference[]> {
  const rows = await db.$queryRaw<
    { month: string; journal: string; accountKey: string; accountNumber: string; kd: string | null; kc: string | null; kl: number | null; ke: number | null; ld: string | null; lc: string | null; ll: number | null; le: number | null }[]
  >`
    WITH g AS (
      SELECT to_char(e."date", 'YYYY-MM') AS month, e."journal"::text AS journal, l."accountKey", l."accountNumber",
             sum(l."debitCents")::bigint AS d, sum(l."creditCents")::bigint AS c, count(*)::int AS n, (count(*) FILTER (WHERE l."position" = 0))::int AS en
      FROM "JournalLine" l JOIN "JournalEntry" e ON e."id" = l."entryId"
      GROUP BY 1, 2, 3, 4
    ), t AS (
      SELECT "month" AS month, "journal"::text AS journal, "accountKey", "accountNumber", "debitCents" AS d, "creditCents" AS c, "lineCount" AS n, "entryCount" AS en
      FROM "LedgerMonthTotal"
    )
    SELECT coalesce(t.month, g.month) AS month, coalesce(t.journal, g.journal) AS journal,
           coalesce(t."accountKey", g."accountKey") AS "accountKey", coalesce(t."accountNumber", g."accountNumber") AS "accountNumber",
           t.d::text AS kd, t.c::text AS kc, t.n AS kl, t.en AS ke, g.d::text AS ld, g.c::text AS lc, g.n AS ll, g.en AS le
    FROM t FULL JOIN g ON g.month = t.month AND g.journal = t.journal AND g."accountKey" = t."accountKey" AND g."accountNumber" = t."accountNumber"
    WHERE t.d IS DISTINCT FROM g.d OR t.c IS DISTINCT FROM g.c OR t.n IS DISTINCT FROM g.n OR t.en IS DISTINCT FROM g.en
    ORDER BY 1, 2, 3, 4`;
  return rows.map((r) => ({
    month: r.month,
    journal: r.journal,
    accountKey: r.accountKey,
    accountNumber: r.accountNumber,
    kept: r.kd === null ? null : [r.kd, r.kc!, r.kl!, r.ke!],
    lines: r.ld === null ? null : [r.ld, r.lc!, r.ll!, r.le!],
  }));
}

/**
 * The dashboard's two aggregates computed as they were before the month totals, by scanning the
 * year's lines: the reference the totals must reproduce (tests) and the cost they avoid (bench:fec).
 */
export async function scanYearOfLines(db: Raw, year: number) {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  const totals = await db.$queryRaw<{ journal: string; entries: bigint; debit: bigint }[]>`
    SELECT e.journal::text AS journal, count(DISTINCT e.id)::bigint AS entries, coalesce(sum(l."debitCents"), 0)::bigint AS debit
    FROM "JournalEntry" e JOIN "JournalLine" l ON l."entryId" = e.id
    WHERE e.date BETWEEN ${from}::date AND ${to}::date
    GROUP BY e.journal ORDER BY e.journal`;
  const months = await db.$queryRaw<{ month: string; net: bigint; vat: bigint }[]>`
    SELECT to_char(e.date, 'YYYY-MM') AS month,
      coalesce(sum(l."creditCents" - l."debitCents") FILTER (WHERE l."accountKey" IN ('VENTES', 'PORTS', 'REMISES')), 0)::bigint AS net,
      coalesce(sum(l."creditCents" - l."debitCents") FILTER (WHERE l."accountKey" = 'TVA_COLLECTEE'), 0)::bigint AS vat
    FROM "JournalLine" l JOIN "JournalEntry" e ON e.id = l."entryId"
    WHERE e.date BETWEEN ${from}::date AND ${to}::date
    GROUP BY 1`;
  return { totals, months };
}
