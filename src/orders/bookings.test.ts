import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { allocate, balanceOfLines, bankRefundLines, computeInvoice, creditNoteLines, invoiceLines, paymentLines, shippingFee } from './bookings.ts';
import type { InvoiceInput, JournalLine } from './bookings.ts';

const RATES = [0, 210, 550, 1000, 2000];
const sum = (lines: JournalLine[], account: string, side: 'debitCents' | 'creditCents') => lines.filter((l) => l.account === account).reduce((s, l) => s + (l[side] ?? 0), 0);

function check(input: InvoiceInput) {
  const inv = computeInvoice(input);
  const lines = invoiceLines(inv, 42);
  expect(balanceOfLines(lines)).toBe(0);
  // The invoice adds up: per rate base + VAT = net; the nets add up to what is due.
  for (const r of inv.rates) expect(r.baseCents + r.vatCents).toBe(r.netCents);
  expect(inv.rates.reduce((s, r) => s + r.netCents, 0)).toBe(inv.dueCents);
  expect(sum(lines, 'CLIENTS', 'debitCents')).toBe(inv.dueCents);
  expect(sum(lines, 'TVA_COLLECTEE', 'creditCents')).toBe(inv.rates.reduce((s, r) => s + r.vatCents, 0));
  // No line is on both sides or zero on both.
  for (const l of lines) expect(!!l.debitCents !== !!l.creditCents).toBe(true);
  for (const l of lines) expect((l.debitCents ?? 0) >= 0 && (l.creditCents ?? 0) >= 0).toBe(true);
  // The credit note reverses it exactly.
  const note = creditNoteLines(inv, 42);
  expect(balanceOfLines(note)).toBe(0);
  expect(sum(note, 'CLIENTS', 'creditCents')).toBe(inv.dueCents);
  return { inv, lines };
}

describe('order bookings', () => {
  it('one rate, no credit: 707 + 7085 + 44571 = 411', () => {
    const { inv, lines } = check({ lines: [{ unitPriceCents: 1290, vatRateBp: 550, quantity: 3 }], shippingCents: 690, creditUsedCents: 0 });
    expect(inv).toMatchObject({ goodsCents: 3870, totalCents: 4560, dueCents: 4560 });
    expect(sum(lines, 'VENTES', 'creditCents')).toBe(3668); // 3870 / 1,055 = 3668,25
    expect(sum(lines, 'PORTS', 'creditCents')).toBe(575); // 690 / 1,2 = 575
    expect(sum(lines, 'REMISES', 'debitCents')).toBe(0);
  });

  it('credit used is a discount excl. VAT and lowers the VAT base', () => {
    const { inv, lines } = check({ lines: [{ unitPriceCents: 2000, vatRateBp: 2000, quantity: 2 }], shippingCents: 690, creditUsedCents: 1500 });
    expect(inv.dueCents).toBe(3190);
    expect(sum(lines, 'TVA_COLLECTEE', 'creditCents')).toBe(532); // 3190 - round(3190 / 1,2) = 3190 - 2658
    expect(sum(lines, 'REMISES', 'debitCents')).toBe(1250); // 1500 / 1,2
  });

  it('fully paid by credit: nothing due on 411, the discount takes the whole base', () => {
    const { inv, lines } = check({ lines: [{ unitPriceCents: 7000, vatRateBp: 550, quantity: 1 }], shippingCents: 0, creditUsedCents: 7000 });
    expect(inv.dueCents).toBe(0);
    expect(lines.find((l) => l.account === 'CLIENTS')).toBeUndefined();
    expect(sum(lines, 'TVA_COLLECTEE', 'creditCents')).toBe(0);
  });

  it('awkward amounts and rate mixes always balance to the cent (2000 random orders)', () => {
    for (let i = 0; i < 2000; i++) {
      const lines = Array.from({ length: randomInt(1, 6) }, () => ({ unitPriceCents: randomInt(1, 20_000), vatRateBp: RATES[randomInt(0, RATES.length)], quantity: randomInt(1, 7) }));
      const goods = lines.reduce((s, l) => s + l.unitPriceCents * l.quantity, 0);
      const shippingCents = randomInt(0, 2) ? 0 : randomInt(1, 1500);
      check({ lines, shippingCents, creditUsedCents: randomInt(0, goods + shippingCents + 1) });
    }
  });

  it('payment and bank refund entries balance; credit split adds up; free shipping from the threshold', () => {
    expect(balanceOfLines(paymentLines(3190, 7))).toBe(0);
    expect(balanceOfLines(bankRefundLines(3190, 7))).toBe(0);
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(0, [5, 0])).toEqual([0, 0]);
    expect(shippingFee(5999, 690, 6000)).toBe(690);
    expect(shippingFee(6000, 690, 6000)).toBe(0);
    expect(shippingFee(0, 690, 6000)).toBe(0);
  });
});
