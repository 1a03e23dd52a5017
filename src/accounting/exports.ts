// The accountant's exports, as async generators of text chunks read by keyset batches: memory
// stays constant whatever the size of the journal. Routes write the chunks to the response with
// back-pressure (see stream.ts). Line ids follow validation order (lines are inserted under the
// journal counter's lock), so `ORDER BY line id` is the journal's order.
import type { Db } from '../db/connect.ts';
import { parisDay, parisDayEnd, parisDayStart } from '../core/dates.ts';
import { memberNumber } from '../core/member-number.ts';
import { formatRate } from './journal.ts';
import { BOM, csvAmount, csvField, csvRow, FEC_HEADER, fecDate, fecText, JOURNAL_LABELS } from './format.ts';

/** Journal lines per batch (about a third as many entries). */
export const BATCH = 10_000;

/** An entry as the exports need it: its day as aaaa-mm-jj and its validation instant in ms. */
export interface EntryRow {
  id: bigint;
  number: number;
  journal: string;
  day: string;
  piece: string;
  validatedMs: number;
}

/** A line as the exports need it; `entryId` points to an entry of the same batch. */
export interface LineRow {
  entryId: bigint;
  accountNumber: string;
  accountLabel: string;
  auxNumber: string | null;
  auxLabel: string | null;
  label: string;
  debitCents: number;
  creditCents: number;
}

/** One batch: entries in id order, and their lines in (entryId, position) order. */
export interface JournalBatch {
  entries: EntryRow[];
  lines: LineRow[];
}

/**
 * The journal between two days (aaaa-mm-jj, entry date), optionally one journal, in validation
 * order, by keyset batches of raw rows: the batch's entries (their ids follow the numbering), then
 * their lines alone by the (entryId, position) index — each entry's columns are read once, not
 * once per line, and no Prisma model object is built. Each batch costs the same however far into
 * the journal it is, and only one batch is held at a time.
 */
export async function* journalBatches(db: Db, from: string, to: string, journal?: string | null, batch = BATCH): AsyncGenerator<JournalBatch> {
  const perBatch = Math.max(1, Math.floor(batch / 3));
  const read = async (after: bigint): Promise<JournalBatch | null> => {
    const entries = journal
      ? await db.$queryRaw<EntryRow[]>`
        SELECT id, number, journal::text AS journal, to_char(date, 'YYYY-MM-DD') AS day, piece,
               (extract(epoch FROM "validatedAt") * 1000)::float8 AS "validatedMs"
        FROM "JournalEntry" WHERE id > ${after} AND date BETWEEN ${from}::date AND ${to}::date AND journal::text = ${journal}
        ORDER BY id LIMIT ${perBatch}`
      : await db.$queryRaw<EntryRow[]>`
        SELECT id, number, journal::text AS journal, to_char(date, 'YYYY-MM-DD') AS day, piece,
               (extract(epoch FROM "validatedAt") * 1000)::float8 AS "validatedMs"
        FROM "JournalEntry" WHERE id > ${after} AND date BETWEEN ${from}::date AND ${to}::date
        ORDER BY id LIMIT ${perBatch}`;
    if (entries.length === 0) return null;
    const first = entries[0]!.id;
    const last = entries[entries.length - 1]!.id;
    // Usually the batch is every id of its range: the range alone selects its lines.
    const lines =
      last - first + 1n === BigInt(entries.length)
        ? await db.$queryRaw<LineRow[]>`
          SELECT "entryId", "accountNumber", "accountLabel", "auxNumber", "auxLabel", label, "debitCents", "creditCents"
          FROM "JournalLine" WHERE "entryId" BETWEEN ${first} AND ${last}
          ORDER BY "entryId", position`
        : await db.$queryRaw<LineRow[]>`
          SELECT "entryId", "accountNumber", "accountLabel", "auxNumber", "auxLabel", label, "debitCents", "creditCents"
          FROM "JournalLine" WHERE "entryId" BETWEEN ${first} AND ${last} AND "entryId" = ANY(${entries.map((e) => e.id)}::bigint[])
          ORDER BY "entryId", position`;
    return { entries, lines };
  };
  // The next batch is read while the caller formats and writes this one (on PostgreSQL the
  // server works meanwhile); at most two batches are held.
  let next: Promise<JournalBatch | null> = read(0n);
  next.catch(() => undefined); // a failure is thrown where it is awaited, not as unhandled
  try {
    for (;;) {
      const current = await next;
      if (!current) return;
      const full = current.entries.length === perBatch;
      next = full ? read(current.entries[current.entries.length - 1]!.id) : Promise.resolve(null);
      next.catch(() => undefined);
      yield current;
      if (!full) return;
    }
  } finally {
    // A consumer that stops early (client gone) leaves no query running behind it.
    await next.catch(() => undefined);
  }
}

/** Cents as "1234,56" for an integer number of cents (same text as amountFr, without BigInt). */
export function amountCents(cents: number): string {
  const abs = cents < 0 ? -cents : cents;
  const c = abs % 100;
  return `${cents < 0 ? '-' : ''}${(abs - c) / 100}${c < 10 ? ',0' : ','}${c}`;
}

/** The Paris day (aaaa-mm-jj) of instants in ms, cached by UTC hour (Paris offsets are whole hours). */
function parisDays(): (ms: number) => string {
  const cache = new Map<number, string>();
  return (ms) => {
    const hour = Math.floor(ms / 3_600_000);
    let day = cache.get(hour);
    if (day === undefined) {
      if (cache.size > 100_000) cache.clear();
      day = parisDay(new Date(hour * 3_600_000));
      cache.set(hour, day);
    }
    return day;
  };
}

/** fecText of the few distinct account labels and auxiliary accounts, computed once each. */
function cachedText(): (s: string | null) => string {
  const cache = new Map<string, string>();
  return (s) => {
    if (s === null) return '';
    let t = cache.get(s);
    if (t === undefined) {
      if (cache.size > 100_000) cache.clear();
      t = fecText(s);
      cache.set(s, t);
    }
    return t;
  };
}

/** The FEC of a fiscal year (calendar year): header then one line per journal line. */
export async function* fecChunks(db: Db, year: number, batch = BATCH): AsyncGenerator<string> {
  yield `${FEC_HEADER.join('\t')}\r\n`;
  const dayOf = parisDays();
  const text = cachedText();
  for await (const { entries, lines } of journalBatches(db, `${year}-01-01`, `${year}-12-31`, null, batch)) {
    let out = '';
    let head = '';
    let middle = '';
    let tail = '';
    for (const [l, e, first] of withEntries(entries, lines)) {
      if (first) {
        const valid = fecDate(dayOf(e.validatedMs));
        // JournalCode JournalLib EcritureNum EcritureDate | … | PieceRef PieceDate | … | EcritureLet DateLet ValidDate Montantdevise Idevise
        head = `${e.journal}\t${JOURNAL_LABELS[e.journal] ?? e.journal}\t${e.number}\t${fecDate(e.day)}\t`;
        middle = `${fecText(e.piece)}\t${valid}\t`;
        tail = `\t\t${valid}\t\t\r\n`;
      }
      out += `${head}${text(l.accountNumber)}\t${text(l.accountLabel)}\t${text(l.auxNumber)}\t${text(l.auxLabel)}\t${middle}${fecText(l.label)}\t${amountCents(l.debitCents)}\t${amountCents(l.creditCents)}\t${tail}`;
    }
    yield out;
  }
}

/**
 * Each line of a batch with its entry, and whether it is the entry's first line (lines come in
 * entry order, entries in the same order): the per-entry part of a row is built once per entry.
 */
function* withEntries<E extends { id: bigint }, L extends { entryId: bigint }>(entries: E[], lines: L[]): Generator<[L, E, boolean]> {
  let j = -1;
  let entry: E | undefined;
  for (const l of lines) {
    const first = entry?.id !== l.entryId;
    if (first) {
      while (entries[++j]!.id !== l.entryId);
      entry = entries[j]!;
    }
    yield [l, entry!, first];
  }
}

export const fecFileName = (siren: string, year: number): string => `${siren}FEC${year}1231.txt`;

/** The journal as CSV for French Excel: BOM, ';', decimal comma, dates jj/mm/aaaa. */
export async function* journalCsvChunks(db: Db, from: string, to: string, journal: string | null, batch = BATCH): AsyncGenerator<string> {
  yield BOM + csvRow(['Journal', 'N° écriture', 'Date', 'Pièce', 'Compte', 'Libellé du compte', 'Compte auxiliaire', 'Libellé', 'Débit', 'Crédit']);
  for await (const { entries, lines } of journalBatches(db, from, to, journal, batch)) {
    let out = '';
    let head = '';
    for (const [l, e, first] of withEntries(entries, lines)) {
      if (first) {
        const d = e.day;
        head = `${csvField(e.journal)};${e.number};${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)};${csvField(e.piece)};`;
      }
      out += `${head}${csvField(l.accountNumber)};${csvField(l.accountLabel)};${csvField(l.auxNumber)};${csvField(l.label)};${amountCents(l.debitCents)};${amountCents(l.creditCents)}\r\n`;
    }
    yield out;
  }
}

export interface BalanceRow {
  accountNumber: string;
  accountLabel: string;
  debit: bigint;
  credit: bigint;
}

/** Trial balance at a date: debit and credit totals per account, entries dated up to that day. */
/**
 * Trial balance at a date: the month totals (LedgerMonthTotal, kept by each posting) of the months
 * before the date's month, plus the lines of that month up to the date. Its cost does not grow
 * with the journal (docs/decisions/0043). An account's label is the one of its latest line.
 */
export async function trialBalance(db: Db, at: string): Promise<{ rows: BalanceRow[]; debit: bigint; credit: bigint }> {
  const rows = await db.$queryRaw<BalanceRow[]>`
    WITH sums AS (
      SELECT t."accountNumber", t."debitCents" AS debit, t."creditCents" AS credit
      FROM "LedgerMonthTotal" t WHERE t.month < to_char(${at}::date, 'YYYY-MM')
      UNION ALL
      SELECT l."accountNumber", l."debitCents"::bigint, l."creditCents"::bigint
      FROM "JournalEntry" e JOIN "JournalLine" l ON l."entryId" = e.id
      WHERE e.date >= date_trunc('month', ${at}::date)::date AND e.date <= ${at}::date
    ), per AS (
      SELECT "accountNumber", sum(debit)::bigint AS debit, sum(credit)::bigint AS credit FROM sums GROUP BY 1
    )
    SELECT p."accountNumber",
      (SELECT l."accountLabel" FROM "JournalLine" l WHERE l."accountNumber" = p."accountNumber" ORDER BY l."entryId" DESC LIMIT 1) AS "accountLabel",
      p.debit, p.credit
    FROM per p ORDER BY p."accountNumber"`;
  // Labels per rate ("TVA collectée 20 %") are reduced to the account's.
  for (const r of rows) r.accountLabel = r.accountLabel.replace(/ \d+(,\d+)? %$/, '');
  return { rows, debit: rows.reduce((s, r) => s + r.debit, 0n), credit: rows.reduce((s, r) => s + r.credit, 0n) };
}

export async function* trialBalanceCsv(db: Db, at: string): AsyncGenerator<string> {
  const tb = await trialBalance(db, at);
  let out = BOM + csvRow(['Compte', 'Libellé', 'Total débit', 'Total crédit', 'Solde débiteur', 'Solde créditeur']);
  for (const r of tb.rows) {
    const bal = r.debit - r.credit;
    out += csvRow([r.accountNumber, r.accountLabel, csvAmount(r.debit), csvAmount(r.credit), csvAmount(bal > 0n ? bal : 0n), csvAmount(bal < 0n ? -bal : 0n)]);
  }
  out += csvRow(['Total', '', csvAmount(tb.debit), csvAmount(tb.credit), '', '']);
  yield out;
}

interface LedgerRow {
  id: bigint;
  entryId: bigint;
  number: number;
  journal: string;
  day: string;
  piece: string;
  accountLabel: string;
  auxNumber: string | null;
  label: string;
  debitCents: number;
  creditCents: number;
}

/** General ledger at a date: per account, its lines in validation order with a running balance. */
export async function* generalLedgerCsv(db: Db, at: string, batch = BATCH): AsyncGenerator<string> {
  yield BOM + csvRow(['Compte', 'Libellé du compte', 'Date', 'Journal', 'N° écriture', 'Pièce', 'Compte auxiliaire', 'Libellé', 'Débit', 'Crédit', 'Solde']);
  const accounts = await db.$queryRaw<{ accountNumber: string }[]>`SELECT DISTINCT "accountNumber" FROM "JournalLine" ORDER BY 1`;
  for (const { accountNumber } of accounts) {
    let after = 0n;
    let afterEntry = 0n;
    let balance = 0;
    const account = csvField(accountNumber);
    for (;;) {
      const rows = await db.$queryRaw<LedgerRow[]>`
        SELECT l.id, l."entryId", e.number, e.journal::text AS journal, to_char(e.date, 'YYYY-MM-DD') AS day, e.piece,
               l."accountLabel", l."auxNumber", l.label, l."debitCents", l."creditCents"
        FROM "JournalLine" l JOIN "JournalEntry" e ON e.id = l."entryId"
        WHERE l."accountNumber" = ${accountNumber} AND (l."entryId", l.id) > (${afterEntry}, ${after}) AND e.date <= ${at}::date
        ORDER BY l."entryId", l.id LIMIT ${batch}`;
      if (rows.length === 0) break;
      let out = '';
      for (const r of rows) {
        // Cents as a double stay exact up to 2^53 (90 000 billion euros). Amounts are numbers for the
        // spreadsheet: written as-is, a negative balance too (the formula guard is for text cells).
        balance += r.debitCents - r.creditCents;
        out += `${account};${csvField(r.accountLabel)};${r.day};${csvField(r.journal)};${r.number};${csvField(r.piece)};${csvField(r.auxNumber)};${csvField(r.label)};${amountCents(r.debitCents)};${amountCents(r.creditCents)};${amountCents(balance)}\r\n`;
      }
      yield out;
      after = rows[rows.length - 1]!.id;
      afterEntry = rows[rows.length - 1]!.entryId;
      if (rows.length < batch) break;
    }
  }
}

export interface RateRow {
  vatRateBp: number;
  netCents: bigint;
  vatCents: bigint;
  count: bigint;
}

/**
 * Sales per Paris day (entry date) and VAT rate between two days: base = credits − debits of the
 * sales (707) and shipping (7085) lines of that rate minus the discount (7097, club credit used,
 * docs/decisions/0062) of that rate; VAT = the 44571 lines of that rate; count = entries with a
 * sales line of that rate. Credit notes reduce them. Grouped by the account key, so a renumbered
 * account still counts.
 *
 * Invoices book one 7097 line per rate (with its rate). Entries validated before that carry one
 * 7097 line without a rate: it is split over the entry's rates in proportion to their 707 + 7085
 * (largest remainder, ties to the higher rate), as the invoice split the credit over the rates —
 * docs/decisions/0044-sales-base-net-of-discount.md. Either way the bases add up to
 * 707 + 7085 − 7097 of the period.
 */
async function salesPerDayAndRate(db: Db, from: string, to: string, salesJournalOnly: boolean): Promise<(RateRow & { day: string })[]> {
  return db.$queryRaw<(RateRow & { day: string })[]>`
    WITH sel AS (
      SELECT e.date, l."entryId", l."vatRateBp", l."accountKey", l."debitCents"::bigint AS debit, l."creditCents"::bigint AS credit
      FROM "JournalLine" l JOIN "JournalEntry" e ON e.id = l."entryId"
      WHERE e.date BETWEEN ${from}::date AND ${to}::date AND (${!salesJournalOnly} OR e.journal::text = 'VE')
        AND l."accountKey" IN ('VENTES', 'PORTS', 'REMISES', 'TVA_COLLECTEE')
    ), rated AS (
      SELECT date, "entryId", "vatRateBp",
        coalesce(sum(credit - debit) FILTER (WHERE "accountKey" IN ('VENTES', 'PORTS')), 0) AS gross,
        coalesce(sum(debit - credit) FILTER (WHERE "accountKey" = 'REMISES'), 0) AS discount,
        coalesce(sum(credit - debit) FILTER (WHERE "accountKey" = 'TVA_COLLECTEE'), 0) AS vat,
        bool_or("accountKey" = 'VENTES') AS sale
      FROM sel WHERE "vatRateBp" IS NOT NULL GROUP BY 1, 2, 3
    ), unrated AS (
      SELECT "entryId", sum(debit - credit) AS discount FROM sel
      WHERE "accountKey" = 'REMISES' AND "vatRateBp" IS NULL GROUP BY 1
    ), weights AS (
      SELECT r."entryId", r."vatRateBp", u.discount, abs(u.discount)::numeric * r.gross / sum(r.gross) OVER (PARTITION BY r."entryId") AS exact
      FROM rated r JOIN unrated u ON u."entryId" = r."entryId" WHERE r.gross <> 0
    ), ranked AS (
      SELECT "entryId", "vatRateBp", discount, floor(exact) AS part,
        abs(discount) - sum(floor(exact)) OVER (PARTITION BY "entryId") AS rest,
        row_number() OVER (PARTITION BY "entryId" ORDER BY exact - floor(exact) DESC, "vatRateBp" DESC) AS rank
      FROM weights
    ), shares AS (
      SELECT "entryId", "vatRateBp", sign(discount) * (part + CASE WHEN rank <= rest THEN 1 ELSE 0 END) AS share FROM ranked
    )
    SELECT to_char(r.date, 'YYYY-MM-DD') AS day, r."vatRateBp",
      sum(r.gross - r.discount - coalesce(s.share, 0))::bigint AS "netCents",
      sum(r.vat)::bigint AS "vatCents",
      count(*) FILTER (WHERE r.sale)::bigint AS count
    FROM rated r LEFT JOIN shares s ON s."entryId" = r."entryId" AND s."vatRateBp" = r."vatRateBp"
    GROUP BY r.date, r."vatRateBp" ORDER BY r.date, r."vatRateBp" DESC`;
}

/** Sales per VAT rate between two days (all journals), highest rate first: see salesPerDayAndRate. */
export async function salesByRate(db: Db, from: string, to: string): Promise<RateRow[]> {
  const byRate = new Map<number, RateRow>();
  for (const r of await salesPerDayAndRate(db, from, to, false)) {
    const t = byRate.get(r.vatRateBp) ?? { vatRateBp: r.vatRateBp, netCents: 0n, vatCents: 0n, count: 0n };
    t.netCents += r.netCents;
    t.vatCents += r.vatCents;
    t.count += r.count;
    byRate.set(r.vatRateBp, t);
  }
  return [...byRate.values()].sort((a, b) => b.vatRateBp - a.vatRateBp);
}

export async function* salesByRateCsv(db: Db, from: string, to: string): AsyncGenerator<string> {
  let out = BOM + csvRow(['Taux de TVA', 'Base hors taxes', 'TVA collectée', 'Nombre de pièces']);
  for (const r of await salesByRate(db, from, to)) out += csvRow([formatRate(r.vatRateBp), csvAmount(r.netCents), csvAmount(r.vatCents), r.count]);
  yield out;
}

/** B2C e-reporting: per Paris day and VAT rate, amount excl. VAT (net of discounts), VAT and number of transactions. */
export async function* eReportingCsv(db: Db, from: string, to: string): AsyncGenerator<string> {
  yield BOM + csvRow(['Date', 'Taux de TVA', 'Montant hors taxes', 'TVA', 'Nombre d’opérations']);
  // One month at a time: bounded result sets.
  let cursor = from;
  while (cursor <= to) {
    const monthEnd = lastDayOfMonth(cursor) < to ? lastDayOfMonth(cursor) : to;
    const rows = await salesPerDayAndRate(db, cursor, monthEnd, true);
    let out = '';
    for (const r of rows) out += csvRow([r.day, formatRate(r.vatRateBp), csvAmount(r.netCents), csvAmount(r.vatCents), r.count]);
    if (out) yield out;
    cursor = nextMonthStart(cursor);
  }
}

function lastDayOfMonth(day: string): string {
  const d = new Date(`${day.slice(0, 7)}-01T12:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1, 0);
  return d.toISOString().slice(0, 10);
}
function nextMonthStart(day: string): string {
  const d = new Date(`${day.slice(0, 7)}-01T12:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d.toISOString().slice(0, 10);
}

/** The member credit sub-ledger (CreditLine) between two Paris days: no label (it may be personal). */
export async function* creditLinesCsv(db: Db, from: string, to: string, batch = BATCH): AsyncGenerator<string> {
  yield BOM + csvRow(['Date', 'Membre', 'Nature', 'Montant']);
  const start = parisDayStart(from);
  const end = parisDayEnd(to);
  let after = 0n;
  for (;;) {
    const rows = await db.$queryRaw<{ id: bigint; createdAt: Date; number: number; kind: string; amountCents: number }[]>`
      SELECT c.id, c."createdAt", m.number, c.kind::text AS kind, c."amountCents"
      FROM "CreditLine" c JOIN "Member" m ON m.id = c."memberId"
      WHERE c.id > ${after} AND c."createdAt" BETWEEN ${start} AND ${end}
      ORDER BY c.id LIMIT ${batch}`;
    if (rows.length === 0) return;
    let out = '';
    for (const r of rows) out += csvRow([parisDay(r.createdAt), memberNumber(r.number), CREDIT_KINDS[r.kind] ?? r.kind, csvAmount(r.amountCents)]);
    yield out;
    after = rows[rows.length - 1].id;
    if (rows.length < batch) return;
  }
}

const CREDIT_KINDS: Record<string, string> = { COUPON: 'Coupon', ORDER: 'Commande', REFUND: 'Remboursement', ADJUSTMENT: 'Ajustement', EXPIRY: 'Crédit perdu' };

/** Outstanding credit per member number at the end of a Paris day (year-end provision). */
export async function* outstandingCreditCsv(db: Db, at: string, batch = BATCH): AsyncGenerator<string> {
  yield BOM + csvRow(['Membre', 'Crédit restant']);
  const end = parisDayEnd(at);
  let after = 0;
  let total = 0n;
  for (;;) {
    const rows = await db.$queryRaw<{ number: number; balance: bigint }[]>`
      SELECT m.number, sum(c."amountCents")::bigint AS balance
      FROM "CreditLine" c JOIN "Member" m ON m.id = c."memberId"
      WHERE m.number > ${after} AND m.number <= ${after + batch} AND c."createdAt" <= ${end}
      GROUP BY m.number HAVING sum(c."amountCents") <> 0 ORDER BY m.number`;
    let out = '';
    for (const r of rows) {
      total += r.balance;
      out += csvRow([memberNumber(r.number), csvAmount(r.balance)]);
    }
    if (out) yield out;
    after += batch;
    const more = await db.$queryRaw<unknown[]>`SELECT 1 FROM "Member" WHERE number > ${after} LIMIT 1`;
    if (more.length === 0) break;
  }
  yield csvRow(['Total', csvAmount(total)]);
}
