// Coupon codes (DESIGN §4): 12 Crockford Base32 characters (60 random bits) and a mod-37 check
// character, shown XXXX-XXXX-XXXX-C. Only an HMAC-SHA256 of the normalised code is stored.
import { createHmac, randomInt } from 'node:crypto';

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CHECK_ALPHABET = ALPHABET + '*~$=U';
const BODY_LENGTH = 12;

function checkChar(body: string): string {
  let mod = 0;
  for (const ch of body) mod = (mod * 32 + ALPHABET.indexOf(ch)) % 37;
  return CHECK_ALPHABET[mod];
}

/** A new random code, normalised (13 characters, no hyphens). */
export function generateCode(): string {
  let body = '';
  for (let i = 0; i < BODY_LENGTH; i++) body += ALPHABET[randomInt(32)];
  return body + checkChar(body);
}

export function formatCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4, 8)}-${code.slice(8, 12)}-${code.slice(12)}`;
}

export type ParsedCode = { ok: true; code: string } | { ok: false; reason: 'format' | 'typo' };

/** Normalises what a member typed (case, spaces, hyphens, O→0, I/L→1) and verifies the check character. */
export function parseCode(input: string): ParsedCode {
  const s = input
    .toUpperCase()
    .replace(/[\s\-_.]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (s.length !== BODY_LENGTH + 1) return { ok: false, reason: 'format' };
  const body = s.slice(0, BODY_LENGTH);
  const check = s[BODY_LENGTH];
  if ([...body].some((c) => !ALPHABET.includes(c)) || !CHECK_ALPHABET.includes(check)) return { ok: false, reason: 'format' };
  if (checkChar(body) !== check) return { ok: false, reason: 'typo' };
  return { ok: true, code: s };
}

export function hashCode(secret: string, code: string): string {
  return createHmac('sha256', secret).update(code).digest('hex');
}
