// The accountant's exports, as async generators of text chunks read by keyset batches: memory
// stays constant whatever the size of the journal. Routes write the chunks to the response with
// back-pressure (see stream.ts). Line ids follow validation order (lines are inserted under the
// journal counter's lock), so `ORDER BY line id` is the journal's order.
import type { Db } from '../db/connect.ts';
import { parisDay, parisDayEnd, parisDayStart } from '../core/dates.ts';
import { memberNumber } from '../core/member-number.ts';
import { dateAsDay, formatRate } from './journal.ts';
import { amountFr, BOM, csvRow, FEC_HEADER, fecDate, fecText, JOURNAL_LABELS } from './format.ts';

export const BATCH = 5000;

interface LineRow {
  id: bigint;
  entryId: bigint;
  number: number;
  journal: string;
  date: Date;
  piece: string;
  validatedAt: Date;
  accountNumber: string;
  accountLabel: string;
  auxNumber: string | null;
  auxLabel: string | null;
  label: string;
  debitCents: number;
  creditCents: number;
}

/**
 * Journal lines with entry date in [from, to] (aaaa-mm-jj), optional journal, in validation order:
 * a keyset batch of entries (their ids follow the numbering), then their lines by the
 * (entryId, position) index. Each batch costs the same however far into the journal it is.
 */
export async function* journalLines(db: Db, from: string, to: string, journal?: string | null, batch = BATCH): AsyncGenerator<LineRow[]> {
  const entriesPerBatch = Math.max(1, Math.floor(batch / 3));
  let after = 0n;
  for (;;) {
    const entries = journal
      ? await db.$queryRaw<{ id: bigint }[]>`
        SELECT id FROM "JournalEntry" WHERE id > ${after} AND date BETWEEN ${from}::date AND ${to}::date AND journal::text = ${journal}
        ORDER BY id LIMIT ${entriesPerBatch}`
      : await db.$queryRaw<{ id: bigint }[]>`
        SELECT id FROM "JournalEntry" WHERE id > ${after} AND date BETWEEN ${from}::date AND ${to}::date
        ORDER BY id LIMIT ${entriesPerBatch}`;
    if (entries.length === 0) return;
    const first = entries[0].id;
    const last = entries[entries.length - 1].id;
    const ids = entries.map((e) => e.id);
    const rows = await db.$queryRaw<LineRow[]>`
      SELECT l.id, l."entryId", e.number, e.journal::text AS journal, e.date, e.piece, e."validatedAt", l."accountNumber", l."accountLabel",
             l."auxNumber", l."auxLabel", l.label, l."debitCents", l."creditCents"
      FROM "JournalLine" l JOIN "JournalEntry" e ON e.id = l."entryId"
      WHERE l."entryId" BETWEEN ${first} AND ${last} AND l."entryId" = ANY(${ids}::bigint[])
      ORDER BY l."entryId", l.position`;
    yield rows;
    after = last;
    if (entries.length < entriesPerBatch) return;
  }
}

/** The FEC of a fiscal year (calendar year): header then one line per journal line. */
export async function* fecChunks(db: Db, year: number): AsyncGenerator<string> {
  yield `${FEC_HEADER.join('\t')}\r\n`;
  for await (const rows of journalLines(db, `${year}-01-01`, `${year}-12-31`)) {
    let out = '';
    for (const r of rows) {
      const day = fecDate(dateAsDay(r.date));
      out += [
        r.journal,
        JOURNAL_LABELS[r.journal] ?? r.journal,
        String(r.number),
        day,
        fecText(r.accountNumber),
        fecText(r.accountLabel),
        fecText(r.auxNumber),
        fecText(r.auxLabel),
        fecText(r.piece),
        fecDate(parisDay(r.validatedAt)),
        fecText(r.label),
        amountFr(r.debitCents),
        amountFr(r.creditCents),
        '',
        '',
        fecDate(parisDay(r.validatedAt)),
        '',
        '',
      ].join('\t') + '\r\n';
    }
    yield out;
  }
}

export const fecFileName = (siren: string, year: number): string => `${siren}FEC${year}1231.txt`;

/** The journal as CSV for French Excel: BOM, ';', decimal comma, dates jj/mm/aaaa. */
export async function* journalCsvChunks(db: Db, from: string, to: string, journal: string | null): AsyncGenerator<string> {
  yield BOM + csvRow(['Journal', 'N° écriture', 'Date', 'Pièce', 'Compte', 'Libellé du compte', 'Compte auxiliaire', 'Libellé', 'Débit', 'Crédit']);
  for await (const rows of journalLines(db, from, to, journal)) {
    let out = '';
    for (const r of rows) {
      const d = dateAsDay(r.date);
      out += csvRow([r.journal, r.number, `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`, r.piece, r.accountNumber, r.accountLabel, r.auxNumber, r.label, amountFr(r.debitCents), amountFr(r.creditCents)]);
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
export async function trialBalance(db: Db, at: string): Promise<{ rows: BalanceRow[]; debit: bigint; credit: bigint }> {
  const rows = await db.$queryRaw<BalanceRow[]>`
    SELECT l."accountNumber", max(l."accountLabel") AS "accountLabel",
           sum(l."debitCents")::bigint AS debit, sum(l."creditCents")::bigint AS credit
    FROM "JournalLine" l JOIN "JournalEntry" e ON e.id = l."entryId"
    WHERE e.date <= ${at}::date
    GROUP BY l."accountNumber" ORDER BY l."accountNumber"`;
  // Labels per rate ("TVA collectée 20 %") are reduced to the account's.
  for (const r of rows) r.accountLabel = r.accountLabel.replace(/ \d+(,\d+)? %$/, '');
  return { rows, debit: rows.reduce((s, r) => s + r.debit, 0n), credit: rows.reduce((s, r) => s + r.credit, 0n) };
}

export async function* trialBalanceCsv(db: Db, at: string): AsyncGenerator<string> {
  const tb = await trialBalance(db, at);
  let out = BOM + csvRow(['Compte', 'Libellé', 'Total débit', 'Total crédit', 'Solde débiteur', 'Solde créditeur']);
  for (const r of tb.rows) {
    const bal = r.debit - r.credit;
    out += csvRow([r.accountNumber, r.accountLabel, amountFr(r.debit), amountFr(r.credit), amountFr(bal > 0n ? bal : 0n), amountFr(bal < 0n ? -bal : 0n)]);
  }
  out += csvRow(['Total', '', amountFr(tb.debit), amountFr(tb.credit), '', '']);
  yield out;
}

/** General ledger at a date: per account, its lines in validation order with a running balance. */
export async function* generalLedgerCsv(db: Db, at: string, batch = BATCH): AsyncGenerator<string> {
  yield BOM + csvRow(['Compte', 'Libellé du compte', 'Date', 'Journal', 'N° écriture', 'Pièce', 'Compte auxiliaire', 'Libellé', 'Débit', 'Crédit', 'Solde']);
  const accounts = await db.$queryRaw<{ accountNumber: string }[]>`SELECT DISTINCT "accountNumber" FROM "JournalLine" ORDER BY 1`;
  for (const { accountNumber } of accounts) {
    let after = 0n;
    let afterEntry = 0n;
    let balance = 0n;
    for (;;) {
      const rows = await db.$queryRaw<LineRow[]>`
        SELECT l.id, l."entryId", e.number, e.journal::text AS journal, e.date, e.piece, e."validatedAt", l."accountNumber", l."accountLabel",
               l."auxNumber", l."auxLabel", l.label, l."debitCents", l."creditCents"
        FROM "JournalLine" l JOIN "JournalEntry" e ON e.id = l."entryId"
        WHERE l."accountNumber" = ${accountNumber} AND (l."entryId", l.id) > (${afterEntry}, ${after}) AND e.date <= ${at}::date
        ORDER BY l."entryId", l.id LIMIT ${batch}`;
      if (rows.length === 0) break;
      let out = '';
      for (const r of rows) {
        balance += BigInt(r.debitCents) - BigInt(r.creditCents);
        out += csvRow([r.accountNumber, r.accountLabel, dateAsDay(r.date), r.journal, r.number, r.piece, r.auxNumber, r.label, amountFr(r.debitCents), amountFr(r.creditCents), amountFr(balance)]);
      }
      yield out;
      after = rows[rows.length - 1].id;
      afterEntry = rows[rows.length - 1].entryId;
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
 * Sales per VAT rate between two days: net = credits − debits on sales (707) and shipping (7085)
 * lines of that rate, VAT = the 44571 lines of that rate, count = entries with a sales line.
 * Credit notes reduce them. Grouped by the account key, so a renumbered account still counts.
 */
export async function salesByRate(db: Db, from: string, to: string): Promise<RateRow[]> {
  return db.$queryRaw<RateRow[]>`
    SELECT l."vatRateBp",
           coalesce(sum(l."creditCents" - l."debitCents") FILTER (WHERE l."accountKey" IN ('VENTES', 'PORTS')), 0)::bigint AS "netCents",
           coalesce(sum(l."creditCents" - l."debitCents") FILTER (WHERE l."accountKey" = 'TVA_COLLECTEE'), 0)::bigint AS "vatCents",
           count(DISTINCT l."entryId") FILTER (WHERE l."accountKey" = 'VENTES')::bigint AS count
    FROM "JournalLine" l JOIN "JournalEntry" e ON e.id = l."entryId"
    WHERE e.date BETWEEN ${from}::date AND ${to}::date AND l."vatRateBp" IS NOT NULL
      AND l."accountKey" IN ('VENTES', 'PORTS', 'TVA_COLLECTEE')
    GROUP BY l."vatRateBp" ORDER BY l."vatRateBp" DESC`;
}

export async function* salesByRateCsv(db: Db, from: string, to: string): AsyncGenerator<string> {
  let out = BOM + csvRow(['Taux de TVA', 'Base hors taxes', 'TVA collectée', 'Nombre de pièces']);
  for (const r of await salesByRate(db, from, to)) out += csvRow([formatRate(r.vatRateBp), amountFr(r.netCents), amountFr(r.vatCents), r.count]);
  yield out;
}

/** B2C e-reporting: per Paris day and VAT rate, amount excl. VAT, VAT and number of transactions. */
export async function* eReportingCsv(db: Db, from: string, to: string): AsyncGenerator<string> {
  yield BOM + csvRow(['Date', 'Taux de TVA', 'Montant hors taxes', 'TVA', 'Nombre d’opérations']);
  // One month at a time: bounded result sets.
  let cursor = from;
  while (cursor <= to) {
    const monthEnd = lastDayOfMonth(cursor) < to ? lastDayOfMonth(cursor) : to;
    const rows = await db.$queryRaw<(RateRow & { date: Date })[]>`
      SELECT e.date, l."vatRateBp",
             coalesce(sum(l."creditCents" - l."debitCents") FILTER (WHERE l."accountKey" IN ('VENTES', 'PORTS')), 0)::bigint AS "netCents",
             coalesce(sum(l."creditCents" - l."debitCents") FILTER (WHERE l."accountKey" = 'TVA_COLLECTEE'), 0)::bigint AS "vatCents",
             count(DISTINCT l."entryId") FILTER (WHERE l."accountKey" = 'VENTES')::bigint AS count
      FROM "JournalLine" l JOIN "JournalEntry" e ON e.id = l."entryId"
      WHERE e.journal = 'VE' AND e.date BETWEEN ${cursor}::date AND ${monthEnd}::date AND l."vatRateBp" IS NOT NULL
        AND l."accountKey" IN ('VENTES', 'PORTS', 'TVA_COLLECTEE')
      GROUP BY e.date, l."vatRateBp" ORDER BY e.date, l."vatRateBp" DESC`;
    let out = '';
    for (const r of rows) out += csvRow([dateAsDay(r.date), formatRate(r.vatRateBp), amountFr(r.netCents), amountFr(r.vatCents), r.count]);
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
    for (const r of rows) out += csvRow([parisDay(r.createdAt), memberNumber(r.number), CREDIT_KINDS[r.kind] ?? r.kind, amountFr(r.amountCents)]);
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
      out += csvRow([memberNumber(r.number), amountFr(r.balance)]);
    }
    if (out) yield out;
    after += batch;
    const more = await db.$queryRaw<unknown[]>`SELECT 1 FROM "Member" WHERE number > ${after} LIMIT 1`;
    if (more.length === 0) break;
  }
  yield csvRow(['Total', amountFr(total)]);
}
