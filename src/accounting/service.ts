// The accountant's services: period closing, chart of accounts, dashboard figures, export audit.
import type { Deps } from '../deps.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { auditWith } from '../audit/service.ts';
import { ValidationError } from '../core/errors.ts';
import { parisDay } from '../core/dates.ts';
import { ACCOUNT_KEYS, DEFAULT_CHART, expectedPrefix, isAccountKey, loadChart } from './chart.ts';
import type { AccountKey } from './chart.ts';
import { closePeriod, isMonthPeriod, lockJournal } from './periods.ts';
import { formatRate } from './journal.ts';

type Tx = Prisma.TransactionClient;

export const ACCOUNTING_AUDIT = {
  'accounting.export': 'Export comptable téléchargé',
  'accounting.period-closed': 'Période comptable clôturée',
  'accounting.chart-changed': 'Plan comptable modifié',
} as const;
const audit = auditWith(ACCOUNTING_AUDIT);

export const EXPORT_LABELS: Record<string, string> = {
  fec: 'FEC',
  journal: 'Journal (CSV)',
  balance: 'Balance générale (CSV)',
  'grand-livre': 'Grand livre (CSV)',
  'ventes-tva': 'Ventes par taux de TVA (CSV)',
  'credit-mouvements': 'Crédit des membres : mouvements (CSV)',
  'credit-soldes': 'Crédit des membres : soldes (CSV)',
  'e-reporting': 'E-reporting B2C (CSV)',
};

export async function recordExport(deps: Deps, actorId: string, what: string, params: Record<string, string>): Promise<void> {
  await audit(deps.db, 'accounting.export', { at: deps.clock.now(), actor: actorId, details: { what, ...params } });
}

export async function lastExports(deps: Deps, take = 10) {
  const rows = await deps.db.auditEvent.findMany({ where: { action: 'accounting.export' }, orderBy: { id: 'desc' }, take });
  return rows.map((r) => {
    const d = (r.details ?? {}) as Record<string, string>;
    const { what = '', ...params } = d;
    return { at: r.at, what: EXPORT_LABELS[what] ?? what, params: Object.entries(params).map(([k, v]) => `${k} ${v}`).join(', ') };
  });
}

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];
export const monthLabel = (p: string): string => `${MONTHS[Number(p.slice(5, 7)) - 1]} ${p.slice(0, 4)}`;

const nextMonth = (p: string): string => {
  const y = Number(p.slice(0, 4));
  const m = Number(p.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
};
const previousMonth = (p: string): string => {
  const y = Number(p.slice(0, 4));
  const m = Number(p.slice(5, 7));
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};

/**
 * Where closing stands (docs/decisions/0045-periods-close-in-order.md): months close in order,
 * from the month of the journal's earliest entry (the last finished month when the journal is
 * empty). `oldestOpen` is the first month from there that is neither closed nor in a closed year:
 * the only month that may be closed, once finished. Read from the month totals (one row per
 * month, journal and account), never from the lines.
 */
export async function closingOrder(db: Pick<Tx, '$queryRaw'>, thisMonth: string): Promise<{ start: string; oldestOpen: string; closed: Map<string, Date> }> {
  const rows = await db.$queryRaw<{ first: string | null; period: string | null; closedAt: Date | null }[]>`
    SELECT (SELECT min(month) FROM "LedgerMonthTotal") AS first, NULL::text AS period, NULL::timestamptz AS "closedAt"
    UNION ALL SELECT NULL, period, "closedAt" FROM "AccountingClosure"`;
  const closed = new Map<string, Date>();
  let first: string | null = null;
  for (const r of rows) {
    if (r.period !== null) closed.set(r.period, r.closedAt!);
    else first = r.first;
  }
  const lastFinished = previousMonth(thisMonth);
  const start = first !== null && first < lastFinished ? first : lastFinished;
  let oldestOpen = start;
  for (let i = 0; i < 1200 && (closed.has(oldestOpen) || closed.has(oldestOpen.slice(0, 4))); i++) oldestOpen = nextMonth(oldestOpen);
  return { start, oldestOpen, closed };
}

/** Why a period cannot be closed now, in French, or null. `closed` periods are handled by the caller. */
function closingRefusal(period: string, thisMonth: string, order: { start: string; oldestOpen: string }): string | null {
  const lastMonth = isMonthPeriod(period) ? period : `${period}-12`;
  if (!(lastMonth < thisMonth)) return 'On ne clôture qu’une période terminée.';
  const { start, oldestOpen } = order;
  if (isMonthPeriod(period)) {
    if (period === oldestOpen) return null;
    if (period < start) return `Aucune écriture avant ${monthLabel(start)} : le prochain mois à clôturer est ${monthLabel(oldestOpen)}.`;
    return `Les mois se clôturent dans l’ordre : clôturez d’abord ${monthLabel(oldestOpen)}, le plus ancien mois ouvert.`;
  }
  if (period < start.slice(0, 4)) return `L’exercice ${period} précède la première écriture (${monthLabel(start)}) : rien à clôturer.`;
  if (oldestOpen <= lastMonth) {
    return oldestOpen.startsWith(period)
      ? `Clôturez d’abord tous les mois de l’exercice ${period}, dans l’ordre : le plus ancien ouvert est ${monthLabel(oldestOpen)}.`
      : `Les périodes se clôturent dans l’ordre : clôturez d’abord ${monthLabel(oldestOpen)}, le plus ancien mois ouvert.`;
  }
  return null;
}

/**
 * Closes a month (AAAA-MM) or a fiscal year (AAAA). Months close in order (only the oldest open
 * month, once finished); a fiscal year once all its months from the journal's start are closed
 * (the months before the journal's first entry are closed with it).
 */
export async function closeAccountingPeriod(deps: Deps, actorId: string, period: string): Promise<{ closed: boolean }> {
  const now = deps.clock.now();
  const thisMonth = parisDay(now).slice(0, 7);
  return deps.db.$transaction(async (tx) => {
    // The journal's lock first: no posting or other closing changes the order while we decide.
    await lockJournal(tx);
    const order = await closingOrder(tx, thisMonth);
    const already = order.closed.has(period) || (isMonthPeriod(period) && order.closed.has(period.slice(0, 4)));
    if (!already) {
      const refusal = closingRefusal(period, thisMonth, order);
      if (refusal) throw new ValidationError(refusal, 'period');
    }
    const closed = await closePeriod(tx, period, now);
    if (closed && !isMonthPeriod(period)) {
      for (let m = 1; m <= 12; m++) {
        const p = `${period}-${String(m).padStart(2, '0')}`;
        if (!(await tx.accountingClosure.findUnique({ where: { period: p } }))) await tx.accountingClosure.create({ data: { period: p, closedAt: now } });
      }
    }
    if (closed) await audit(tx, 'accounting.period-closed', { at: now, actor: actorId, details: { what: period } });
    return { closed };
  });
}

export interface PeriodStatus {
  period: string;
  label: string;
  closed: boolean;
  closedAt: Date | null;
  canClose: boolean;
}

/** Months of a fiscal year with their status, and the year's; `canClose` follows the closing order. */
export async function periodStatus(deps: Deps, year: number): Promise<{ year: PeriodStatus; months: PeriodStatus[]; oldestOpen: string }> {
  const thisMonth = parisDay(deps.clock.now()).slice(0, 7);
  const order = await closingOrder(deps.db, thisMonth);
  const byPeriod = order.closed;
  const months = Array.from({ length: 12 }, (_, i) => {
    const period = `${year}-${String(i + 1).padStart(2, '0')}`;
    const closedAt = byPeriod.get(period) ?? null;
    return { period, label: monthLabel(period), closed: !!closedAt, closedAt, canClose: !closedAt && closingRefusal(period, thisMonth, order) === null };
  });
  const y = String(year);
  const yc = byPeriod.get(y) ?? null;
  return { year: { period: y, label: `exercice ${year}`, closed: !!yc, closedAt: yc, canClose: !yc && closingRefusal(y, thisMonth, order) === null }, months, oldestOpen: order.oldestOpen };
}

/**
 * Entries and total debit per journal over a fiscal year, in journal order (VE, BQ, OD), journals
 * without lines left out. Read from the month totals (a few rows per month), never from the lines.
 */
export async function journalTotals(deps: Deps, year: number) {
  return deps.db.$queryRaw<{ journal: string; entries: bigint; debit: bigint }[]>`
    SELECT t."journal"::text AS journal, sum(t."entryCount")::bigint AS entries, sum(t."debitCents")::bigint AS debit
    FROM "LedgerMonthTotal" t
    WHERE t."month" BETWEEN ${`${year}-01`} AND ${`${year}-12`}
    GROUP BY t."journal" ORDER BY t."journal"`;
}

export interface MonthFigures {
  month: string;
  netCents: number;
  vatCents: number;
}

/** Net sales (707 + 7085 − 7097: the club credit used is a discount) and VAT collected per month of a year, from the month totals. */
export async function monthlySales(deps: Deps, year: number): Promise<MonthFigures[]> {
  const rows = await deps.db.$queryRaw<{ month: string; net: bigint; vat: bigint }[]>`
    SELECT t."month" AS month,
      coalesce(sum(t."creditCents" - t."debitCents") FILTER (WHERE t."accountKey" IN ('VENTES', 'PORTS', 'REMISES')), 0)::bigint AS net,
      coalesce(sum(t."creditCents" - t."debitCents") FILTER (WHERE t."accountKey" = 'TVA_COLLECTEE'), 0)::bigint AS vat
    FROM "LedgerMonthTotal" t
    WHERE t."month" BETWEEN ${`${year}-01`} AND ${`${year}-12`}
    GROUP BY t."month"`;
  const by = new Map(rows.map((r) => [r.month, r]));
  return Array.from({ length: 12 }, (_, i) => {
    const month = `${year}-${String(i + 1).padStart(2, '0')}`;
    const r = by.get(month);
    return { month, netCents: Number(r?.net ?? 0n), vatCents: Number(r?.vat ?? 0n) };
  });
}

/** The chart as shown to the accountant: every key with its number, label and default. */
export async function chartRows(deps: Deps) {
  const chart = await loadChart(deps.db);
  return ACCOUNT_KEYS.map((key) => ({ key, ...chart[key], default: DEFAULT_CHART[key], prefix: expectedPrefix(key) }));
}

/**
 * Renumbers or relabels an account. Refused: a number outside the role's account or class
 * (expectedPrefix), and a number another role has now or had on validated lines (the balance and
 * the ledger group by number: two roles on one number would be summed together).
 */
export async function updateChartAccount(deps: Deps, actorId: string, input: { key: string; number: string; label: string }): Promise<{ key: AccountKey }> {
  if (!isAccountKey(input.key)) throw new ValidationError('Compte inconnu.', 'key');
  const key = input.key;
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    // The journal's lock: postings read the chart under it, and two changes cannot both take a free number.
    await lockJournal(tx);
    const chart = await loadChart(tx);
    const other = ACCOUNT_KEYS.find((k) => k !== key && chart[k].number === input.number);
    const used = other ?? (await tx.journalLine.findFirst({ where: { accountNumber: input.number, accountKey: { not: key } }, select: { accountKey: true } }))?.accountKey;
    if (used) {
      const label = other ? chart[other].label : isAccountKey(used) ? DEFAULT_CHART[used].label : used;
      throw new ValidationError(`Le numéro ${input.number} est ${other ? 'déjà celui' : 'celui d’écritures validées'} du compte « ${label} » : choisissez un autre numéro.`, 'number');
    }
    const prefix = expectedPrefix(key);
    if (!input.number.startsWith(prefix)) {
      throw new ValidationError(`Numéro de compte : pour « ${DEFAULT_CHART[key].label} », un numéro commençant par ${prefix} (par défaut ${DEFAULT_CHART[key].number}).`, 'number');
    }
    await tx.chartAccount.upsert({ where: { key }, create: { key, number: input.number, label: input.label, updatedAt: now }, update: { number: input.number, label: input.label, updatedAt: now } });
    await audit(tx, 'accounting.chart-changed', { at: now, actor: actorId, details: { what: key, id: `${input.number} ${input.label}` } });
  });
  return { key };
}

export { formatRate };
