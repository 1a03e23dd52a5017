// The general journal core: balanced, numbered without gaps, append-only, idempotent, periods.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, onPostgres } from './helpers/db.ts';
import type { TestDatabase } from './helpers/db.ts';
import { testClockStart } from './helpers/app.ts';
import { postEntry, reverseEntry, JournalError, accountingDay, dateAsDay } from '../src/accounting/journal.ts';
import type { EntryInput } from '../src/accounting/journal.ts';
import { closePeriod } from '../src/accounting/periods.ts';
import { parisDay } from '../src/core/dates.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

const DAY = 24 * 3600_000;
const start = testClockStart();
let seq = 0;
const key = (what: string) => `test:${what}:${++seq}`;

/** A sale of 120,00 € incl. 20 % VAT to member 123. */
const sale = (over: Partial<EntryInput> = {}): EntryInput => ({
  journal: 'VE',
  at: start,
  piece: 'F000001',
  label: 'Facture F000001 membre M000123',
  idempotencyKey: key('sale'),
  lines: [
    { account: 'CLIENTS', memberNumber: 123, debitCents: 12000 },
    { account: 'VENTES', vatRateBp: 2000, creditCents: 10000 },
    { account: 'TVA_COLLECTEE', vatRateBp: 2000, creditCents: 2000 },
    { account: 'PORTS', debitCents: 0, creditCents: 0 },
  ],
  ...over,
});

async function entryCount(): Promise<number> {
  return database.prisma.journalEntry.count();
}

describe('postEntry', () => {
  it('posts a balanced entry with resolved accounts, auxiliary account and a number', async () => {
    const db = database.prisma;
    const before = await entryCount();
    const r = await db.$transaction((tx) => postEntry(tx, sale()));
    expect(r.duplicate).toBe(false);
    expect(r.number).toBe(before + 1);
    const entry = await db.journalEntry.findUniqueOrThrow({ where: { id: r.entryId }, include: { lines: { orderBy: { position: 'asc' } } } });
    expect(entry.validatedAt.getTime()).toBe(start.getTime());
    expect(dateAsDay(entry.date)).toBe(parisDay(start));
    // The zero line was dropped.
    expect(entry.lines.map((l) => [l.accountNumber, l.debitCents, l.creditCents, l.auxNumber, l.auxLabel])).toEqual([
      ['411', 12000, 0, 'M000123', 'Membre M000123'],
      ['707', 0, 10000, null, null],
      ['44571', 0, 2000, null, null],
    ]);
    expect(entry.lines[2].accountLabel).toBe('TVA collectée 20 %');
    expect(entry.lines[0].label).toBe('Facture F000001 membre M000123');
  });

  it('uses the accountant’s chart of accounts for new entries', async () => {
    const db = database.prisma;
    await db.chartAccount.create({ data: { key: 'BANQUE', number: '5121', label: 'Banque Crédit Mutuel', updatedAt: start } });
    const r = await db.$transaction((tx) =>
      postEntry(tx, { journal: 'BQ', at: start, piece: 'C000001', label: 'Paiement C000001', idempotencyKey: key('pay'), lines: [
        { account: 'BANQUE', debitCents: 500 },
        { account: 'CLIENTS', memberNumber: 7, creditCents: 500 },
      ] }),
    );
    const lines = await db.journalLine.findMany({ where: { entryId: r.entryId }, orderBy: { position: 'asc' } });
    expect(lines.map((l) => `${l.accountNumber} ${l.accountLabel}`)).toEqual(['5121 Banque Crédit Mutuel', '411 Clients']);
    await db.chartAccount.delete({ where: { key: 'BANQUE' } });
  });

  it('an idempotency key already posted returns the same entry, and no second one', async () => {
    const db = database.prisma;
    const input = sale();
    const first = await db.$transaction((tx) => postEntry(tx, input));
    const count = await entryCount();
    const again = await db.$transaction((tx) => postEntry(tx, input));
    expect(again).toEqual({ entryId: first.entryId, number: first.number, duplicate: true });
    expect(await entryCount()).toBe(count);
  });

  it.each([
    ['UNBALANCED', [{ account: 'CLIENTS', memberNumber: 1, debitCents: 100 }, { account: 'VENTES', creditCents: 99 }]],
    ['UNBALANCED', [{ account: 'CLIENTS', memberNumber: 1, debitCents: 100 }]],
    ['NEGATIVE', [{ account: 'CLIENTS', memberNumber: 1, debitCents: -100 }, { account: 'VENTES', creditCents: -100 }]],
    ['BOTH_SIDES', [{ account: 'CLIENTS', memberNumber: 1, debitCents: 100, creditCents: 100 }, { account: 'VENTES', creditCents: 0, debitCents: 0 }]],
    ['NO_LINE', [{ account: 'VENTES', creditCents: 0 }]],
    ['NOT_INTEGER', [{ account: 'CLIENTS', memberNumber: 1, debitCents: 100.5 }, { account: 'VENTES', creditCents: 100.5 }]],
    ['BAD_INPUT', [{ account: 'VENTES', memberNumber: 1, debitCents: 100 }, { account: 'VENTES', creditCents: 100 }]],
  ] as const)('refuses %s in code, leaving nothing behind', async (code, lines) => {
    const db = database.prisma;
    const count = await entryCount();
    const err = await db.$transaction((tx) => postEntry(tx, sale({ lines: lines as unknown as EntryInput['lines'] }))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalError);
    expect((err as JournalError).code).toBe(code);
    expect(await entryCount()).toBe(count);
  });

  it('the database refuses an unbalanced entry inserted behind the code’s back, at commit', async () => {
    const db = database.prisma;
    const count = await entryCount();
    const insert = (debit: number, credit: number, immediate = false) =>
      db.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ id: bigint }[]>`
          INSERT INTO "JournalEntry" (number, journal, date, piece, label, "validatedAt", "idempotencyKey")
          VALUES (${100000 + seq}, 'OD', ${start}::date, 'X', 'Saisie directe', ${start}, ${key('raw')}) RETURNING id`;
        await tx.$executeRaw`INSERT INTO "JournalLine" ("entryId", position, "accountKey", "accountNumber", "accountLabel", label, "debitCents", "creditCents")
          VALUES (${row.id}, 0, 'BANQUE', '512', 'Banque', 'x', ${debit}, 0), (${row.id}, 1, 'VENTES', '707', 'Ventes', 'x', 0, ${credit})`;
        // The check is deferred: the statements above succeeded. Forcing it now shows its verdict
        // inside the transaction; without it, the verdict comes at COMMIT (below).
        if (immediate) await tx.$executeRawUnsafe('SET CONSTRAINTS ALL IMMEDIATE');
        return row.id;
      });
    await expect(insert(100, 90, true)).rejects.toThrow(/does not balance/);
    expect(await entryCount()).toBe(count);
    // At COMMIT: the failure is reported on both databases (on PGlite through
    // src/db/pglite-commit.mjs, the adapter alone would swallow it), and nothing was written.
    await expect(insert(100, 90)).rejects.toThrow(/does not balance/);
    expect(await entryCount()).toBe(count);
    // The same through the app's usual path: a transaction whose COMMIT fails rejects, and the
    // connection serves the next transaction normally.
    await expect(insert(50, 49)).rejects.toThrow(/does not balance/);
    expect(await db.$transaction(async (tx) => (await tx.$queryRaw<{ one: number }[]>`SELECT 1 AS one`)[0].one)).toBe(1);
    expect(await entryCount()).toBe(count);
    // An entry without lines is refused too.
    await expect(
      db.$executeRaw`INSERT INTO "JournalEntry" (number, journal, date, piece, label, "validatedAt", "idempotencyKey")
        VALUES (200000, 'OD', ${start}::date, 'X', 'Vide', ${start}, ${key('raw')})`,
    ).rejects.toThrow(/does not balance/);
    // A line with a zero side on both, or both sides, breaks a CHECK at once.
    await expect(insert(0, 0)).rejects.toThrow(/JournalLine_one_side/);
    expect(await entryCount()).toBe(count);
    // The same statements with balanced lines commit: the refusals above were for the imbalance.
    await insert(100, 100, true);
    expect(await entryCount()).toBe(count + 1);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on entries and lines', async () => {
    const db = database.prisma;
    const r = await db.$transaction((tx) => postEntry(tx, sale()));
    await expect(db.$executeRaw`UPDATE "JournalLine" SET "debitCents" = "debitCents" + 1 WHERE "entryId" = ${r.entryId} AND position = 0`).rejects.toThrow(/append-only/);
    await expect(db.$executeRaw`UPDATE "JournalEntry" SET label = 'autre' WHERE id = ${r.entryId}`).rejects.toThrow(/append-only/);
    await expect(db.$executeRaw`DELETE FROM "JournalLine" WHERE "entryId" = ${r.entryId}`).rejects.toThrow(/append-only/);
    await expect(db.$executeRaw`DELETE FROM "JournalEntry" WHERE id = ${r.entryId}`).rejects.toThrow(/append-only/);
    await expect(db.$executeRawUnsafe('TRUNCATE "JournalLine", "JournalEntry"')).rejects.toThrow(/append-only/);
    expect(await db.journalLine.count({ where: { entryId: r.entryId } })).toBe(3);
  });

  it('a rolled-back event leaves no entry and no gap in the numbering', async () => {
    const db = database.prisma;
    const count = await db.journalEntry.count({ where: { number: { lt: 100000 } } });
    await db
      .$transaction(async (tx) => {
        await postEntry(tx, sale());
        throw new Error('event failed');
      })
      .catch(() => undefined);
    const r = await db.$transaction((tx) => postEntry(tx, sale()));
    expect(r.number).toBe(count + 1);
  });

  it('an event in a closed month is dated the first day of the next open period; the database refuses the closed one', async () => {
    const db = database.prisma;
    // An instant two years back, whose month and the next are closed.
    const at = new Date(start.getTime() - 730 * DAY);
    const day = parisDay(at);
    const month = day.slice(0, 7);
    const y = Number(day.slice(0, 4));
    const m = Number(day.slice(5, 7));
    const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
    const after = m >= 11 ? `${y + 1}-${String(m - 10).padStart(2, '0')}` : `${y}-${String(m + 2).padStart(2, '0')}`;
    await db.$transaction((tx) => closePeriod(tx, month, start));
    await db.$transaction((tx) => closePeriod(tx, next, start));
    expect(await db.$transaction((tx) => closePeriod(tx, month, start))).toBe(false);
    const r = await db.$transaction((tx) => postEntry(tx, sale({ at })));
    const entry = await db.journalEntry.findUniqueOrThrow({ where: { id: r.entryId } });
    expect(dateAsDay(entry.date)).toBe(`${after}-01`);
    expect(entry.validatedAt.getTime()).toBe(at.getTime());
    expect(accountingDay(new Set([String(y)]), at)).toBe(`${y + 1}-01-01`);
    await expect(
      db.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ id: bigint }[]>`
          INSERT INTO "JournalEntry" (number, journal, date, piece, label, "validatedAt", "idempotencyKey")
          VALUES (300000, 'OD', ${`${month}-15`}::date, 'X', 'Dans une période close', ${start}, ${key('raw')}) RETURNING id`;
        await tx.$executeRaw`INSERT INTO "JournalLine" ("entryId", position, "accountKey", "accountNumber", "accountLabel", label, "debitCents", "creditCents")
          VALUES (${row.id}, 0, 'BANQUE', '512', 'Banque', 'x', 1, 0), (${row.id}, 1, 'VENTES', '707', 'Ventes', 'x', 0, 1)`;
      }),
    ).rejects.toThrow(/closed period/);
  });

  it('reverseEntry posts the mirror entry, linked to the original', async () => {
    const db = database.prisma;
    const r = await db.$transaction((tx) => postEntry(tx, sale()));
    const k = key('reverse');
    const rev = await db.$transaction((tx) => reverseEntry(tx, r.entryId, start, k));
    expect(rev.number).toBe(r.number + 1);
    const lines = await db.journalLine.findMany({ where: { entryId: rev.entryId }, orderBy: { position: 'asc' } });
    expect(lines.map((l) => [l.accountNumber, l.debitCents, l.creditCents, l.auxNumber])).toEqual([
      ['411', 0, 12000, 'M000123'],
      ['707', 10000, 0, null],
      ['44571', 2000, 0, null],
    ]);
    expect((await db.journalEntry.findUniqueOrThrow({ where: { id: rev.entryId } })).reversesId).toBe(r.entryId);
    expect((await db.$transaction((tx) => reverseEntry(tx, r.entryId, start, k))).duplicate).toBe(true);
  });

  it('the journal as a whole balances and is numbered 1..n without gaps', async () => {
    const db = database.prisma;
    const [sums] = await db.$queryRaw<{ d: bigint; c: bigint }[]>`SELECT sum("debitCents")::bigint AS d, sum("creditCents")::bigint AS c FROM "JournalLine"`;
    expect(sums.d).toBe(sums.c);
    const numbers = (await db.journalEntry.findMany({ where: { number: { lt: 100000 } }, select: { number: true }, orderBy: { number: 'asc' } })).map((e) => e.number);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  // Only PostgreSQL runs these transactions concurrently.
  it.runIf(onPostgres)('30 concurrent postings, every fourth rolled back: numbers are exactly 1..n in validation order', async () => {
    const db = database.prisma;
    const base = await db.journalEntry.count({ where: { number: { lt: 100000 } } });
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        db.$transaction(async (tx) => {
          const r = await postEntry(tx, sale({ idempotencyKey: key('race') }));
          await tx.$executeRaw`SELECT pg_sleep(0.005)`;
          if (i % 4 === 0) throw new Error('rollback');
          return r.number;
        }, { maxWait: 60_000, timeout: 60_000 }),
      ),
    );
    // The only failures are the deliberate rollbacks (not lock or pool timeouts on a busy machine).
    expect(results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []))).toEqual(Array(8).fill('Error: rollback'));
    const committed = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).sort((x, y) => x - y);
    expect(committed.length).toBe(22);
    expect(committed).toEqual(Array.from({ length: 22 }, (_, i) => base + i + 1));
    const rows = await db.journalEntry.findMany({ where: { number: { gt: base, lt: 100000 } }, orderBy: { number: 'asc' }, select: { number: true, id: true } });
    expect(rows.map((r) => r.number)).toEqual(committed);
  });
});
