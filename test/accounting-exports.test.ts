// The accountant's pages and exports: FEC (checked by fec:check), journal CSV for French Excel,
// trial balance, sales by rate, member credit, e-reporting; period closing; audit; access.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { postEntry, reverseEntry } from '../src/accounting/journal.ts';
import type { EntryInput } from '../src/accounting/journal.ts';
import { checkFecLines } from '../src/accounting/fec-check.ts';
import { fecChunks, generalLedgerCsv, journalCsvChunks } from '../src/accounting/exports.ts';
import { amountFr, csvAmount, csvRow, FEC_HEADER, fecDate, fecText, JOURNAL_LABELS } from '../src/accounting/format.ts';
import { dateAsDay } from '../src/accounting/journal.ts';
import { postCredit } from '../src/credit/ledger.ts';
import { parisDay, parisDayStart } from '../src/core/dates.ts';

let t: TestApp;
let accountant: Awaited<ReturnType<typeof createMember>>;
let agent: ReturnType<typeof request.agent>;
let buyer: Awaited<ReturnType<typeof createMember>>;
let year: number;
const HOUR = 3600_000;

/** Binary body as text (supertest buffers downloads it does not know). */
const text = (res: request.Response): string => (Buffer.isBuffer(res.body) ? res.body.toString('utf8') : res.text);
const get = (path: string) => agent.get(path).buffer(true).parse((res, cb) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
});

async function post(entry: EntryInput) {
  return t.deps.db.$transaction((tx) => postEntry(tx, entry));
}

beforeAll(async () => {
  t = await createTestApp({ config: { SELLER_SIREN: '123456789' } });
  accountant = await createMember(t.deps, {}, { role: 'ACCOUNTANT' });
  buyer = await createMember(t.deps);
  agent = await loginAgent(t.app, accountant.email, accountant.password);
  year = Number(parisDay(t.clock.now()).slice(0, 4));
  const n = buyer.member.number;
  // A realistic small year: 40 invoices over two rates with shipping and credit used, payments, a reversal.
  for (let i = 0; i < 40; i++) {
    const at = new Date(parisDayStart(`${year}-01-01`).getTime() + i * 7 * 24 * HOUR + 10 * HOUR);
    if (parisDay(at).slice(0, 4) !== String(year)) break;
    const inv = `F${String(i + 1).padStart(6, '0')}`;
    await post({
      journal: 'VE', at, piece: inv, label: `Facture ${inv} membre M${String(n).padStart(6, '0')}`, idempotencyKey: `t:${i}:invoice`,
      lines: [
        { account: 'CLIENTS', memberNumber: n, debitCents: 4155 },
        { account: 'REMISES', debitCents: 500 },
        { account: 'VENTES', vatRateBp: 2000, creditCents: 2500 },
        { account: 'VENTES', vatRateBp: 550, creditCents: 1000 },
        { account: 'PORTS', vatRateBp: 2000, creditCents: 500 },
        { account: 'TVA_COLLECTEE', vatRateBp: 2000, creditCents: 100 + 500 },
        { account: 'TVA_COLLECTEE', vatRateBp: 550, creditCents: 55 },
      ],
    });
    const pay = await post({
      journal: 'BQ', at: new Date(at.getTime() + 24 * HOUR), piece: inv, label: `Paiement ${inv}`, idempotencyKey: `t:${i}:payment`,
      lines: [{ account: 'BANQUE', debitCents: 4155 }, { account: 'CLIENTS', memberNumber: n, creditCents: 4155 }],
    });
    if (i === 3) await t.deps.db.$transaction((tx) => reverseEntry(tx, pay.entryId, new Date(at.getTime() + 48 * HOUR), `t:${i}:reverse`));
  }
  await post({
    journal: 'OD', at: parisDayStart(`${year}-02-10`), piece: 'CONCOURS-1', label: 'Lot du concours 1', idempotencyKey: 't:prize',
    lines: [{ account: 'CADEAUX', debitCents: 1299 }, { account: 'ACHATS', creditCents: 1299 }],
  });
});
afterAll(() => t?.close());

describe('FEC', () => {
  it('is named <SIREN>FEC<AAAAMMJJ>.txt, has the 18 fields and passes fec:check', async () => {
    const res = await get(`/comptabilite/exports/fec?exercice=${year}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="123456789FEC${year}1231.txt"`);
    const body = text(res);
    expect(body.charCodeAt(0)).not.toBe(0xfeff);
    const lines = body.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise');
    expect(lines.filter((l) => l.split('\t').length !== 18)).toEqual([]);
    const result = await checkFecLines(lines);
    expect(result.issues).toEqual([]);
    expect(result.lineCount).toBeGreaterThan(300);
    // An invoice's client line: auxiliary account, decimal comma, AAAAMMJJ.
    const client = lines.find((l) => l.includes('\t411\t'))!.split('\t');
    expect(client[6]).toMatch(/^M\d{6}$/);
    expect(client[7]).toBe(`Membre ${client[6]}`);
    expect(client[11]).toBe('41,55');
    expect(client[12]).toBe('0,00');
    expect(client[3]).toMatch(new RegExp(`^${year}\\d{4}$`));
    expect(lines.slice(1).filter((l) => l.split('\t')[6] !== '').every((l) => /^41[19]/.test(l.split('\t')[4]))).toBe(true);
    // Nothing personal: the buyer's name and e-mail never appear.
    expect(body).not.toContain(buyer.email);
    expect(body).not.toContain(buyer.member.lastName ?? '@@');
    // Audited.
    expect(await t.deps.db.auditEvent.count({ where: { action: 'accounting.export', actorMemberId: accountant.member.id } })).toBeGreaterThan(0);
  });

  it('the fast export writes exactly what a line-by-line reading of the journal gives, whatever the batch size', async () => {
    // The reference: the journal read through the models, formatted field by field (the format of
    // DESIGN §5), as the export did before it read raw rows by batches.
    const entries = await t.deps.db.journalEntry.findMany({
      where: { date: { gte: new Date(`${year}-01-01`), lte: new Date(`${year}-12-31`) } },
      orderBy: { id: 'asc' },
      include: { lines: { orderBy: { position: 'asc' } } },
    });
    let reference = `${FEC_HEADER.join('\t')}\r\n`;
    for (const e of entries) {
      for (const l of e.lines) {
        const valid = fecDate(parisDay(e.validatedAt));
        reference += `${[e.journal, JOURNAL_LABELS[e.journal], String(e.number), fecDate(dateAsDay(e.date)), fecText(l.accountNumber), fecText(l.accountLabel),
          fecText(l.auxNumber), fecText(l.auxLabel), fecText(e.piece), valid, fecText(l.label), amountFr(l.debitCents), amountFr(l.creditCents), '', '', valid, '', ''].join('\t')}\r\n`;
      }
    }
    expect(reference.split('\r\n').length).toBeGreaterThan(300);
    for (const batch of [7, 100, 10_000]) {
      let fec = '';
      for await (const chunk of fecChunks(t.deps.db, year, batch)) fec += chunk;
      expect(fec, `batch ${batch}`).toBe(reference);
    }
    // The journal CSV of one journal (its entry ids are not contiguous) and the general ledger.
    let bank = '';
    for await (const chunk of journalCsvChunks(t.deps.db, `${year}-01-01`, `${year}-12-31`, 'BQ', 5)) bank += chunk;
    const bankRef = entries.filter((e) => e.journal === 'BQ').flatMap((e) => e.lines.map((l) => {
      const d = dateAsDay(e.date);
      return csvRow([e.journal, e.number, `${d.slice(8, 10)}/${d.slice(5, 7)}/${d.slice(0, 4)}`, e.piece, l.accountNumber, l.accountLabel, l.auxNumber, l.label, amountFr(l.debitCents), amountFr(l.creditCents)]);
    }));
    expect(bank.split('\r\n').slice(1).join('\r\n')).toBe(bankRef.join(''));
    expect(bankRef.length).toBeGreaterThan(40);
    let ledger = '';
    for await (const chunk of generalLedgerCsv(t.deps.db, `${year}-12-31`, 3)) ledger += chunk;
    let ledgerRef = '';
    const all = entries.flatMap((e) => e.lines.map((l) => ({ e, l })));
    for (const account of [...new Set(all.map((x) => x.l.accountNumber))].sort()) {
      let balance = 0n;
      for (const { e, l } of all.filter((x) => x.l.accountNumber === account).sort((a, b) => (a.e.id === b.e.id ? Number(a.l.id - b.l.id) : Number(a.e.id - b.e.id)))) {
        balance += BigInt(l.debitCents - l.creditCents);
        ledgerRef += csvRow([account, l.accountLabel, dateAsDay(e.date), e.journal, e.number, e.piece, l.auxNumber, l.label, amountFr(l.debitCents), amountFr(l.creditCents), csvAmount(balance)]);
      }
    }
    expect(ledger.split('\r\n').slice(1).join('\r\n')).toBe(ledgerRef);
  });

  it('refuses a bad year with a French message, and its description file is offered', async () => {
    const bad = await get('/comptabilite/exports/fec?exercice=20x6');
    expect(bad.status).toBe(422);
    expect(text(bad)).toContain('Exercice : une année AAAA.');
    const desc = await get('/comptabilite/exports/fec/description');
    expect(text(desc)).toContain('18 Idevise');
  });
});

describe('fec:check catches each defect', () => {
  const header = 'JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise';
  const line = (o: Partial<Record<'j' | 'num' | 'date' | 'compte' | 'aux' | 'piece' | 'lib' | 'd' | 'c' | 'valid', string>> = {}) =>
    [o.j ?? 'VE', 'Ventes', o.num ?? '1', o.date ?? '20260105', o.compte ?? '411', 'Clients', o.aux ?? '', '', o.piece ?? 'F1', '20260105', o.lib ?? 'Facture F1', o.d ?? '0,00', o.c ?? '0,00', '', '', o.valid ?? '20260105', '', ''].join('\t');
  const good = [header, line({ d: '12,00' }), line({ compte: '707', c: '12,00' }), line({ num: '2', compte: '512', d: '5,00', j: 'BQ' }), line({ num: '2', compte: '411', c: '5,00', j: 'BQ' })];
  const rules = async (lines: string[]) => [...new Set((await checkFecLines(lines)).issues.map((i) => i.rule))];

  it('accepts a correct file', async () => {
    expect(await rules(good)).toEqual([]);
  });
  it.each([
    ['header', [header.replace('EcritureLib', 'Libelle'), ...good.slice(1)]],
    ['header', [header.split('\t').reverse().join('\t'), ...good.slice(1)]],
    ['fields', [header, line({ d: '12,00' }) + '\textra', line({ compte: '707', c: '12,00' }) + '\textra']],
    ['fields', [header, line({ d: '12,00', compte: '707', aux: 'M000001' }), line({ compte: '411', c: '12,00' })]],
    ['date', [header, line({ d: '12,00', valid: '20261305' }), line({ compte: '707', c: '12,00' })]],
    ['date', [header, line({ d: '12,00', date: '05/01/2026' }), line({ compte: '707', c: '12,00', date: '05/01/2026' })]],
    ['amount', [header, line({ d: '12.00' }), line({ compte: '707', c: '12.00' })]],
    ['amount', [header, line({ d: '1 200,00' }), line({ compte: '707', c: '1 200,00' })]],
    ['debit-credit', [header, line({ d: '12,00', c: '12,00' })]],
    ['debit-credit', [header, line({ d: '12,00' }), line({ compte: '707' }), line({ compte: '707', c: '12,00' })]],
    ['balance', [header, line({ d: '12,00' }), line({ compte: '707', c: '11,99' })]],
    ['entry-consistency', [header, line({ d: '12,00' }), line({ compte: '707', c: '12,00', piece: 'F2' })]],
    ['entry-consistency', [header, line({ d: '12,00' }), line({ compte: '707', c: '12,00', j: 'OD' })]],
    ['numbering', [...good, line({ num: '1', d: '1,00' }), line({ num: '1', compte: '707', c: '1,00' })]],
    ['empty-label', [header, line({ d: '12,00', lib: ' ' }), line({ compte: '707', c: '12,00' })]],
  ])('rule %s', async (rule, lines) => {
    expect(await rules(lines)).toEqual([rule]);
  });
});

describe('CSV exports', () => {
  it('journal CSV: UTF-8 BOM, semicolons, decimal comma, no sep= line; filtered by journal and dates', async () => {
    const res = await get(`/comptabilite/exports/journal.csv?du=${year}-01-01&au=${year}-12-31&journal=BQ`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    const body = text(res);
    expect(body.startsWith('\uFEFFJournal;N° écriture;Date;')).toBe(true);
    expect(body).not.toMatch(/^\uFEFF?sep=/m);
    const rows = body.slice(1).split('\r\n').filter(Boolean).slice(1);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.every((r) => r.startsWith('BQ;'))).toBe(true);
    expect(rows[0]).toMatch(/;41,55;0,00$/);
    const feb = text(await get(`/comptabilite/exports/journal.csv?du=${year}-02-01&au=${year}-02-28&journal=`));
    const dates = feb.slice(1).split('\r\n').filter(Boolean).slice(1).map((r) => r.split(';')[2]);
    expect(dates.length).toBeGreaterThan(0);
    expect(dates.every((d) => d.endsWith(`/02/${year}`))).toBe(true);
    const bad = await get(`/comptabilite/exports/journal.csv?du=${year}-02-01&au=${year}-01-01`);
    expect(bad.status).toBe(422);
  });

  it('trial balance balances, on screen and as CSV; the general ledger ends on each account’s balance', async () => {
    const at = `${year}-12-31`;
    const page = await agent.get(`/comptabilite/balance?date=${at}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('équilibrée');
    const csv = text(await get(`/comptabilite/exports/balance.csv?date=${at}`)).slice(1).split('\r\n').filter(Boolean);
    const total = csv[csv.length - 1].split(';');
    expect(total[0]).toBe('Total');
    expect(total[2]).toBe(total[3]);
    const bank = csv.find((r) => r.startsWith('512;'))!.split(';');
    // 40 payments (or fewer near the year's end), one reversed.
    expect(bank[4]).not.toBe('0,00');
    const ledger = text(await get(`/comptabilite/exports/grand-livre.csv?date=${at}`)).slice(1).split('\r\n').filter(Boolean);
    const lastBank = ledger.filter((r) => r.startsWith('512;')).pop()!.split(';');
    expect(lastBank[10]).toBe(bank[4]);
  });

  it('sales by VAT rate and B2C e-reporting daily totals', async () => {
    const sales = text(await get(`/comptabilite/exports/ventes-tva.csv?du=${year}-01-01&au=${year}-01-31`)).slice(1).split('\r\n').filter(Boolean);
    expect(sales[0]).toBe('Taux de TVA;Base hors taxes;TVA collectée;Nombre de pièces');
    const n = sales.length === 3 ? Number(sales[1].split(';')[3]) : 0;
    expect(n).toBeGreaterThan(0);
    // Net of the discount: these entries carry one 7097 line without a rate (as before invoices
    // booked it per rate), split over the rates by their 707 + 7085: 500 → 375 (3000) and 125 (1000).
    expect(sales[1]).toBe(`20 %;${amountFr(n * 2625)};${n * 6},00;${n}`);
    expect(sales[2]).toBe(`5,5 %;${amountFr(n * 875)};${(n * 55) / 100 | 0},${String((n * 55) % 100).padStart(2, '0')};${n}`);
    const daily = text(await get(`/comptabilite/exports/e-reporting.csv?du=${year}-01-01&au=${year}-01-31`)).slice(1).split('\r\n').filter(Boolean);
    expect(daily[0]).toBe('Date;Taux de TVA;Montant hors taxes;TVA;Nombre d’opérations');
    expect(daily.slice(1).every((r) => /^\d{4}-\d{2}-\d{2};(20|5,5) %;\d+,\d{2};\d+,\d{2};1$/.test(r))).toBe(true);
    expect(daily.length - 1).toBe(2 * n);
  });

  it('member credit: the sub-ledger lines and the outstanding credit per member number at a date', async () => {
    const now = t.clock.now();
    await t.deps.db.$transaction((tx) => postCredit(tx, { memberId: buyer.member.id, amountCents: 1500, kind: 'ADJUSTMENT', label: 'Geste', idempotencyKey: 't:credit', at: now }));
    const day = parisDay(now);
    const lines = text(await get(`/comptabilite/exports/credit-mouvements.csv?du=${day}&au=${day}`));
    const mn = `M${String(buyer.member.number).padStart(6, '0')}`;
    expect(lines).toContain(`${day};${mn};Ajustement;15,00`);
    expect(lines).not.toContain('Geste');
    const balances = text(await get(`/comptabilite/exports/credit-soldes.csv?date=${day}`));
    expect(balances).toContain(`${mn};15,00\r\nTotal;15,00`);
  });
});

describe('pages and access', () => {
  it('the dashboard shows periods, totals per journal, the SVG chart and the last exports', async () => {
    const res = await agent.get('/comptabilite');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<svg class="sales-chart"');
    expect(res.text).toContain('VE — Ventes');
    expect(res.text).toContain('Derniers exports');
    expect(res.text).toContain('FEC');
    expect(res.text).not.toContain('<script>');
  });

  it('a member or staff cannot open the accountant’s pages or exports', async () => {
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const s = await loginAgent(t.app, staff.email, staff.password);
    for (const path of ['/comptabilite', `/comptabilite/exports/fec?exercice=${year}`, '/comptabilite/periodes']) {
      expect([302, 303, 403]).toContain((await s.get(path)).status);
      expect([302, 303, 403]).toContain((await request(t.app).get(path)).status);
    }
  });

  it('closing a month: confirmation required, the current month refused (the order of months and the dating after a closing: accounting-review.test.ts)', async () => {
    const thisMonth = parisDay(t.clock.now()).slice(0, 7);
    const noConfirm = await postForm(agent, '/comptabilite/periodes', '/comptabilite/periodes', { period: `${year}-01` });
    expect(noConfirm.status).toBe(422);
    expect(noConfirm.text).toContain('la clôture est définitive');
    const current = await postForm(agent, '/comptabilite/periodes', '/comptabilite/periodes', { period: thisMonth, confirm: 'on' });
    expect(current.status).toBe(422);
    expect(current.text).toContain('On ne clôture qu’une période terminée.');
    expect(await t.deps.db.accountingClosure.count()).toBe(0);
  });

  it('the chart of accounts is editable; bad input keeps the values with a French message', async () => {
    const bad = await postForm(agent, '/comptabilite/plan-comptable', '/comptabilite/plan-comptable', { key: 'BANQUE', number: '0x12', label: 'Banque postale' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Numéro de compte : 3 à 10 chiffres');
    expect(bad.text).toContain('value="Banque postale"');
    const ok = await postForm(agent, '/comptabilite/plan-comptable', '/comptabilite/plan-comptable', { key: 'BANQUE', number: '5121', label: 'Banque postale' });
    expect(ok.status).toBe(303);
    const r = await post({
      journal: 'BQ', at: t.clock.now(), piece: 'Y', label: 'Test', idempotencyKey: 't:chart',
      lines: [{ account: 'BANQUE', debitCents: 1 }, { account: 'PRODUITS_DIVERS', creditCents: 1 }],
    });
    const line = await t.deps.db.journalLine.findFirstOrThrow({ where: { entryId: r.entryId, position: 0 } });
    expect(`${line.accountNumber} ${line.accountLabel}`).toBe('5121 Banque postale');
  });
});
