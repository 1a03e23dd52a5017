// The daily retention run (DESIGN §3), with the configured periods.
import type { Deps } from '../deps.ts';
import { eraseMember } from './eraser.ts';
import type { ErasureReason } from './eraser.ts';
import { purgeExpired } from '../core/rate-limit.ts';
import { mails } from '../accounts/emails.ts';
import { queueMail } from '../mail/outbox.ts';
import { purgeEml } from '../mail/eml.ts';
import { ConflictError } from '../core/errors.ts';

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
  /** Erasures a module refused for now (an order on its way): the next run tries again. */
  erasuresDeferred: number;
  sessionsPurged: number;
}

/**
 * Erases each member in turn. A refusal (an order still to be paid or delivered: the member's
 * address is needed) leaves that member for the next daily run; any other failure is logged and
 * kept for the end of the run. Neither stops the erasure of the others nor the rest of the run.
 */
async function eraseEach(deps: Deps, ids: string[], reason: ErasureReason, report: RetentionReport, failures: unknown[]): Promise<number> {
  let erased = 0;
  for (const id of ids) {
    try {
      if (await eraseMember(deps, id, { reason })) erased++;
    } catch (err) {
      if (err instanceof ConflictError) report.erasuresDeferred++;
      else failures.push(err);
    }
  }
  return erased;
}

export async function runRetention(deps: Deps): Promise<RetentionReport> {
  const now = deps.clock.now();
  const r = deps.config.retention;
  const report: RetentionReport = { unconfirmedErased: 0, inactiveWarned: 0, inactiveErased: 0, erasuresDeferred: 0, sessionsPurged: 0 };
  const failures: unknown[] = [];

  const unconfirmed = await deps.db.member.findMany({
    where: { erasedAt: null, emailConfirmedAt: null, role: 'MEMBER', createdAt: { lt: new Date(now.getTime() - r.unconfirmedDays * DAY) } },
    select: { id: true },
  });
  report.unconfirmedErased = await eraseEach(deps, unconfirmed.map((m) => m.id), 'retention-unconfirmed', report, failures);

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
  report.inactiveErased = await eraseEach(deps, inactive.map((m) => m.id), 'retention-inactive', report, failures);

  const toWarn = await deps.db.member.findMany({
    where: { erasedAt: null, role: 'MEMBER', inactivityWarnedAt: null, email: { not: null }, lastActiveAt: { lt: monthsBefore(now, r.inactiveWarnMonths) } },
  });
  for (const m of toWarn) {
    try {
      await deps.db.$transaction(async (tx) => {
        const claimed = await tx.member.updateMany({ where: { id: m.id, inactivityWarnedAt: null }, data: { inactivityWarnedAt: now } });
        if (claimed.count !== 1) return;
        const mail = mails.inactivityWarning(deps, m.firstName ?? '', r.inactiveEraseMonths);
        await queueMail(tx, now, m.id, m.email!, mail);
        report.inactiveWarned++;
      });
    } catch (err) {
      failures.push(err);
    }
  }

  report.sessionsPurged = (await deps.db.session.deleteMany({ where: { expiresAt: { lt: now } } })).count;
  // E-mailed links that were used or have expired serve nothing more (an address-change link holds the new address).
  await deps.db.memberToken.deleteMany({ where: { OR: [{ usedAt: { not: null } }, { expiresAt: { lt: now } }] } });
  await purgeExpired(deps);
  // Finished jobs and the development mailbox are kept 30 days, the audit log 12 months.
  const month = new Date(now.getTime() - 30 * DAY);
  await deps.db.job.deleteMany({ where: { status: { in: ['DONE', 'DEAD'] }, finishedAt: { lt: month } } });
  await deps.db.mailMessage.deleteMany({ where: { createdAt: { lt: month } } });
  // Development mail delivered as files (no SMTP) is kept no longer than the site's copies.
  if (deps.mailer.dir) await purgeEml(deps.mailer.dir, month);
  await deps.db.auditEvent.deleteMany({ where: { at: { lt: monthsBefore(now, 12) } } });
  deps.logger.info({ ...report, failures: failures.length }, 'retention run');
  // The job fails, and is tried again, once everything else has been done: counts only in the
  // log, no member's identifier (the job's error holds the first failure).
  if (failures.length) throw new AggregateError(failures, `retention run: ${failures.length} member(s) could not be processed`);
  return report;
}
