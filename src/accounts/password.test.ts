import { describe, expect, it } from 'vitest';
import { PasswordSchema } from './schema.ts';
import { ARGON2_CONCURRENCY, argon2Running, commonPasswordCount, hashPassword, isCommonPassword, verifyPassword } from './password.ts';

describe('common passwords are refused, French ones and the club’s own words included', () => {
  it.each([
    'azerty123456', // French keyboard + digits
    'motdepasse123',
    'Mot de passe 123!',
    'Marseille13013', // a city and its postcode
    'Nicolas1990!!', // a first name and a year
    'Chocolat12345',
    'bonjourbonjour', // a common word repeated
    'petitesstars',
    'PetitesStars2024',
    'Club Petites Stars',
    'clubpetitesstars!',
    'petites-stars-azerty', // the club's words add nothing to a common one
    '123456789012',
    '1qaz2wsx3edc',
    'Émilie123456', // accents do not matter
  ])('%s is refused', (password) => {
    expect(isCommonPassword(password)).toBe(true);
    const parsed = PasswordSchema.safeParse(password);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].message).toContain('fait partie des plus courants');
  });

  it.each([
    'etoile-filante-2026', // the demo accounts' password
    'le petit prince et la rose',
    'une phrase de passe solide',
    'cerf-volant au-dessus des toits',
    'les petites stars de belleville', // the club's words inside a real phrase
    'mot de passe de l’intrus',
  ])('%s is accepted', (password) => {
    expect(isCommonPassword(password)).toBe(false);
    expect(PasswordSchema.safeParse(password).success).toBe(true);
  });

  it('the list holds the common passwords and the French words, first names and surnames', () => {
    expect(commonPasswordCount()).toBeGreaterThan(100_000);
  });
});

describe('argon2 takes at most ARGON2_CONCURRENCY cores at once', () => {
  it('eight hashes and verifications asked together run a bounded few at a time, and all complete', async () => {
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, argon2Running())), 1);
    try {
      const hashes = await Promise.all(Array.from({ length: 4 }, (_, i) => hashPassword(`phrase de passe numéro ${i}`)));
      const checks = await Promise.all([
        ...hashes.map((h, i) => verifyPassword(h, `phrase de passe numéro ${i}`)),
        ...hashes.map((h, i) => verifyPassword(h, `phrase de passe numéro ${i + 1}`)),
      ]);
      expect(checks).toEqual([true, true, true, true, false, false, false, false]);
    } finally {
      clearInterval(watch);
    }
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(ARGON2_CONCURRENCY);
    expect(argon2Running()).toBe(0);
  });
});
