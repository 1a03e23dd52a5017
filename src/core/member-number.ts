// The pseudonymous member number (M000123): kept after erasure, used by accounting.
export const memberNumber = (n: number): string => `M${String(n).padStart(6, '0')}`;

/** "M000123", "m123" or "123" → 123; anything else (or out of range) → null. */
export function parseMemberNumber(s: string): number | null {
  const m = /^[Mm]?0*(\d{1,9})$/.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  return n >= 1 && n <= 2_147_483_647 ? n : null;
}
