// Development delivery: each message as an .eml file (RFC 5322, UTF-8 as in RFC 6532) in a folder
// that only the machine's users can read; any mail client opens it, and `cat` shows it.
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OutgoingMail } from './mailer.ts';

const header = (v: string) => v.replace(/[\r\n]+/g, ' ');

export function toEml(id: string, date: Date, from: string, mail: OutgoingMail): string {
  const head = [
    `From: ${header(from)}`,
    `To: ${header(mail.to)}`,
    `Subject: ${header(mail.subject)}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${id}@club-petites-stars.dev>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return `${head.join('\r\n')}\r\n\r\n${mail.text.replace(/\r?\n/g, '\r\n')}\r\n`;
}

const stamp = (date: Date) => date.toISOString().replace(/[:.]/g, '-');

/** Writes the message as `<date>-<id>.eml`, readable by the file's owner only. */
export async function writeEml(dir: string, id: string, date: Date, from: string, mail: OutgoingMail): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${stamp(date)}-${id}.eml`);
  await writeFile(file, toEml(id, date, from, mail), { mode: 0o600, flag: 'wx' });
  return file;
}

/** The text of the message with that id, as its recipient reads it; null when there is no such file. */
export async function readEmlText(dir: string, id: string): Promise<string | null> {
  const name = (await readdir(dir).catch(() => [] as string[])).find((f) => f.endsWith(`-${id}.eml`));
  if (!name) return null;
  const raw = await readFile(path.join(dir, name), 'utf8');
  return raw
    .slice(raw.indexOf('\r\n\r\n') + 4)
    .replace(/\r\n/g, '\n')
    .replace(/\n$/, '');
}

/**
 * Deletes the messages written before `before` (their names start with the app clock's instant, in
 * a fixed-width form that sorts as time does); returns how many. The retention run calls it with
 * the 30 days the site keeps its own copies.
 */
export async function purgeEml(dir: string, before: Date): Promise<number> {
  const limit = stamp(before);
  const old = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml') && f.slice(0, limit.length) < limit);
  for (const f of old) await rm(path.join(dir, f), { force: true });
  return old.length;
}

/** Deletes the messages with those ids (a member's, at erasure); returns how many files went. */
export async function removeEml(dir: string, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const wanted = new Set(ids);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.eml') && wanted.has(f.slice(-40, -4)));
  for (const f of names) await rm(path.join(dir, f), { force: true });
  return names.length;
}
