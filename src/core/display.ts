// How a stored country code and phone number read on a page: the country's French name, a French
// number in pairs of digits. Display only: what is stored, and the JSON export, keep the values.

/** The countries a member or an order may be in, by their stored code (ISO 3166-1 alpha-2). */
export const COUNTRIES = { FR: 'France', BE: 'Belgique', LU: 'Luxembourg', CH: 'Suisse', MC: 'Monaco' } as const;
export type Country = keyof typeof COUNTRIES;

/** The French name of a stored country code; a code the list does not hold is shown as it is. */
export function countryName(code: string | null | undefined): string {
  if (!code) return '';
  const key = code.trim().toUpperCase();
  return Object.prototype.hasOwnProperty.call(COUNTRIES, key) ? COUNTRIES[key as Country] : code;
}

/**
 * A phone number as stored, except a French one written as 10 digits (0 then 9 digits, with or
 * without spaces, dots or dashes), shown in pairs: `0612345678` → `06 12 34 56 78`.
 */
export function formatPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const digits = phone.replace(/[\s.-]/g, '');
  if (!/^0\d{9}$/.test(digits)) return phone;
  return digits.replace(/(\d{2})(?=\d)/g, '$1 ');
}
