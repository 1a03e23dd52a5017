import { describe, expect, it } from 'vitest';
import { formatEuros, parseEurosToCents } from './money.ts';

describe('money', () => {
  it('formats cents as French euros, the same text each time (formatted amounts are kept)', () => {
    const nbsp = /[\u00a0\u202f]/g;
    for (let i = 0; i < 2; i++) {
      expect(formatEuros(0).replace(nbsp, ' ')).toBe('0,00 €');
      expect(formatEuros(123456).replace(nbsp, ' ')).toBe('1 234,56 €');
      expect(formatEuros(-350).replace(nbsp, ' ')).toBe('-3,50 €');
    }
    // -0 is not 0 for Intl, though a Map takes one for the other: each keeps its own text.
    expect(formatEuros(-0)).toBe(new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' }).format(-0));
    expect(formatEuros(0).replace(nbsp, ' ')).toBe('0,00 €');
    // Past the bound, the kept texts are dropped and formatted again.
    for (let c = 0; c < 2500; c++) expect(formatEuros(c)).toBe(formatEuros(c));
    expect(formatEuros(1999).replace(nbsp, ' ')).toBe('19,99 €');
  });

  it('reads what a French user types', () => {
    expect(parseEurosToCents('12,5 €')).toBe(1250);
    expect(parseEurosToCents('-3.20')).toBe(-320);
    expect(parseEurosToCents('douze')).toBeNull();
  });
});
