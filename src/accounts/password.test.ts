import { describe, expect, it } from 'vitest';
import { PasswordSchema } from './schema.ts';
import { COMMON_PASSWORD_COUNT, isCommonPassword } from './password.ts';

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
    expect(COMMON_PASSWORD_COUNT).toBeGreaterThan(100_000);
  });
});
