// Money is integer cents. Parses what a French user types: "12", "12,5", "12,50 €", "-3.20".
export function parseEurosToCents(input: string): number | null {
  const s = input.replace(/[\s\u00a0€]/g, '').replace(',', '.');
  const m = /^([+-]?)(\d{1,7})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  const cents = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -cents : cents;
}
