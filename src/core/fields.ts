// Shared form-field schemas: one value per field (a field sent twice is refused, not a 500), no NUL
// byte (PostgreSQL text cannot hold it), numbers and dates within what the database stores.
// Every message is French and names the field, so the form can be shown again with it.
import { z } from 'zod';
import { INT4_MAX, parseMemberNumber } from './member-number.ts';
import { COUNTRIES } from './display.ts';
import type { Country } from './display.ts';

export { INT4_MAX };

// A schema that forgets its own message still answers in French.
z.config(z.locales.fr());


const repeated = (label: string) => `${label} : ce champ a été envoyé plusieurs fois.`;
const spaced = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');

const single = (label: string, missing: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? missing : Array.isArray(issue.input) ? repeated(label) : `${label} : valeur invalide.`;

/** One text value of a form field; `missing` is the message when the field is absent. */
export function formText(label: string, missing = `${label} : champ obligatoire.`) {
  return z
    .string({ error: single(label, missing) })
    .refine((s) => !s.includes('\0'), `${label} : caractère nul non autorisé.`);
}

/** A checkbox: absent is unchecked; a repeated box is refused. */
export function checkbox(label: string) {
  return z
    .string({ error: single(label, `${label} : valeur invalide.`) })
    .optional()
    .transform((v) => v === 'on' || v === '1' || v === 'true');
}

function toInteger(label: string, min: number, max: number, s: string, ctx: z.RefinementCtx): number {
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  // A negative whole number is a whole number: the message says what is allowed.
  if (/^-\d+$/.test(s)) return fail(`${label} : au moins ${spaced(min)}.`);
  if (!/^\d+$/.test(s)) return fail(`${label} : un nombre entier.`);
  const digits = s.replace(/^0+(?=\d)/, '');
  // Compared as text first: a 30-digit number does not survive Number().
  if (digits.length > String(max).length || Number(digits) > max) return fail(`${label} : ${spaced(max)} au maximum.`);
  if (Number(digits) < min) return fail(`${label} : au moins ${spaced(min)}.`);
  return Number(digits);
}

/** A whole number typed in a field, between min and max (never beyond PostgreSQL's integer). */
export function integerField(label: string, min: number, max: number) {
  const top = Math.min(max, INT4_MAX);
  return formText(label)
    .trim()
    .transform((s, ctx) => toInteger(label, min, top, s, ctx));
}

/** The same, optional: an empty or absent field is null. */
export function optionalIntegerField(label: string, min: number, max: number) {
  const top = Math.min(max, INT4_MAX);
  return formText(label)
    .trim()
    .optional()
    .transform((s, ctx) => (s ? toInteger(label, min, top, s, ctx) : null));
}

/** A country chosen from the site's list (a select): its stored code. */
export function countryField() {
  return z.enum(Object.keys(COUNTRIES) as [Country, ...Country[]], 'Pays : choisissez dans la liste.');
}

export function memberNumberField(label = 'Numéro de membre') {
  return formText(label).transform((s, ctx) => {
    const n = parseMemberNumber(s);
    if (n === null) {
      ctx.addIssue({ code: 'custom', message: `${label} invalide (exemple : M000123).` });
      return z.NEVER;
    }
    return n;
  });
}

export const MIN_YEAR = 2000;
export const MAX_YEAR = 2099;

/** A calendar day typed as aaaa-mm-jj (what a date field sends); impossible dates are refused. */
export function dayField(label: string) {
  return formText(label, `${label} : date obligatoire.`).superRefine((s, ctx) => {
    const fail = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return fail(`${label} : date invalide.`);
    const year = Number(s.slice(0, 4));
    if (year < MIN_YEAR || year > MAX_YEAR) return fail(`${label} : une année entre ${MIN_YEAR} et ${MAX_YEAR}.`);
    const d = new Date(`${s}T12:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) fail(`${label} : cette date n’existe pas.`);
  });
}
