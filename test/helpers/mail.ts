import type { TestApp } from './app.ts';

/** Runs the queued jobs, then returns the newest message kept for that address. */
export async function lastMailTo(t: TestApp, to: string, subject?: string) {
  await t.worker.drain();
  return t.deps.db.mailMessage.findFirst({ where: { to, subject }, orderBy: { createdAt: 'desc' } });
}

/** The path and query of the first link to the site in a message (e.g. /inscription/confirmer?jeton=…). */
export function linkIn(text: string | undefined): string {
  const m = /http:\/\/club\.test(\/[^\s]+)/.exec(text ?? '');
  if (!m) throw new Error(`no link in: ${text}`);
  return m[1];
}
