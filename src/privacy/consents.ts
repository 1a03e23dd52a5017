// Consent records: what a member accepted (policy version) or chose, and when; withdrawals dated.
import type { Db } from '../db/connect.ts';
import { POLICY_VERSION } from './policy.ts';

export type ConsentKind = 'terms-and-privacy' | 'newsletter';
type ConsentDb = Pick<Db, 'consent'>;

export async function recordConsent(db: ConsentDb, memberId: string, kind: ConsentKind, at: Date): Promise<void> {
  await db.consent.create({ data: { memberId, kind, policyVersion: POLICY_VERSION, givenAt: at } });
}

export async function withdrawConsent(db: ConsentDb, memberId: string, kind: ConsentKind, at: Date): Promise<void> {
  await db.consent.updateMany({ where: { memberId, kind, withdrawnAt: null }, data: { withdrawnAt: at } });
}
