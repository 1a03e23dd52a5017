// argon2id with the OWASP parameters (m=19 MiB, t=2, p=1); hashing runs on libuv's thread pool.
import argon2 from 'argon2';
import { dictionary as common } from '@zxcvbn-ts/language-common';
import { dictionary as fr } from '@zxcvbn-ts/language-fr';

export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Lower case, no accents, letters and digits only: "Mot de passe !" and "motdepasse" are one guess. */
const fold = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^\p{L}\p{N}]/gu, '');

// The common passwords of @zxcvbn-ts/language-common and the French words (film subtitles and
// Wikipedia), first names and surnames of @zxcvbn-ts/language-fr, folded.
const COMMON = new Set(
  [common['passwords-common'], ...Object.values(fr)]
    .flat()
    .map(fold)
    .filter((w) => w.length > 0),
);
export const COMMON_PASSWORD_COUNT = COMMON.size;

// The site's own name (NIST SP 800-63B: context-specific words): adds nothing to a password.
const CLUB_WORDS = /clubpetitesstars|petitesstars|petites?|stars?|club/g;

const trimDigits = (s: string) => s.replace(/^\d+|\d+$/g, '');

/**
 * True for a password that an attacker tries early: once folded and without digits at either end,
 * it is a common password or a French word or name, made of the club's name (with or without such
 * a word), or one of those repeated.
 */
export function isCommonPassword(password: string): boolean {
  const all = fold(password);
  if (COMMON.has(all)) return true;
  const core = trimDigits(all);
  if (!core) return false;
  const withoutClub = trimDigits(core.replace(CLUB_WORDS, ''));
  if (!withoutClub || COMMON.has(withoutClub)) return true;
  const repeated = /^(.+?)\1+$/.exec(core);
  return COMMON.has(core) || (!!repeated && (repeated[1].length <= 3 || COMMON.has(repeated[1])));
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

// Compared against when the e-mail is unknown, so a login takes the same time either way.
let dummy: Promise<string> | undefined;
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword('mot de passe factice pour égaliser les temps');
  return dummy;
}
