// The general journal (DESIGN §5): append-only, balanced, numbered without gaps at validation.
// Domains post their bookings with `postEntry(tx, …)` inside the transaction of the event itself,
// so the event and its entry commit together or not at all. The database backs every rule here
// (CHECKs, append-only triggers, deferred balance trigger, closed-period trigger): see the
// migration `accounting_journal` and docs/decisions/0040-general-journal.md.
import type { Prisma } from '../generated/prisma/client.ts';
import { AppError } from '../core/errors.ts';
import { memberNumber as formatMemberNumber } from '../core/member-number.ts';
import { parisDay } from '../core/dates.ts';
import { nextNumber } from '../db/counter.ts';
import { AUXILIARY_KEYS, DEFAULT_CHART, isAccountKey } from './chart.ts';
import type { AccountKey, ChartEntry } from './chart.ts';
import { addEntryToTotals } from './totals.ts';

export type { AccountKey } from './chart.ts';
export type JournalCode = 'VE' | 'BQ' | 'OD'; // Ventes, Banque, Opérations diverses

type Tx = Prisma.TransactionClient;

export interface JournalLineInput {
  account: AccountKey;
  /** For VENTES, PORTS, REMISES and TVA_COLLECTEE lines: the VAT rate this line is for (basis points). */
  vatRateBp?: number;
  /** For CLIENTS / CLIENTS_CREDITEURS: the auxiliary account, labelled "Membre M000123". */
  memberNumber?: number;
  /** Exactly one of debit/credit is > 0; a line with both 0 is dropped. */
  debitCents?: number;
  creditCents?: number;
  /** Defaults to the entry label. */
  label?: string;
}

export interface EntryInput {
  journal: JournalCode;
  /** The event's instant (deps.clock): validation instant; the entry is dated its Europe/Paris day
   *  or the first day of the next open period when that day's period is closed. */
  at: Date;
  /** Piece reference: order, invoice, credit-note number, contest id. */
  piece: string;
  /** Never personal data: order/invoice numbers and member numbers only. */
  label: string;
  /** Unique per event, e.g. `order:<id>:invoice`. */
  idempotencyKey: string;
  lines: JournalLineInput[];
}

export type JournalErrorCode = 'UNBALANCED' | 'NEGATIVE' | 'BOTH_SIDES' | 'NO_LINE' | 'NOT_INTEGER' | 'BAD_INPUT' | 'NOT_FOUND';

/** A booking the journal refuses: a programming error of the posting domain, never the visitor's. */
export class JournalError extends AppError {
  constructor(
    readonly code: JournalErrorCode,
    message: string,
  ) {
    super(`Écriture refusée : ${message}`, code === 'NOT_FOUND' ? 404 : 500);
  }
}

const JOURNALS: ReadonlySet<string> = new Set(['VE', 'BQ', 'OD']);
/** Text that breaks the FEC or the CSV exports is normalised at validation (tabs, pipes, newlines). */
const cleanText = (s: string): string => s.replace(/[\t\r\n|]+/g, ' ').replace(/\s+/g, ' ').trim();

/** "20 %", "5,5 %", "2,1 %". */
export const formatRate = (bp: number): string => `${(bp / 100).toLocaleString('fr-FR', { maximumFractionDigits: 2 })} %`;

interface CheckedLine {
  account: AccountKey;
  vatRateBp: number | null;
  memberNumber: number | null;
  debitCents: number;
  creditCents: number;
  label: string;
}

/** Validates an entry in code (the database checks again at commit); returns the lines kept. */
export function checkEntry(entry: EntryInput): CheckedLine[] {
  if (!JOURNALS.has(entry.journal)) throw new JournalError('BAD_INPUT', `journal inconnu ${String(entry.journal)}`);
  if (!(entry.at instanceof Date) || Number.isNaN(entry.at.getTime())) throw new JournalError('BAD_INPUT', 'date invalide');
  const label = cleanText(entry.label ?? '');
  if (!label) throw new JournalError('BAD_INPUT', 'libellé vide');
  if (!cleanText(entry.piece ?? '')) throw new JournalError('BAD_INPUT', 'pièce vide');
  if (!entry.idempotencyKey) throw new JournalError('BAD_INPUT', 'clé d’idempotence manquante');
  const kept: CheckedLine[] = [];
  for (const l of entry.lines) {
    const debit = l.debitCents ?? 0;
    const credit = l.creditCents ?? 0;
    if (!Number.isSafeInteger(debit) || !Number.isSafeInteger(credit)) throw new JournalError('NOT_INTEGER', `montant non entier sur ${l.account}`);
    if (debit < 0 || credit < 0) throw new JournalError('NEGATIVE', `montant négatif sur ${l.account}`);
    if (debit > 0 && credit > 0) throw new JournalError('BOTH_SIDES', `débit et crédit sur la même ligne ${l.account}`);
    if (debit === 0 && credit === 0) continue;
    if (debit > 2_147_483_647 || credit > 2_147_483_647) throw new JournalError('BAD_INPUT', `montant trop grand sur ${l.account}`);
    if (!AUXILIARY_KEYS.has(l.account) && l.memberNumber != null) throw new JournalError('BAD_INPUT', `compte auxiliaire sur ${l.account}`);
    if (l.memberNumber != null && (!Number.isSafeInteger(l.memberNumber) || l.memberNumber < 1)) throw new JournalError('BAD_INPUT', 'numéro de membre invalide');
    if (l.vatRateBp != null && (!Number.isSafeInteger(l.vatRateBp) || l.vatRateBp < 0 || l.vatRateBp > 10_000)) throw new JournalError('BAD_INPUT', 'taux de TVA invalide');
    kept.push({
      account: l.account,
      vatRateBp: l.vatRateBp ?? null,
      memberNumber: l.memberNumber ?? null,
      debitCents: debit,
      creditCents: credit,
      label: cleanText(l.label ?? '') || label,
    });
  }
  if (kept.length === 0) throw new JournalError('NO_LINE', 'aucune ligne');
  if (kept.length < 2) throw new JournalError('UNBALANCED', 'une seule ligne');
  const debit = kept.reduce((s, l) => s + l.debitCents, 0);
  const credit = kept.reduce((s, l) => s + l.creditCents, 0);
  if (debit !== credit) throw new JournalError('UNBALANCED', `débit ${debit} ≠ crédit ${credit} (centimes)`);
  return kept;
}

// ---- Periods ----

const monthOf = (day: string): string => day.slice(0, 7);
const yearOf = (day: string): string => day.slice(0, 4);
function firstDayOfNextMonth(day: string): string {
  const y = Number(day.slice(0, 4));
  const m = Number(day.slice(5, 7));
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

/** The closed periods ('AAAA-MM' months and 'AAAA' fiscal years). */
export async function closedPeriods(db: Pick<Tx, 'accountingClosure'>): Promise<Set<string>> {
  const rows = await db.accountingClosure.findMany({ select: { period: true } });
  return new Set(rows.map((r) => r.period));
}

export const isDayClosed = (closed: ReadonlySet<string>, day: string): boolean => closed.has(monthOf(day)) || closed.has(yearOf(day));

/** The accounting date for an event at `at`: its Paris day, or the first day of the next open period. */
export function accountingDay(closed: ReadonlySet<string>, at: Date): string {
  let day = parisDay(at);
  for (let i = 0; i < 1200 && isDayClosed(closed, day); i++) day = firstDayOfNextMonth(day);
  return day;
}

/** A calendar day aaaa-mm-jj as the value of a DATE column. */
export const dayAsDate = (day: string): Date => new Date(`${day}T00:00:00.000Z`);
/** A DATE column's value as aaaa-mm-jj. */
export const dateAsDay = (d: Date): string => d.toISOString().slice(0, 10);

// ---- Posting ----

/** The chart of accounts (defaults with the accountant's changes) and the closed periods, in one query. */
async function chartAndClosures(tx: Tx): Promise<{ chart: Record<AccountKey, ChartEntry>; closed: Set<string> }> {
  const rows = await tx.$queryRaw<{ key: string | null; number: string | null; label: string | null; period: string | null }[]>`
    SELECT key, number, label, NULL::text AS period FROM "ChartAccount"
    UNION ALL SELECT NULL, NULL, NULL, period FROM "AccountingClosure"`;
  const chart = { ...DEFAULT_CHART } as Record<AccountKey, ChartEntry>;
  const closed = new Set<string>();
  for (const r of rows) {
    if (r.period !== null) closed.add(r.period);
    else if (r.key !== null && isAccountKey(r.key)) chart[r.key] = { number: r.number!, label: r.label! };
  }
  return { chart, closed };
}

/**
 * Posts a balanced entry in the caller's transaction. An idempotency key already posted returns
 * that entry with `duplicate: true`. The gapless number is taken last, so the counter row stays
 * locked only for the inserts and the rest of the caller's transaction.
 */
export async function postEntry(tx: Tx, entry: EntryInput): Promise<{ entryId: bigint; number: number; duplicate: boolean }> {
  const existing = await tx.journalEntry.findUnique({ where: { idempotencyKey: entry.idempotencyKey }, select: { id: true, number: true } });
  if (existing) return { entryId: existing.id, number: existing.number, duplicate: true };
  const lines = checkEntry(entry);

  const number = await nextNumber(tx, 'journal');
  // Read after the counter lock: a period closing takes the same lock, so it cannot slip between
  // this read and the insert. The chart comes with the closures in the same query.
  const { chart, closed } = await chartAndClosures(tx);
  const day = accountingDay(closed, entry.at);
  const created = await tx.journalEntry.create({
    data: {
      number,
      journal: entry.journal,
      date: dayAsDate(day),
      piece: cleanText(entry.piece),
      label: cleanText(entry.label),
      validatedAt: entry.at,
      idempotencyKey: entry.idempotencyKey,
    },
    select: { id: true },
  });
  await tx.journalLine.createMany({
    data: lines.map((l, position) => {
      const account = chart[l.account];
      const rated = l.vatRateBp != null && (l.account === 'VENTES' || l.account === 'REMISES' || l.account === 'TVA_COLLECTEE');
      const aux = AUXILIARY_KEYS.has(l.account) && l.memberNumber != null ? formatMemberNumber(l.memberNumber) : null;
      return {
        entryId: created.id,
        position,
        accountKey: l.account,
        accountNumber: account.number,
        accountLabel: rated ? `${account.label} ${formatRate(l.vatRateBp!)}` : account.label,
        memberNumber: aux ? l.memberNumber : null,
        auxNumber: aux,
        auxLabel: aux ? `Membre ${aux}` : null,
        vatRateBp: l.vatRateBp,
        label: l.label,
        debitCents: l.debitCents,
        creditCents: l.creditCents,
      };
    }),
  });
  // The month totals the dashboard reads, in the same transaction (docs/decisions/0043).
  await addEntryToTotals(tx, created.id);
  return { entryId: created.id, number, duplicate: false };
}

/**
 * A correction: a new entry with the same accounts and the sides swapped, dated by `at` (the next
 * open period when its own is closed). Idempotent by `idempotencyKey`.
 */
export async function reverseEntry(tx: Tx, entryId: bigint, at: Date, idempotencyKey: string): Promise<{ entryId: bigint; number: number; duplicate: boolean }> {
  const original = await tx.journalEntry.findUnique({ where: { id: entryId }, include: { lines: { orderBy: { position: 'asc' } } } });
  if (!original) throw new JournalError('NOT_FOUND', `écriture ${entryId} introuvable`);
  const existing = await tx.journalEntry.findUnique({ where: { idempotencyKey }, select: { id: true, number: true } });
  if (existing) return { entryId: existing.id, number: existing.number, duplicate: true };
  const label = `Extourne de l’écriture n° ${original.number} : ${original.label}`.slice(0, 200);
  const posted = await postEntryLines(tx, {
    journal: original.journal,
    at,
    piece: original.piece,
    label,
    idempotencyKey,
    reversesId: original.id,
    lines: original.lines.map((l) => ({
      accountKey: l.accountKey,
      accountNumber: l.accountNumber,
      accountLabel: l.accountLabel,
      memberNumber: l.memberNumber,
      auxNumber: l.auxNumber,
      auxLabel: l.auxLabel,
      vatRateBp: l.vatRateBp,
      label: `Extourne ${l.label}`.slice(0, 200),
      debitCents: l.creditCents,
      creditCents: l.debitCents,
    })),
  });
  return { ...posted, duplicate: false };
}

interface ResolvedLine {
  accountKey: string;
  accountNumber: string;
  accountLabel: string;
  memberNumber: number | null;
  auxNumber: string | null;
  auxLabel: string | null;
  vatRateBp: number | null;
  label: string;
  debitCents: number;
  creditCents: number;
}

/** Posts lines whose accounts are already resolved (a reversal keeps the original's accounts). */
async function postEntryLines(
  tx: Tx,
  e: { journal: JournalCode; at: Date; piece: string; label: string; idempotencyKey: string; reversesId: bigint | null; lines: ResolvedLine[] },
): Promise<{ entryId: bigint; number: number }> {
  const number = await nextNumber(tx, 'journal');
  const day = accountingDay(await closedPeriods(tx), e.at);
  const created = await tx.journalEntry.create({
    data: { number, journal: e.journal, date: dayAsDate(day), piece: e.piece, label: cleanText(e.label), validatedAt: e.at, idempotencyKey: e.idempotencyKey, reversesId: e.reversesId },
    select: { id: true },
  });
  await tx.journalLine.createMany({ data: e.lines.map((l, position) => ({ ...l, entryId: created.id, position })) });
  await addEntryToTotals(tx, created.id);
  return { entryId: created.id, number };
}
