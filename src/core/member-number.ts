// The pseudonymous member number (M000123): kept after erasure, used by accounting.
export const memberNumber = (n: number): string => `M${String(n).padStart(6, '0')}`;

/** PostgreSQL `integer`: what an Int column or a member number can hold. */
export const INT4_MAX = 2_147_483_647;

/** A member number as typed by staff: "M000123", "m123" or "123"; null when not one (or out of range). */
export function parseMemberNumber(input: string): number | null {
  const m = /^[Mm]?(\d+)$/.exec(input.trim());
  if (!m) return null;
  const digits = m[1].replace(/^0+(?=\d)/, '');
  if (digits.length > 10 || Number(digits) > INT4_MAX || Number(digits) < 1) return null;
  return Number(digits);
}
