// The accountant's review of /comptabilite: sales by rate net of the club-credit discount, CSV
// amounts without the formula guard, the chart's numbers, closing months in order, error pages
// that keep the form. The clock is set to fixed dates: nothing here depends on today's date.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { ADDRESS, createProduct, giveCredit } from './helpers/shop.ts';
import { createMember } from '../src/dev/factories.ts';
import { cancelOrder, placeOrder } from '../src/orders/service.ts';
import { computeInvoice } from '../src/orders/bookings.ts';
import { postEntry } from '../src/accounting/journal.ts';
import type { EntryInput } from '../src/accounting/journal.ts';
import { salesByRate, trialBalance } from '../src/accounting/exports.ts';
import { parisDayStart } from '../src/core/dates.ts';
import { ACCOUNT_KEYS, DEFAULT_CHART, expectedPrefix } from '../src/accounting/chart.ts';
import { closeAccountingPeriod, periodStatus } from '../src/accounting/service.ts';
import { fixedClock } from '../src/core/clock.ts';
import { checkFecLines } from '../src/accounting/fec-check.ts';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let accountant: Awaited<ReturnType<typeof createMember>>;
/** "Today" for these tests: 10 March 2021, Paris. */
const NOW = new Date('2021-03-10T10:00:00Z');

/** Binary body as text (supertest buffers downloads it does not know). */
const text = (res: request.Response): string => (Buffer.isBuffer(res.body) ? res.body.toString('utf8') : res.text);
const get = (path: string) => agent.get(path).buffer(true).parse((res, cb) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
});
const csvLines = (res: request.Response) => text(res).replace(/^\uFEFF/, '').split('\r\n').filter(Boolean);
const post = (entry: EntryInput) => t.deps.db.$transaction((tx) => postEntry(tx, entry));
const cents = (s: string) => Math.round(Number(s.replace(',', '.')) * 100);

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2021-01-02T09:00:00Z'));
  accountant = await createMember(t.deps, {}, { role: 'ACCOUNTANT' });
});
afterAll(() => t?.close());

async function login() {
  t.clock.set(NOW);
  agent = await loginAgent(t.app, accountant.email, accountant.password);
}

describe('sales by VAT rate: the base is net of the club-credit discount (7097)', () => {
  const invoices: ReturnType<typeof computeInvoice>[] = [];

  beforeAll(async () => {
    t.clock.set(new Date('2021-01-04T09:00:00Z'));
    const books = await createProduct(t.deps, { priceCents: 1290, vatRateBp: 550, stock: 100 });
    const games = await createProduct(t.deps, { priceCents: 2399, vatRateBp: 2000, stock: 100 });
    const buyer = await createMember(t.deps);
    const baskets = [
      { credit: 500, lines: [[books, 1], [games, 1]] },
      { credit: 1337, lines: [[books, 3], [games, 2]] },
      { credit: 250, lines: [[books, 1], [games, 3]] },
      { credit: 999, lines: [[books, 2]] },
      { credit: 0, lines: [[books, 1], [games, 1]] },
      { credit: 777, lines: [[books, 5], [games, 1]] },
    ] as const;
    let day = 5;
    for (const b of baskets) {
      t.clock.set(new Date(`2021-01-${String(day++).padStart(2, '0')}T14:00:00Z`));
      if (b.credit) await giveCredit(t.deps, buyer.member.id, b.credit);
      const member = await t.deps.db.member.findUniqueOrThrow({ where: { id: buyer.member.id } });
      const { order } = await placeOrder(t.deps, member, {
        nonce: randomUUID(), address: ADDRESS, notes: null,
        lines: b.lines.map(([p, quantity]) => ({ productId: p.id, quantity, priceCents: p.priceCents })),
      });
      expect(order.creditUsedCents).toBe(b.credit);
      const lines = await t.deps.db.orderLine.findMany({ where: { orderId: order.id } });
      invoices.push(computeInvoice({ lines, shippingCents: order.shippingCents, creditUsedCents: order.creditUsedCents }));
    }
    // The last order is cancelled: its credit note reverses it, the bases go down by as much.
    t.clock.set(new Date(`2021-01-${day}T14:00:00Z`));
    const last = await t.deps.db.order.findFirstOrThrow({ orderBy: { createdAt: 'desc' } });
    await cancelOrder(t.deps, null, last.reference, 'Test');
    invoices.pop();
    await login();
  });

  it('per rate, base × rate is the VAT (invoice rounding) and the bases add up to 707 + 7085 − 7097', async () => {
    const rows = await salesByRate(t.deps.db, '2021-01-01', '2021-01-31');
    expect(rows.map((r) => r.vatRateBp)).toEqual([2000, 550]);
    for (const r of rows) {
      const parts = invoices.flatMap((inv) => inv.rates.filter((x) => x.vatRateBp === r.vatRateBp));
      // Exactly the invoices' bases and VAT of that rate (after the credit's share)…
      expect(Number(r.netCents)).toBe(parts.reduce((s, p) => s + p.baseCents, 0));
      expect(Number(r.vatCents)).toBe(parts.reduce((s, p) => s + p.vatCents, 0));
      // …so the VAT is the rate of the base, within each invoice's rounding (half a cent × (1 + rate)).
      expect(Math.abs((Number(r.netCents) * r.vatRateBp) / 10_000 - Number(r.vatCents))).toBeLessThanOrEqual(parts.length * 0.6);
    }
    // The credit was used on both rates: a base before the discount would be visibly off.
    expect(invoices.some((inv) => inv.rates.length === 2 && inv.rates.every((x) => x.discountCents > 0))).toBe(true);
    const tb = await trialBalance(t.deps.db, '2021-01-31');
    const bal = (n: string) => { const a = tb.rows.find((x) => x.accountNumber === n); return a ? Number(a.credit - a.debit) : 0; };
    expect(bal('7097')).toBeLessThan(0);
    expect(rows.reduce((s, r) => s + Number(r.netCents), 0)).toBe(bal('707') + bal('7085') + bal('7097'));
    expect(rows.reduce((s, r) => s + Number(r.vatCents), 0)).toBe(bal('44571'));
  });

  it('the page, the CSV and the e-reporting show the same net bases', async () => {
    const rows = await salesByRate(t.deps.db, '2021-01-01', '2021-01-31');
    const csv = csvLines(await get('/comptabilite/exports/ventes-tva.csv?du=2021-01-01&au=2021-01-31'));
    expect(csv.slice(1).map((l) => cents(l.split(';')[1]))).toEqual(rows.map((r) => Number(r.netCents)));
    const daily = csvLines(await get('/comptabilite/exports/e-reporting.csv?du=2021-01-01&au=2021-01-31')).slice(1).map((l) => l.split(';'));
    for (const r of rows) {
      const label = r.vatRateBp === 2000 ? '20 %' : '5,5 %';
      expect(daily.filter((d) => d[1] === label).reduce((s, d) => s + cents(d[2]), 0)).toBe(Number(r.netCents));
      expect(daily.filter((d) => d[1] === label).reduce((s, d) => s + cents(d[3]), 0)).toBe(Number(r.vatCents));
    }
    const page = await agent.get('/comptabilite/ventes-tva?du=2021-01-01&au=2021-01-31');
    expect(page.status).toBe(200);
    expect(page.text).toContain(new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(Number(rows[0].netCents) / 100));
  });

  it('the invoices book 7097 once per rate, with its rate; the FEC stays valid', async () => {
    const remises = await t.deps.db.journalLine.findMany({ where: { accountKey: 'REMISES' }, select: { vatRateBp: true, accountLabel: true } });
    expect(remises.length).toBeGreaterThan(0);
    expect(remises.every((l) => l.vatRateBp !== null && l.accountLabel === `Rabais, remises et ristournes accordés ${l.vatRateBp === 2000 ? '20' : '5,5'} %`)).toBe(true);
    const fec = text(await get('/comptabilite/exports/fec?exercice=2021')).split('\r\n').filter(Boolean);
    expect(fec.some((l) => l.split('\t')[4] === '7097')).toBe(true);
    expect((await checkFecLines(fec)).issues).toEqual([]);
  });

  it('an entry booked before the discount carried its rate (one 7097 line) is split over its rates', async () => {
    t.clock.set(NOW);
    await post({
      journal: 'VE', at: parisDayStart('2021-02-03'), piece: 'F-OLD', label: 'Facture ancienne', idempotencyKey: 'review:legacy',
      lines: [
        { account: 'CLIENTS', memberNumber: accountant.member.number, debitCents: 3500 },
        { account: 'REMISES', debitCents: 1001 },
        { account: 'VENTES', vatRateBp: 2000, creditCents: 3000 },
        { account: 'VENTES', vatRateBp: 550, creditCents: 1000 },
        { account: 'TVA_COLLECTEE', vatRateBp: 2000, creditCents: 445 },
        { account: 'TVA_COLLECTEE', vatRateBp: 550, creditCents: 56 },
      ],
    });
    const rows = await salesByRate(t.deps.db, '2021-02-01', '2021-02-28');
    // 1001 split 3:1 (the 707 of each rate) → 750,75 and 250,25: the remaining cent to the larger remainder → 751 and 250.
    expect(rows.map((r) => [r.vatRateBp, Number(r.netCents), Number(r.vatCents)])).toEqual([[2000, 3000 - 751, 445], [550, 1000 - 250, 56]]);
  });
});

describe('CSV: amounts are numbers, the formula guard is for text', () => {
  it('a negative amount is written -11,00; a label "=HYPERLINK(…)" or "-2+3" stays guarded', async () => {
    await login();
    const label = '=HYPERLINK("http://x.test";"clic")';
    const bad = await agent.get('/comptabilite/plan-comptable');
    const token = /name="_csrf" value="([^"]+)"/.exec(bad.text)![1];
    expect((await agent.post('/comptabilite/plan-comptable').type('form').send({ _csrf: token, key: 'PRODUITS_DIVERS', number: '758', label })).status).toBe(303);
    const od = await post({
      journal: 'OD', at: parisDayStart('2021-02-04'), piece: 'OD-1', label: '-2+3', idempotencyKey: 'review:csv',
      lines: [{ account: 'BANQUE', debitCents: 1100 }, { account: 'PRODUITS_DIVERS', creditCents: 1100 }],
    });
    const ledger = csvLines(await get('/comptabilite/exports/grand-livre.csv?date=2021-02-28')).filter((l) => l.startsWith('758;'));
    expect(ledger).toEqual([`758;"'=HYPERLINK(""http://x.test"";""clic"")";2021-02-04;OD;${od.number};OD-1;;'-2+3;0,00;11,00;-11,00`]);
    // The member credit used on the orders of January: negative movements, as numbers.
    const moves = csvLines(await get('/comptabilite/exports/credit-mouvements.csv?du=2021-01-01&au=2021-01-31'));
    expect(moves.some((l) => /;Commande;-\d+,\d{2}$/.test(l))).toBe(true);
    expect(moves.join('\n')).not.toContain("'-");
    // The cancelled order's credit note: a negative day in the e-reporting.
    const daily = csvLines(await get('/comptabilite/exports/e-reporting.csv?du=2021-01-01&au=2021-01-31'));
    expect(daily.some((l) => /;-\d+,\d{2};-\d+,\d{2};1$/.test(l))).toBe(true);
    expect(daily.join('\n')).not.toContain("'-");
  });
});

describe('chart of accounts: one number per account, in the account’s class', () => {
  const save = async (key: string, number: string, label: string) => {
    const page = await agent.get('/comptabilite/plan-comptable');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    return agent.post('/comptabilite/plan-comptable').type('form').send({ _csrf: token, key, number, label });
  };

  it('refuses the bank’s number for the customers, and a number of another class, keeping the typed values', async () => {
    await login();
    const taken = await save('CLIENTS', '512', 'Clients particuliers');
    expect(taken.status).toBe(422);
    expect(taken.text).toContain('Le numéro 512 est déjà celui du compte « Banque » : choisissez un autre numéro.');
    expect(taken.text).toContain('value="512"');
    expect(taken.text).toContain('value="Clients particuliers"');
    const wrongClass = await save('CLIENTS', '601', 'Clients');
    expect(wrongClass.status).toBe(422);
    expect(wrongClass.text).toContain('pour « Clients », un numéro commençant par 411 (par défaut 411)');
    expect(wrongClass.text).toContain('value="601"');
    expect((await save('BANQUE', '4110', 'Banque')).status).toBe(422);
    expect((await t.deps.db.chartAccount.findMany({ where: { key: { in: ['CLIENTS', 'BANQUE'] } } }))).toEqual([]);
    // A sub-account of its own class is fine; every default is in its own class.
    for (const k of ACCOUNT_KEYS) expect(DEFAULT_CHART[k].number.startsWith(expectedPrefix(k)), k).toBe(true);
    expect((await save('CLIENTS', '4110000', 'Clients')).status).toBe(303);
    expect((await save('CLIENTS', '411', 'Clients')).status).toBe(303);
  });

  it('refuses a number another account had on validated lines; an account may take its own old number back', async () => {
    expect((await save('PORTS', '7086', 'Ports facturés')).status).toBe(303);
    const old = await save('VENTES', '7085', 'Ventes');
    expect(old.status).toBe(422);
    expect(old.text).toContain('Le numéro 7085 est celui d’écritures validées du compte « Ports et frais accessoires facturés »');
    expect((await save('VENTES', '7086', 'Ventes')).text).toContain('Le numéro 7086 est déjà celui du compte « Ports facturés »');
    expect((await save('PORTS', '7085', 'Ports et frais accessoires facturés')).status).toBe(303);
  });
});

describe('periods: months close in order, a fiscal year once its months are closed', () => {
  const close = async (period: string) => {
    const page = await agent.get('/comptabilite/periodes');
    const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1];
    return agent.post('/comptabilite/periodes').type('form').send({ _csrf: token, period, confirm: 'on' });
  };
  const options = (html: string) => [...html.matchAll(/<option value="([^"]+)"( selected)?/g)].map((m) => `${m[1]}${m[2] ? '*' : ''}`);

  it('offers only the oldest open month (from the journal’s first entry), refuses a later one, then moves on', async () => {
    await login();
    // The journal starts in January 2021 (the orders above); "today" is 10 March 2021.
    expect(options((await agent.get('/comptabilite/periodes')).text)).toEqual(['2021-01*']);
    const later = await close('2021-02');
    expect(later.status).toBe(422);
    expect(later.text).toContain('Les mois se clôturent dans l’ordre : clôturez d’abord janvier 2021, le plus ancien mois ouvert.');
    expect(options(later.text)).toEqual(['2021-01*']);
    const before = await close('2020-12');
    expect(before.status).toBe(422);
    expect(before.text).toContain('Aucune écriture avant janvier 2021');
    expect((await close('2020')).text).toContain('L’exercice 2020 précède la première écriture (janvier 2021) : rien à clôturer.');
    expect(await t.deps.db.accountingClosure.count()).toBe(0);

    expect((await close('2021-01')).status).toBe(303);
    expect(options((await agent.get('/comptabilite/periodes')).text)).toEqual(['2021-02*']);
    // An event of January now is dated in the first open month.
    const late = await post({
      journal: 'OD', at: parisDayStart('2021-01-20'), piece: 'X', label: 'Après clôture', idempotencyKey: 'review:late',
      lines: [{ account: 'CADEAUX', debitCents: 1 }, { account: 'ACHATS', creditCents: 1 }],
    });
    const e = await t.deps.db.journalEntry.findUniqueOrThrow({ where: { id: late.entryId } });
    expect(e.date.toISOString().slice(0, 10)).toBe('2021-02-01');
    // March is not over: nothing more to close after February.
    expect((await close('2021-02')).status).toBe(303);
    const page = await agent.get('/comptabilite/periodes');
    expect(options(page.text)).toEqual([]);
    expect(page.text).toContain('Aucune période à clôturer pour l’instant : mars 2021 pourra l’être une fois terminé.');
    expect(await t.deps.db.auditEvent.count({ where: { action: 'accounting.period-closed' } })).toBe(2);
  });

  it('a fiscal year closes once all its months are closed (dates from the injected clock)', async () => {
    const later = { ...t.deps, clock: fixedClock(new Date('2022-02-10T10:00:00Z')) };
    const actor = accountant.member.id;
    await expect(closeAccountingPeriod(later, actor, '2021')).rejects.toThrow('Clôturez d’abord tous les mois de l’exercice 2021, dans l’ordre : le plus ancien ouvert est mars 2021.');
    await expect(closeAccountingPeriod(later, actor, '2021-05')).rejects.toThrow('clôturez d’abord mars 2021');
    const status = await periodStatus(later, 2021);
    expect(status.months.filter((m) => m.canClose).map((m) => m.period)).toEqual(['2021-03']);
    expect(status.year.canClose).toBe(false);
    for (let m = 3; m <= 12; m++) expect(await closeAccountingPeriod(later, actor, `2021-${String(m).padStart(2, '0')}`)).toEqual({ closed: true });
    // Not the months of 2022 before the year 2021.
    expect((await periodStatus(later, 2022)).months.filter((m) => m.canClose).map((m) => m.period)).toEqual(['2022-01']);
    expect((await periodStatus(later, 2021)).year.canClose).toBe(true);
    expect(await closeAccountingPeriod(later, actor, '2021')).toEqual({ closed: true });
    expect(await closeAccountingPeriod(later, actor, '2021-06')).toEqual({ closed: false });
  });
});

describe('bad parameters: the page’s form again, with the message beside the field and the typed values', () => {
  it('sales by rate, balance, FEC and journal exports answer 422 with their form, not the error page', async () => {
    await login();
    const sales = await agent.get('/comptabilite/ventes-tva?du=2026-12-31&au=2026-01-01');
    expect(sales.status).toBe(422);
    expect(sales.text).toContain('<small id="s-au-err" class="field-error">La date de fin précède la date de début.</small>');
    expect(sales.text).toContain('value="2026-12-31"');
    expect(sales.text).toContain('value="2026-01-01"');
    expect(sales.text).toContain('action="/comptabilite/ventes-tva"');
    expect(sales.text).not.toContain('Retour à l’accueil');

    const balance = await agent.get('/comptabilite/balance?date=31/12/2026');
    expect(balance.status).toBe(422);
    expect(balance.text).toContain('<small id="b-date-err" class="field-error">Date : date invalide.</small>');
    expect(balance.text).toContain('value="31/12/2026"');
    expect(balance.text).not.toContain('Retour à l’accueil');

    const fec = await get('/comptabilite/exports/fec?exercice=abc');
    expect(fec.status).toBe(422);
    const html = text(fec);
    expect(html).toContain('<h1>Comptabilité</h1>');
    expect(html).toMatch(/<input id="x-fec" name="exercice" type="text" value="abc"[^>]*aria-invalid="true"/);
    expect(html).toContain('<small id="x-fec-err" class="field-error">Exercice : une année AAAA.</small>');
    expect(html).not.toContain('Retour à l’accueil');
    // The other forms keep their defaults; the journal form keeps its dates and says what is wrong.
    const journal = text(await get('/comptabilite/exports/journal.csv?du=2021-03-01&au=2021-02-01&journal=VE'));
    expect(journal).toContain('<small id="x-j-au-err" class="field-error">La date de fin précède la date de début.</small>');
    expect(journal).toContain('value="2021-03-01"');
    expect(journal).toContain('<option value="VE" selected>');
    expect(journal).not.toContain('x-fec-err');
    // Nothing was exported, so nothing was audited.
    expect(await t.deps.db.auditEvent.count({ where: { action: 'accounting.export', details: { path: ['what'], equals: 'journal' } } })).toBe(0);
  });
});
