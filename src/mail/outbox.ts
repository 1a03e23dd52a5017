// E-mails leave through the jobs outbox, written in the caller's transaction.
import type { Tx } from '../jobs/queue.ts';
import { enqueue } from '../jobs/queue.ts';

export interface MailText {
  subject: string;
  text: string;
}

export async function queueMail(tx: Tx, at: Date, memberId: string | null, to: string, mail: MailText): Promise<void> {
  await enqueue(tx, { kind: 'email', payload: { to, subject: mail.subject, text: mail.text, memberId }, memberId, at });
}

/** The signature under every e-mail of the site. */
export const SIGNATURE = '\n\n— L’équipe du Club Petites Stars';
