// The daily retention run (DESIGN §3), with the configured periods.
import type { Deps } from '../deps.ts';
import { eraseMember } from './eraser.ts';
import { purgeExpired } from '../core/rate-limit.ts';
import { mails } from '../accounts/emails.ts';
import { queueMail } from '../mail/outbox.ts';
import { purgeEml } from '../mail/eml.ts';

const DAY = 24 * 3600_000;

function monthsBefore(d: Date, months: number): Date {
  const x = new Date(d);
  x.setUTCMonth(x.getUTCMonth() - months);
  return x;
}

export interface RetentionReport {
  unconfirmedErased: number;
  inactiveWarned: number;
  inactiveErased: number;
  sessionsPurged: number;
}

export async function runRetention(deps: Deps): Promise<RetentionReport> {
  const now = deps.clock.now();
  const r = deps.config.retention;
  const report: RetentionReport = { unconfirmedErased: 0, inactiveWarned: 0, inactiveErased: 0, sessionsPurged: 0 };

  const unconfirmed = await deps.db.member.findMany({
    where: { erasedAt: null, emailConfirmedAt: null, role: 'MEMBER', createdAt: { lt: new Date(now.getTime() - r.unconfirmedDays * DAY) } },
    select: { id: true },
  });
  for (const m of unconfirmed) {
    if (await eraseMember(deps, m.id, { reason: 'retention-unconfirmed' })) report.unconfirmedErased++;
  }

  // Erased only after being warned, and after the whole notice period since that warning.
  const notice = r.inactiveEraseMonths - r.inactiveWarnMonths;
  const inactive = await deps.db.member.findMany({
    where: {
      erasedAt: null,
      role: 'MEMBER',
      lastActiveAt: { lt: monthsBefore(now, r.inactiveEraseMonths) },
      inactivityWarnedAt: { lte: monthsBefore(now, notice) },
    },
    select: { id: true },
  });
  for (const m of inactive) {
    if (await eraseMember(deps, m.id, { reason: 'retention-inactive' })) report.inactiveErased++;
  }

  const toWarn = await deps.db.member.findMany({
    where: { erasedAt: null, role: 'MEMBER', inactivityWarnedAt: null, email: { not: null }, lastActiveAt: { lt: monthsBefore(now, r.inactiveWarnMonths) } },
  });
  for (const m of toWarn) {
    await deps.db.$transaction(async (tx) => {
      const claimed = await tx.member.updateMany({ where: { id: m.id, inactivityWarnedAt: null }, data: { inactivityWarnedAt: now } });
      if (claimed.count !== 1) return;
      const mail = mails.inactivityWarning(deps, m.firstName ?? '', r.inactiveEraseMonths);
      await queueMail(tx, now, m.id, m.email!, mail);
      report.inactiveWarned++;
    });
  }

  report.sessionsPurged = (await deps.db.session.deleteMany({ where: { expiresAt: { lt: now } } })).count;
  await purgeExpired(deps);
  // Finished jobs and the development mailbox are kept 30 days, the audit log 12 months.
  const month = new Date(now.getTime() - 30 * DAY);
  await deps.db.job.deleteMany({ where: { status: { in: ['DONE', 'DEAD'] }, finishedAt: { lt: month } } });
  await deps.db.mailMessage.deleteMany({ where: { createdAt: { lt: month } } });
  // Development mail delivered as files (no SMTP) is kept no longer than the site's copies.
  if (deps.mailer.dir) await purgeEml(deps.mailer.dir, month);
  await deps.db.auditEvent.deleteMany({ where: { at: { lt: monthsBefore(now, 12) } } });
  deps.logger.info({ ...report }, 'retention run');
  return report;
}
