import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  checkbox,
  dayField,
  formText,
  integerField,
  memberNumberField,
  optionalIntegerField,
} from './fields.ts';
import { parseMemberNumber } from './member-number.ts';

const message = (schema: z.ZodType, input: unknown) => {
  const r = schema.safeParse(input);
  return r.success ? null : r.error.issues[0].message;
};

describe('shared form fields', () => {
  it('a text field refuses a repeated field, a NUL byte and an absent value, in French', () => {
    const f = formText('Ville').trim().min(1, 'Ville : champ obligatoire.');
    expect(message(f, ['Paris', 'Lyon'])).toBe('Ville : ce champ a été envoyé plusieurs fois.');
    expect(message(f, 'Pa\0ris')).toBe('Ville : caractère nul non autorisé.');
    expect(message(f, undefined)).toBe('Ville : champ obligatoire.');
    expect(message(f, { a: 1 })).toBe('Ville : valeur invalide.');
    expect(f.parse('  Paris ')).toBe('Paris');
  });

  it('a checkbox sent twice is refused; absent means unchecked', () => {
    const f = checkbox('Lettre d’information');
    expect(message(f, ['on', 'on'])).toBe('Lettre d’information : ce champ a été envoyé plusieurs fois.');
    expect(f.parse(undefined)).toBe(false);
    expect(f.parse('on')).toBe(true);
  });

  it('whole numbers stay within their range and within PostgreSQL integers', () => {
    const q = integerField('Quantité', 1, 100_000);
    expect(q.parse(' 0042 ')).toBe(42);
    expect(message(q, '99999999999999999999')).toBe('Quantité : 100 000 au maximum.');
    expect(message(q, '100001')).toBe('Quantité : 100 000 au maximum.');
    expect(message(q, '0')).toBe('Quantité : au moins 1.');
    expect(message(q, '1e3')).toBe('Quantité : un nombre entier.');
    expect(message(q, '-5')).toBe('Quantité : au moins 1.');
    expect(message(integerField('Stock', 0, 1000), '-3')).toBe('Stock : au moins 0.');
    expect(message(q, '-1,5')).toBe('Quantité : un nombre entier.');
    expect(message(integerField('N', 0, Number.MAX_SAFE_INTEGER), '2147483648')).toBe('N : 2 147 483 647 au maximum.');
    const limit = optionalIntegerField('Limite', 1, 1000);
    expect(limit.parse('')).toBeNull();
    expect(limit.parse(undefined)).toBeNull();
    expect(message(limit, ['1', '2'])).toBe('Limite : ce champ a été envoyé plusieurs fois.');
  });

  it('member numbers: prefix, leading zeros, and nothing beyond an integer', () => {
    expect(parseMemberNumber('M000123')).toBe(123);
    expect(parseMemberNumber('m7')).toBe(7);
    expect(parseMemberNumber('2147483647')).toBe(2147483647);
    for (const bad of ['M2147483648', '99999999999999999999', 'M0', 'M-1', 'X12', ''])
      expect(parseMemberNumber(bad), bad).toBeNull();
    expect(parseMemberNumber(`m${'0'.repeat(40)}12`)).toBe(12);
    expect(message(memberNumberField(), 'M2147483648')).toBe('Numéro de membre invalide (exemple : M000123).');
  });

  it('days: aaaa-mm-jj, a year between 2000 and 2099, a day that exists, and never an exception', () => {
    const d = dayField('Début');
    expect(d.parse('2026-02-28')).toBe('2026-02-28');
    expect(message(d, '0000-01-01')).toBe('Début : une année entre 2000 et 2099.');
    expect(message(d, '9999-12-31')).toBe('Début : une année entre 2000 et 2099.');
    expect(message(d, '2026-02-30')).toBe('Début : cette date n’existe pas.');
    expect(message(d, '2026-13-01')).toBe('Début : cette date n’existe pas.');
    expect(message(d, 'abc')).toBe('Début : date invalide.');
    expect(message(d, '2026-1-1')).toBe('Début : date invalide.');
    expect(message(d, undefined)).toBe('Début : date obligatoire.');
  });

  it('a schema without its own message still answers in French', () => {
    expect(message(z.object({ a: z.string() }), { a: 1 })).toMatch(/^Entrée invalide/);
  });
});
