// Sends e-mail: SMTP through nodemailer when SMTP_URL is set; otherwise each message is kept
// in the database and shown at the staff mailbox (/gestion/courriels), so every flow works offline.
import nodemailer from 'nodemailer';
import type { Db } from '../db/connect.ts';
import type { Clock } from '../core/clock.ts';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  memberId?: string | null;
}

export interface Mailer {
  readonly kind: 'smtp' | 'mailbox';
  send(mail: OutgoingMail): Promise<void>;
  close?(): void;
}

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

export function createMailboxMailer(db: Db, clock: Clock): Mailer {
  return {
    kind: 'mailbox',
    async send(mail) {
      await db.mailMessage.create({
        data: { to: mail.to, subject: mail.subject, text: mail.text, memberId: mail.memberId ?? null, createdAt: clock.now() },
      });
    },
  };
}
