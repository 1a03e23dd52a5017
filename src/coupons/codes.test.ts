import { describe, expect, it } from 'vitest';
import { ALPHABET, formatCode, generateCode, hashCode, parseCode } from './codes.ts';

describe('coupon codes', () => {
  it('generates 13-character Crockford codes that pass their own check', () => {
    for (let i = 0; i < 1000; i++) {
      const code = generateCode();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{12}[0-9A-HJKMNP-TV-Z*~$=U]$/);
      expect(parseCode(code)).toEqual({ ok: true, code });
    }
  });

  it('accepts the printed form typed loosely: lower case, spaces, O for 0, I and L for 1', () => {
    const code = generateCode();
    const typed = formatCode(code).toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l').replace(/-/g, ' - ');
    expect(parseCode(typed)).toEqual({ ok: true, code });
  });

  it('reports any single wrong character as a typo', () => {
    const code = generateCode();
    for (let pos = 0; pos < 12; pos++) {
      for (const ch of ALPHABET) {
        if (ch === code[pos]) continue;
        const typo = code.slice(0, pos) + ch + code.slice(pos + 1);
        expect(parseCode(typo)).toEqual({ ok: false, reason: 'typo' });
      }
    }
  });

  it('reports two swapped adjacent characters as a typo', () => {
    let detected = 0;
    let tried = 0;
    for (let i = 0; i < 200; i++) {
      const code = generateCode();
      for (let pos = 0; pos < 11; pos++) {
        if (code[pos] === code[pos + 1]) continue;
        tried++;
        const swapped = code.slice(0, pos) + code[pos + 1] + code[pos] + code.slice(pos + 2);
        if (!parseCode(swapped).ok) detected++;
      }
    }
    expect(detected).toBe(tried);
  });

  it('rejects wrong lengths and foreign characters as a format error', () => {
    expect(parseCode('ABCD-EFGH')).toEqual({ ok: false, reason: 'format' });
    expect(parseCode('ABCD-EFGH-JKMN-PQ')).toEqual({ ok: false, reason: 'format' });
    expect(parseCode('ABCD-EFGH-JKMU-0')).toEqual({ ok: false, reason: 'format' });
  });

  it('hashes with the secret key: same code, different keys, different hashes', () => {
    const code = generateCode();
    expect(hashCode('k'.repeat(32), code)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashCode('k'.repeat(32), code)).not.toBe(hashCode('j'.repeat(32), code));
  });
});
