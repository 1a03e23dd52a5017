// Sends e-mail: SMTP through nodemailer when SMTP_URL is set; otherwise (development) each message
// is delivered as an .eml file under DATA_DIR/mail, and a copy with its links masked is kept in the
// database and shown at the staff mailbox (/gestion/courriels). docs/decisions/0012.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { Clock } from '../core/clock.ts';
import { writeEml } from './eml.ts';
import { maskSecrets } from './mask.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  memberId?: string | null;
}

export interface Mailer {
  readonly kind: 'smtp' | 'mailbox';
  /** Mailbox only: the folder the messages are delivered to, in full. */
  readonly dir?: string;
  send(mail: OutgoingMail): Promise<void>;
  close?(): void;
}

/** Where the development mailer delivers: only whoever can read the server's files reads there. */
export const mailDirOf = (config: Pick<Config, 'dataDir'>) => path.join(config.dataDir, 'mail');

export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    kind: 'smtp',
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transport.close(),
  };
}

/**
 * Development: the message goes, whole, to an .eml file in `dir` (the recipient's stand-in mailbox);
 * the site keeps a copy whose links are masked, so nothing it shows can open someone's account.
 */
export function createMailboxMailer(db: Db, clock: Clock, opts: { dir: string; from: string }): Mailer {
  return {
    kind: 'mailbox',
    dir: opts.dir,
    async send(mail) {
      const id = randomUUID();
      const now = clock.now();
      await writeEml(opts.dir, id, now, opts.from, mail);
      await db.mailMessage.create({
        data: { id, to: mail.to, subject: mail.subject, text: maskSecrets(mail.text), memberId: mail.memberId ?? null, createdAt: now },
      });
    },
  };
}
