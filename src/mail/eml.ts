// Development delivery: each message as an .eml file (RFC 5322, UTF-8 as in RFC 6532) in a folder
// that only the machine's users can read; any mail client opens it, and `cat` shows it.
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
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

/** Writes the message as `<date>-<id>.eml`, readable by the file's owner only. */
export async function writeEml(dir: string, id: string, date: Date, from: string, mail: OutgoingMail): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${date.toISOString().replace(/[:.]/g, '-')}-${id}.eml`);
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
