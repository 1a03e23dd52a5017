// Staff adjustments of a member's credit: a mandatory reason, never one's own account; audited.
import type { Deps } from '../deps.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { ForbiddenError, isUniqueViolation, NotFoundError, ValidationError } from '../core/errors.ts';
import { formatEuros } from '../core/money.ts';
import { auditWith } from '../audit/service.ts';
import { balanceOf, InsufficientCreditError, lockMember, postCredit } from './ledger.ts';

export const CREDIT_AUDIT = { 'credit.adjusted': 'Crédit ajusté' } as const;
const audit = auditWith(CREDIT_AUDIT);

/** Under a burst, transactions queue for a connection and for the member's row lock. */
export const TX_UNDER_LOAD = { maxWait: 15_000, timeout: 20_000 };

export interface AdjustInput {
  memberNumber: number;
  amountCents: number;
  reason: string;
  /** The form's one-time id: the same form sent twice is recorded once. */
  nonce: string;
}

export type AdjustResult = { duplicate: true } | { duplicate: false; memberNumber: number; amountCents: number; balanceCents: number };

export async function adjustCredit(deps: Deps, staffId: string, input: AdjustInput): Promise<AdjustResult> {
  const now = deps.clock.now();
  try {
    return await deps.db.$transaction(async (tx: Prisma.TransactionClient) => {
      const found = await tx.member.findUnique({ where: { number: input.memberNumber }, select: { id: true } });
      if (!found) throw new NotFoundError('Aucun compte actif ne porte ce numéro de membre.', 'memberNumber');
      if (found.id === staffId) throw new ForbiddenError('Vous ne pouvez pas ajuster votre propre crédit : demandez à un autre membre de l’équipe.', 'memberNumber');
      await lockMember(tx, found.id);
      const member = await tx.member.findUniqueOrThrow({ where: { id: found.id } });
      if (member.erasedAt) throw new NotFoundError('Aucun compte actif ne porte ce numéro de membre.', 'memberNumber');
      if (await tx.creditLine.findUnique({ where: { idempotencyKey: `adjust:${input.nonce}` }, select: { id: true } })) return { duplicate: true as const };
      try {
        const { balanceCents } = await postCredit(tx, {
          memberId: member.id,
          amountCents: input.amountCents,
          kind: 'ADJUSTMENT',
          label: input.amountCents > 0 ? 'Ajustement en votre faveur' : 'Ajustement',
          reason: input.reason,
          idempotencyKey: `adjust:${input.nonce}`,
          createdById: staffId,
          at: now,
          locked: true,
        });
        await audit(tx, 'credit.adjusted', { at: now, actor: staffId, subject: member.id, details: { amountCents: input.amountCents } });
        return { duplicate: false as const, memberNumber: member.number, amountCents: input.amountCents, balanceCents };
      } catch (err) {
        if (err instanceof InsufficientCreditError) {
          throw new ValidationError(`Ce débit rendrait le solde négatif (solde actuel : ${formatEuros(await balanceOf(tx, member.id))}).`, 'amount');
        }
        throw err;
      }
    }, TX_UNDER_LOAD);
  } catch (err) {
    // Two submissions of one form at once: the unique key let one through; the other was the same.
    if (isUniqueViolation(err)) return { duplicate: true };
    throw err;
  }
}
