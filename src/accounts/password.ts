// argon2id with the OWASP parameters (m=19 MiB, t=2, p=1); hashing runs on libuv's thread pool.
import { createRequire } from 'node:module';
import os from 'node:os';
import argon2 from 'argon2';

export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** Lower case, no accents, letters and digits only: "Mot de passe !" and "motdepasse" are one guess. */
const fold = (s: string) =>
  s
    .toLowerCase()
    .normalize('NFD')
    .replace(/[^\p{L}\p{N}]/gu, '');

type Dictionary = Record<string, string[]>;
let common: Set<string> | undefined;

/**
 * The common passwords of @zxcvbn-ts/language-common and the French words (film subtitles and
 * Wikipedia), first names and surnames of @zxcvbn-ts/language-fr, folded. Read at the first
 * password checked, not at start: the dictionaries and their set take about 17 MB, and most
 * requests never choose a password.
 */
function commonWords(): Set<string> {
  if (!common) {
    const require = createRequire(import.meta.url);
    const lists = (name: string) => (require(name) as { dictionary: Dictionary }).dictionary;
    const en = lists('@zxcvbn-ts/language-common');
    common = new Set(
      [en['passwords-common'], ...Object.values(lists('@zxcvbn-ts/language-fr'))]
        .flat()
        .map(fold)
        .filter((w) => w.length > 0),
    );
  }
  return common;
}

export const commonPasswordCount = (): number => commonWords().size;

// The site's own name (NIST SP 800-63B: context-specific words): adds nothing to a password.
const CLUB_WORDS = /clubpetitesstars|petitesstars|petites?|stars?|club/g;

const trimDigits = (s: string) => s.replace(/^\d+|\d+$/g, '');

/**
 * True for a password that an attacker tries early: once folded and without digits at either end,
 * it is a common password or a French word or name, made of the club's name (with or without such
 * a word), or one of those repeated.
 */
export function isCommonPassword(password: string): boolean {
  const COMMON = commonWords();
  const all = fold(password);
  if (COMMON.has(all)) return true;
  const core = trimDigits(all);
  if (!core) return false;
  const withoutClub = trimDigits(core.replace(CLUB_WORDS, ''));
  if (!withoutClub || COMMON.has(withoutClub)) return true;
  const repeated = /^(.+?)\1+$/.exec(core);
  return COMMON.has(core) || (!!repeated && (repeated[1].length <= 3 || COMMON.has(repeated[1])));
}

/**
 * At most this many argon2 computations at once (`ARGON2_CONCURRENCY`, default: the cores but one):
 * each takes a core for some 20 ms, and logins arriving together would otherwise take every core
 * from the pages and the embedded database (decision 0019).
 */
export const ARGON2_CONCURRENCY = Math.max(1, Number(process.env.ARGON2_CONCURRENCY) || os.availableParallelism() - 1);
let running = 0;
const waiting: (() => void)[] = [];

async function bounded<T>(work: () => Promise<T>): Promise<T> {
  if (running >= ARGON2_CONCURRENCY) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next(); // the slot passes to the next in line
    else running--;
  }
}

/** argon2 computations running now (for the tests). */
export const argon2Running = (): number => running;

export function hashPassword(password: string): Promise<string> {
  return bounded(() => argon2.hash(password, ARGON2_OPTIONS));
}

export async function verifyPassword(hash: string | null | undefined, password: string): Promise<boolean> {
  if (!hash) return false;
  try {
    return await bounded(() => argon2.verify(hash, password));
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
