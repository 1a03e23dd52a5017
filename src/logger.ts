// pino JSON logs. Personal data never reaches a log line: bodies and cookies are not logged,
// query strings are cut from URLs, and known personal keys are redacted wherever they appear.
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';

export type { Logger };

const PERSONAL_KEYS = [
  'email', 'password', 'passwordHash', 'firstName', 'lastName', 'name', 'phone', 'address',
  'addressLine1', 'addressLine2', 'postcode', 'city', 'token', 'code', 'to', 'text', 'cookie',
  'authorization',
];

export const REDACT_PATHS = [
  ...PERSONAL_KEYS,
  ...PERSONAL_KEYS.map((k) => `*.${k}`),
  ...PERSONAL_KEYS.map((k) => `*.*.${k}`),
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}

/** Error text for a log line, with e-mail addresses masked (driver errors may quote values). */
export function scrubText(text: string): string {
  return text.replace(/[^\s@<>"'()]+@[^\s@<>"'()]+/g, '[adresse]').slice(0, 1000);
}

/** The path of a URL without its query string (tokens travel in query strings). */
export function safeUrl(url: string | undefined): string {
  return (url ?? '').split('?')[0];
}
