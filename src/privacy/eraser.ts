// Erases a member's personal data in one transaction, driven by the classification map.
// The member's row keeps its id, number, creation date and erasedAt; accounting stays linked.
import type { Deps } from '../deps.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { CLASSIFICATION, ruleOf } from './classification.ts';
import { audit } from './audit.ts';
import { balanceOf, lockMember, postCredit } from '../credit/ledger.ts';

export type ErasureReason = 'self' | 'admin-request' | 'retention-unconfirmed' | 'retention-inactive';

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

/** SQL statements erasing one member's rows, in a fixed order (children before the member). */
export function erasureStatements(): string[] {
  const out: string[] = [];
  for (const [table, rule] of Object.entries(CLASSIFICATION)) {
    if (!rule.owner || rule.onErase === 'keep' || table === 'Member') continue;
    if (rule.onErase === 'delete') {
      out.push(`DELETE FROM ${q(table)} WHERE ${q(rule.owner)} = $1::uuid`);
      continue;
    }
    const sets = Object.entries(rule.fields)
      .map(([col, f]) => [col, ruleOf(f)] as const)
      .filter(([, f]) => f.erasedValue !== undefined || f.class === 'personal')
      .map(([col, f]) => `${q(col)} = ${f.erasedValue ?? 'NULL'}`);
    // The owner column itself may be personal (a coupon's redeemer): it is cleared last.
    out.push(`UPDATE ${q(table)} SET ${sets.join(', ')} WHERE ${q(rule.owner)} = $1::uuid`);
  }
  const member = CLASSIFICATION.Member;
  const sets = Object.entries(member.fields)
    .map(([col, f]) => [col, ruleOf(f)] as const)
    .filter(([, f]) => f.erasedValue !== undefined || f.class === 'personal')
    .map(([col, f]) => `${q(col)} = ${f.erasedValue ?? 'NULL'}`);
  out.push(`UPDATE "Member" SET ${sets.join(', ')}, "erasedAt" = $2 WHERE id = $1::uuid`);
  return out;
}

const STATEMENTS = erasureStatements();

/** Idempotent: erasing an erased member does nothing. Returns false in that case. */
export async function eraseMember(
  deps: Deps,
  memberId: string,
  opts: { reason: ErasureReason; actorId?: string | null; /** The written request's reference (no personal data). */ requestRef?: string },
): Promise<boolean> {
  const now = deps.clock.now();
  return deps.db.$transaction(
    async (tx: Prisma.TransactionClient) => {
      await lockMember(tx, memberId);
      const member = await tx.member.findUnique({ where: { id: memberId } });
      if (!member || member.erasedAt) return false;
      // Remaining credit is forfeited (the member was warned); the ledger records it.
      const balance = await balanceOf(tx, memberId);
      if (balance > 0) {
        await postCredit(tx, {
          memberId,
          amountCents: -balance,
          kind: 'EXPIRY',
          label: 'Crédit perdu à la suppression du compte',
          idempotencyKey: `erasure:${memberId}`,
          at: now,
        });
      }
      for (const sql of STATEMENTS) {
        await tx.$executeRawUnsafe(sql, ...(sql.includes('$2') ? [memberId, now] : [memberId]));
      }
      const details = opts.requestRef ? { reason: opts.reason, requestRef: opts.requestRef } : { reason: opts.reason };
      await audit(tx, 'member.erased', { actor: opts.actorId ?? null, subject: memberId, details });
      return true;
    },
    { timeout: 20_000 },
  );
}
