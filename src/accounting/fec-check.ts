// A FEC checker in the manner of the tax administration's test tool (art. A47 A-1 LPF): reads the
// file line by line (constant memory apart from the set of entry numbers) and reports each defect.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { FEC_HEADER } from './format.ts';

export interface FecIssue {
  line: number;
  rule: 'header' | 'fields' | 'date' | 'amount' | 'debit-credit' | 'balance' | 'entry-consistency' | 'numbering' | 'empty-label' | 'encoding';
  message: string;
}

const DATE = /^\d{8}$/;
const AMOUNT = /^-?\d+(,\d{1,2})?$/;
const validDate = (s: string): boolean => {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10).replaceAll('-', '') === s;
};
const cents = (s: string): bigint => {
  const neg = s.startsWith('-');
  const [i, f = ''] = (neg ? s.slice(1) : s).split(',');
  const v = BigInt(i) * 100n + BigInt(f.padEnd(2, '0') || '0');
  return neg ? -v : v;
};

interface EntryState {
  journal: string;
  date: string;
  piece: string;
  debit: bigint;
  credit: bigint;
  firstLine: number;
  closed: boolean;
}

/** Checks the lines of a FEC file; returns every issue found (empty: the file passes). */
export async function checkFecLines(lines: AsyncIterable<string> | Iterable<string>, maxIssues = 1000): Promise<{ issues: FecIssue[]; lineCount: number; entryCount: number }> {
  const issues: FecIssue[] = [];
  const add = (i: FecIssue) => {
    if (issues.length < maxIssues) issues.push(i);
  };
  let n = 0;
  let current: { num: string; state: EntryState } | null = null;
  const seen = new Set<string>();
  const closeEntry = () => {
    if (!current) return;
    const s = current.state;
    if (s.debit !== s.credit) add({ line: s.firstLine, rule: 'balance', message: `écriture ${current.num} déséquilibrée : débit ${s.debit} ≠ crédit ${s.credit} (centimes)` });
    seen.add(current.num);
  };
  for await (const raw of lines) {
    n++;
    let line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (n === 1) {
      if (line.startsWith('\uFEFF')) {
        add({ line: 1, rule: 'encoding', message: 'marque d’ordre d’octets (BOM) en tête de fichier' });
        line = line.slice(1);
      }
      const names = line.split('\t');
      if (names.length !== FEC_HEADER.length || names.some((h, i) => h !== FEC_HEADER[i])) {
        add({ line: 1, rule: 'header', message: `en-tête attendu : ${FEC_HEADER.join(' | ')} ; trouvé : ${names.join(' | ')}` });
      }
      continue;
    }
    if (line === '') continue;
    if (line.includes('\uFFFD')) add({ line: n, rule: 'encoding', message: 'caractère non UTF-8' });
    const f = line.split('\t');
    if (f.length !== 18) {
      add({ line: n, rule: 'fields', message: `${f.length} champs au lieu de 18` });
      continue;
    }
    const [journal, , num, date, compte, , aux, , piece, pieceDate, lib, debit, credit, , dateLet, validDate_] = f;
    for (const [name, v, required] of [['EcritureDate', date, true], ['PieceDate', pieceDate, true], ['ValidDate', validDate_, true], ['DateLet', dateLet, false]] as const) {
      if ((required || v !== '') && !validDate(v)) add({ line: n, rule: 'date', message: `${name} invalide : « ${v} » (AAAAMMJJ)` });
    }
    let d = 0n;
    let c = 0n;
    const amountsOk = AMOUNT.test(debit) && AMOUNT.test(credit);
    if (!amountsOk) add({ line: n, rule: 'amount', message: `montant invalide : débit « ${debit} », crédit « ${credit} » (virgule décimale, sans séparateur de milliers)` });
    else {
      d = cents(debit);
      c = cents(credit);
      if ((d !== 0n) === (c !== 0n)) add({ line: n, rule: 'debit-credit', message: d === 0n ? 'ligne à zéro au débit et au crédit' : 'ligne au débit et au crédit' });
    }
    if (lib.trim() === '') add({ line: n, rule: 'empty-label', message: 'EcritureLib vide' });
    if (aux !== '' && !/^41[19]/.test(compte)) add({ line: n, rule: 'fields', message: `CompAuxNum sur le compte ${compte} (seulement 411/419)` });
    if (!current || current.num !== num) {
      closeEntry();
      if (seen.has(num)) add({ line: n, rule: 'numbering', message: `EcritureNum ${num} déjà utilisé plus haut (numérotation non unique ou lignes non contiguës)` });
      if (num.trim() === '') add({ line: n, rule: 'numbering', message: 'EcritureNum vide' });
      current = { num, state: { journal, date, piece, debit: 0n, credit: 0n, firstLine: n, closed: false } };
    } else if (current.state.journal !== journal || current.state.date !== date || current.state.piece !== piece) {
      add({ line: n, rule: 'entry-consistency', message: `écriture ${num} : journal, date ou pièce différents de sa première ligne` });
    }
    current.state.debit += d;
    current.state.credit += c;
  }
  closeEntry();
  if (n === 0) add({ line: 0, rule: 'header', message: 'fichier vide' });
  return { issues, lineCount: Math.max(0, n - 1), entryCount: seen.size };
}

export function checkFecFile(path: string) {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  return checkFecLines(rl);
}
