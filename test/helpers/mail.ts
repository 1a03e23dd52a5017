import type { TestApp } from './app.ts';
import { readEmlText } from '../../src/mail/eml.ts';

/**
 * Runs the queued jobs, then returns the newest message to that address as its recipient reads it:
 * the site's copy (links masked) with the full text of the .eml file the development mailer wrote.
 */
export async function lastMailTo(t: TestApp, to: string, subject?: string) {
  await t.worker.drain();
  const kept = await t.deps.db.mailMessage.findFirst({ where: { to, subject }, orderBy: { createdAt: 'desc' } });
  if (!kept) return null;
  const text = t.deps.mailer.dir ? await readEmlText(t.deps.mailer.dir, kept.id) : null;
  if (text === null) throw new Error(`no delivered copy of message ${kept.id}`);
  return { ...kept, text };
}

/** The path and query of the first link to the site in a message (e.g. /inscription/confirmer?jeton=…). */
export function linkIn(text: string | undefined): string {
  const m = /http:\/\/club\.test(\/[^\s]+)/.exec(text ?? '');
  if (!m) throw new Error(`no link in: ${text}`);
  return m[1];
}
