// Number and text formats of the exports: FEC (art. A47 A-1 LPF) and CSV for French Excel.

/** Cents as "1234,56": decimal comma, no thousands separator (FEC and CSV). */
export function amountFr(cents: number | bigint): string {
  const c = BigInt(cents);
  const neg = c < 0n;
  const abs = neg ? -c : c;
  return `${neg ? '-' : ''}${abs / 100n},${String(abs % 100n).padStart(2, '0')}`;
}

/** aaaa-mm-jj → AAAAMMJJ. */
export const fecDate = (day: string): string => day.replaceAll('-', '');

/** FEC text: tabs, pipes and line breaks removed. */
export const fecText = (s: string | null | undefined): string => (s ?? '').replace(/[\t|\r\n]+/g, ' ').trim();

/**
 * An amount cell of a CSV: a number, written as it is ("-11,00"). Made only from cents, so no text
 * can pass for a number and escape the formula guard.
 */
export class CsvAmount {
  readonly text: string;
  constructor(cents: number | bigint) {
    this.text = amountFr(cents);
  }
}
export const csvAmount = (cents: number | bigint): CsvAmount => new CsvAmount(cents);
export type CsvCell = string | number | bigint | CsvAmount | null | undefined;

/**
 * A CSV field for ';'-separated files: quoted when needed. A text starting with = + - @ tab or CR
 * is prefixed with ' (spreadsheet formula injection), even "-1": the guard is for text. Numbers
 * (number, bigint) and amounts (CsvAmount) are numbers for the spreadsheet and are written as-is.
 */
export function csvField(v: CsvCell): string {
  if (v instanceof CsvAmount) return v.text;
  let s = v == null ? '' : String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[";\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
export const csvRow = (fields: CsvCell[]): string => `${fields.map(csvField).join(';')}\r\n`;
/** UTF-8 byte order mark: French Excel reads the file as UTF-8 only with it. */
export const BOM = '\uFEFF';

export const JOURNAL_LABELS: Record<string, string> = { VE: 'Ventes', BQ: 'Banque', OD: 'Opérations diverses' };

export const FEC_HEADER = [
  'JournalCode', 'JournalLib', 'EcritureNum', 'EcritureDate', 'CompteNum', 'CompteLib', 'CompAuxNum', 'CompAuxLib', 'PieceRef',
  'PieceDate', 'EcritureLib', 'Debit', 'Credit', 'EcritureLet', 'DateLet', 'ValidDate', 'Montantdevise', 'Idevise',
] as const;
