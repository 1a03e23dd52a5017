// The general-journal bookings of an order (DESIGN §5), as pure functions: the amounts of an
// invoice and the lines of its entries, balanced to the cent for any mix of VAT rates.
//
// Free club credit used on an order is a discount (it came from coupons, no money was received
// for it): it lowers the VAT base. VAT is computed once per rate on the net amount of the order
// (prices incl. VAT minus the credit share of that rate), so the invoice adds up to the cent.
import { vatIncluded } from '../core/money.ts';
import type { JournalLineInput } from '../accounting/journal.ts';

// The journal's own line type: the bookings are written against the general journal's API.
export type JournalLine = JournalLineInput;

/** Shipping is invoiced at the standard rate. */
export const SHIPPING_VAT_BP = 2000;

export interface InvoiceInput {
  lines: { unitPriceCents: number; vatRateBp: number; quantity: number }[];
  shippingCents: number;
  creditUsedCents: number;
}

export interface RateBreakdown {
  vatRateBp: number;
  /** Goods and shipping of this rate, incl. VAT, before the credit. */
  grossCents: number;
  goodsGrossCents: number;
  shippingGrossCents: number;
  /** The share of the credit (a discount) taken on this rate, incl. VAT. */
  discountCents: number;
  /** Net amount incl. VAT, its base excl. VAT and its VAT. */
  netCents: number;
  baseCents: number;
  vatCents: number;
}

export interface Invoice {
  goodsCents: number;
  shippingCents: number;
  totalCents: number;
  creditUsedCents: number;
  dueCents: number;
  rates: RateBreakdown[];
}

/** Splits `amount` across `weights` proportionally (largest remainder): the parts add up exactly. */
export function allocate(amount: number, weights: number[]): number[] {
  const total = weights.reduce((a, b) => a + b, 0);
  if (total === 0) return weights.map(() => 0);
  const raw = weights.map((w) => (amount * w) / total);
  const parts = raw.map((x) => Math.floor(x));
  let rest = amount - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => ({ i, frac: x - Math.floor(x) })).sort((a, b) => b.frac - a.frac || a.i - b.i);
  for (const { i } of order) {
    if (rest <= 0) break;
    parts[i]++;
    rest--;
  }
  return parts;
}

export function computeInvoice(input: InvoiceInput): Invoice {
  const byRate = new Map<number, { goods: number; shipping: number }>();
  for (const l of input.lines) {
    const b = byRate.get(l.vatRateBp) ?? { goods: 0, shipping: 0 };
    b.goods += l.unitPriceCents * l.quantity;
    byRate.set(l.vatRateBp, b);
  }
  if (input.shippingCents > 0) {
    const b = byRate.get(SHIPPING_VAT_BP) ?? { goods: 0, shipping: 0 };
    b.shipping += input.shippingCents;
    byRate.set(SHIPPING_VAT_BP, b);
  }
  const rates = [...byRate.entries()].sort((a, b) => b[0] - a[0]);
  const goodsCents = rates.reduce((s, [, b]) => s + b.goods, 0);
  const totalCents = goodsCents + input.shippingCents;
  if (input.creditUsedCents < 0 || input.creditUsedCents > totalCents) throw new Error('credit used out of range');
  const discounts = allocate(
    input.creditUsedCents,
    rates.map(([, b]) => b.goods + b.shipping),
  );
  return {
    goodsCents,
    shippingCents: input.shippingCents,
    totalCents,
    creditUsedCents: input.creditUsedCents,
    dueCents: totalCents - input.creditUsedCents,
    rates: rates.map(([rate, b], i) => {
      const gross = b.goods + b.shipping;
      const net = gross - discounts[i];
      const { netCents: base, vatCents } = vatIncluded(net, rate);
      return {
        vatRateBp: rate,
        grossCents: gross,
        goodsGrossCents: b.goods,
        shippingGrossCents: b.shipping,
        discountCents: discounts[i],
        netCents: net,
        baseCents: base,
        vatCents,
      };
    }),
  };
}

/** The amount excl. VAT of a gross amount, with the VAT rounded the same way as on the invoice. */
const excl = (gross: number, rate: number) => vatIncluded(gross, rate).netCents;

/**
 * Order invoiced: D 411[member] (due), D 7097 per rate (credit used, excl. VAT), C 707 per rate
 * (goods excl. VAT), C 7085 (shipping excl. VAT), C 44571 per rate (VAT on the net amount).
 * Balanced per rate: the discount excl. VAT of a rate is what makes its goods and shipping excl.
 * VAT meet its net amount, so 707 + 7085 − 7097 of a rate is the invoice's base of that rate (the
 * base the VAT was computed on); the 7097 lines carry their rate for the sales-by-rate export.
 */
export function invoiceLines(inv: Invoice, memberNumber: number): JournalLine[] {
  const lines: JournalLine[] = [{ account: 'CLIENTS', memberNumber, debitCents: inv.dueCents }];
  const discounts: JournalLine[] = [];
  const sales: JournalLine[] = [];
  const vat: JournalLine[] = [];
  for (const r of inv.rates) {
    // Goods and shipping of a rate split the excl.-VAT base of the gross amount.
    const grossExcl = excl(r.grossCents, r.vatRateBp);
    const shippingExcl = r.shippingGrossCents === 0 ? 0 : r.goodsGrossCents === 0 ? grossExcl : excl(r.shippingGrossCents, r.vatRateBp);
    const goodsExcl = grossExcl - shippingExcl;
    if (goodsExcl) sales.push({ account: 'VENTES', vatRateBp: r.vatRateBp, creditCents: goodsExcl });
    if (shippingExcl) sales.push({ account: 'PORTS', vatRateBp: r.vatRateBp, creditCents: shippingExcl });
    if (r.vatCents) vat.push({ account: 'TVA_COLLECTEE', vatRateBp: r.vatRateBp, creditCents: r.vatCents });
    // grossExcl + vat(net) = net + discountExcl  ⇒  discountExcl = grossExcl + vat − net = grossExcl − base(net)
    const discountExcl = grossExcl + r.vatCents - r.netCents;
    if (discountExcl) discounts.push({ account: 'REMISES', vatRateBp: r.vatRateBp, debitCents: discountExcl });
  }
  return [...lines, ...discounts, ...sales, ...vat].filter((l) => (l.debitCents ?? 0) !== 0 || (l.creditCents ?? 0) !== 0);
}

/** Payment received by bank transfer: D 512 / C 411[member]. */
export function paymentLines(amountCents: number, memberNumber: number): JournalLine[] {
  return [
    { account: 'BANQUE', debitCents: amountCents },
    { account: 'CLIENTS', memberNumber, creditCents: amountCents },
  ];
}

/** The credit note: the invoice entry reversed line by line. */
export function creditNoteLines(inv: Invoice, memberNumber: number): JournalLine[] {
  return invoiceLines(inv, memberNumber).map(({ debitCents, creditCents, ...rest }) => ({
    ...rest,
    ...(creditCents ? { debitCents: creditCents } : {}),
    ...(debitCents ? { creditCents: debitCents } : {}),
  }));
}

/** Money paid back to the member: D 411[member] / C 512. */
export function bankRefundLines(amountCents: number, memberNumber: number): JournalLine[] {
  return [
    { account: 'CLIENTS', memberNumber, debitCents: amountCents },
    { account: 'BANQUE', creditCents: amountCents },
  ];
}

export const balanceOfLines = (lines: JournalLine[]) =>
  lines.reduce((s, l) => s + (l.debitCents ?? 0) - (l.creditCents ?? 0), 0);

/** Shipping fee: flat, free from a threshold of goods incl. VAT. */
export function shippingFee(goodsCents: number, flatCents: number, freeFromCents: number): number {
  return goodsCents === 0 || goodsCents >= freeFromCents ? 0 : flatCents;
}
