import { describe, expect, it } from 'vitest';
import { countryName, formatPhone } from './display.ts';

describe('countryName', () => {
  it('gives the French name of a listed code, whatever its case', () => {
    expect(countryName('FR')).toBe('France');
    expect(countryName('be')).toBe('Belgique');
    expect(countryName('MC')).toBe('Monaco');
  });
  it('falls back to the code itself, and to nothing for nothing', () => {
    expect(countryName('DE')).toBe('DE');
    expect(countryName('toString')).toBe('toString');
    expect(countryName(null)).toBe('');
    expect(countryName('')).toBe('');
  });
});

describe('formatPhone', () => {
  it('groups a French number of 10 digits by two', () => {
    expect(formatPhone('0612345678')).toBe('06 12 34 56 78');
    expect(formatPhone('06.12.34.56.78')).toBe('06 12 34 56 78');
    expect(formatPhone('06 12 34 56 78')).toBe('06 12 34 56 78');
    expect(formatPhone('06-1234-5678')).toBe('06 12 34 56 78');
  });
  it('shows any other number as stored', () => {
    expect(formatPhone('+33 6 12 34 56 78')).toBe('+33 6 12 34 56 78');
    expect(formatPhone('+32470123456')).toBe('+32470123456');
    expect(formatPhone('061234567')).toBe('061234567');
    expect(formatPhone('1612345678')).toBe('1612345678');
    expect(formatPhone(null)).toBe('');
  });
});
