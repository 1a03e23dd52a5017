import { describe, expect, it } from 'vitest';
import { formatDate, parisDay, parisDayEnd, parisDayStart } from './dates.ts';

describe('Paris dates', () => {
  it('formats an instant as its Paris day, the same on every call and for a Date or a string', () => {
    // 23:30 UTC on 31 December is already 1 January in Paris.
    const newYear = new Date('2026-12-31T23:30:00Z');
    expect(formatDate(newYear)).toBe('1er janvier 2027');
    expect(formatDate(newYear)).toBe('1er janvier 2027');
    expect(formatDate(newYear.toISOString())).toBe('1er janvier 2027');
    expect(formatDate(new Date('2026-07-14T10:00:00Z'))).toBe('14 juillet 2026');
    expect(formatDate(new Date('2026-12-11T10:00:00Z'))).toBe('11 décembre 2026');
    expect(formatDate(null)).toBe('');
    expect(() => formatDate('pas une date')).toThrow(RangeError);
  });

  it('keeps giving the right text after many different instants', () => {
    for (let i = 0; i < 5000; i++) formatDate(new Date(Date.UTC(2020, 0, 1) + i * 86_400_000));
    expect(formatDate(new Date(Date.UTC(2020, 0, 1) + 4999 * 86_400_000))).toBe(
      new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'long' }).format(
        Date.UTC(2020, 0, 1) + 4999 * 86_400_000,
      ).replace(/^1 /, '1er '),
    );
    expect(formatDate(new Date('2026-03-01T12:00:00Z'))).toBe('1er mars 2026');
  });

  it('gives the Paris day and its bounds across a clock change', () => {
    expect(parisDay(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-29');
    expect(parisDayStart('2026-03-29').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    // 29 March 2026 is 23 hours long: summer time starts at 02:00.
    expect(parisDayEnd('2026-03-29').toISOString()).toBe('2026-03-29T21:59:59.999Z');
  });
});
