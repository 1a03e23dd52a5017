// Opaque random public ids: an entry's receipt and a contest's id as shown on its page.
import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford Base32, no I L O U

function randomString(length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(32)];
  return s;
}

/** An entry's receipt: 12 characters (60 random bits), e.g. "K7Q2M9XH4TZB". */
export const newEntryPublicId = (): string => randomString(12);
/** A contest's public id used in the draw key, e.g. "C-4TZB9XH2". */
export const newContestPublicId = (): string => `C-${randomString(8)}`;

export const ENTRY_ID_RE = /^[0-9A-HJKMNP-TV-Z]{12}$/;
