// Audit log of security-relevant events: ids only, never personal data.
import type { Db } from '../db/connect.ts';
import type { Prisma } from '../generated/prisma/client.ts';

export type AuditAction =
  | 'login.failed'
  | 'login.succeeded'
  | 'password.changed'
  | 'password.reset'
  | 'email.changed'
  | 'member.registered'
  | 'member.erased'
  | 'role.changed'
  | 'personal-data.viewed'
  | 'data.exported'
  | 'coupon-batch.created'
  | 'coupon-batch.codes-issued'
  | 'coupon-batch.voided'
  | 'credit.adjusted';

export async function audit(
  db: Pick<Db, 'auditEvent'>,
  action: AuditAction,
  who: { at: Date; actor?: string | null; subject?: string | null; details?: Prisma.InputJsonValue },
): Promise<void> {
  await db.auditEvent.create({
    data: { at: who.at, action, actorMemberId: who.actor ?? null, subjectMemberId: who.subject ?? null, details: who.details },
  });
}
