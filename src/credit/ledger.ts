// Member credit: an append-only sub-ledger of signed cents. The balance is derived, and every
// movement of a member's credit runs under a lock on the member's row, so concurrent spending
// can never take it below zero.
import type { Db } from '../db/connect.ts';
import type { CreditKind, Prisma } from '../generated/prisma/client.ts';
import { ConflictError } from '../core/errors.ts';

type Tx = Prisma.TransactionClient;

export class InsufficientCreditError extends ConflictError {
  constructor() {
    super('Crédit insuffisant pour cette opération.');
  }
}

export async function lockMember(tx: Tx, memberId: string): Promise<void> {
  await tx.$queryRaw`SELECT id FROM "Member" WHERE id = ${memberId}::uuid FOR UPDATE`;
}

export async function balanceOf(db: Db | Tx, memberId: string): Promise<number> {
  const agg = await db.creditLine.aggregate({ where: { memberId }, _sum: { amountCents: true } });
  return agg._sum.amountCents ?? 0;
}

export interface CreditMovement {
  memberId: string;
  amountCents: number;
  kind: CreditKind;
  label: string;
  idempotencyKey: string;
  reason?: string | null;
  couponId?: string | null;
  createdById?: string | null;
  at: Date;
  /** The caller already holds the member's row lock in this transaction. */
  locked?: boolean;
}

/** Appends a line inside the caller's transaction. Refuses a debit the balance does not cover. */
export async function postCredit(tx: Tx, m: CreditMovement): Promise<{ balanceCents: number; lineId: bigint }> {
  if (!Number.isInteger(m.amountCents) || m.amountCents === 0) throw new Error('credit amount must be a non-zero integer');
  if (!m.locked) await lockMember(tx, m.memberId);
  const before = await balanceOf(tx, m.memberId);
  if (before + m.amountCents < 0) throw new InsufficientCreditError();
  const line = await tx.creditLine.create({
    data: {
      memberId: m.memberId,
      amountCents: m.amountCents,
      kind: m.kind,
      label: m.label,
      reason: m.reason ?? null,
      couponId: m.couponId ?? null,
      idempotencyKey: m.idempotencyKey,
      createdById: m.createdById ?? null,
      createdAt: m.at,
    },
  });
  return { balanceCents: before + m.amountCents, lineId: line.id };
}

export async function creditHistory(db: Db, memberId: string, page: number, perPage = 20) {
  const [lines, total] = await Promise.all([
    db.creditLine.findMany({
      where: { memberId },
      orderBy: { id: 'desc' },
      skip: (page - 1) * perPage,
      take: perPage,
    }),
    db.creditLine.count({ where: { memberId } }),
  ]);
  return { lines, total, page, pages: Math.max(1, Math.ceil(total / perPage)) };
}

export const CREDIT_KIND_LABELS: Record<CreditKind, string> = {
  COUPON: 'Coupon',
  ORDER: 'Commande',
  REFUND: 'Remboursement',
  ADJUSTMENT: 'Ajustement',
  EXPIRY: 'Crédit perdu',
};
