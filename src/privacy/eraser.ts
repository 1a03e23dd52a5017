// Erases a member's personal data in one transaction, driven by the classification that the
// modules declare. The member's row keeps its id, number, creation date and erasedAt; accounting
// stays linked to that pseudonymous number.
import type { Deps } from '../deps.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { ruleOf } from '../core/module.ts';
import type { AnyTableRule, Classification } from '../core/module.ts';
import { ConflictError, ValidationError } from '../core/errors.ts';
import { auditWith } from '../audit/service.ts';

export type ErasureReason = 'self' | 'admin-request' | 'retention-unconfirmed' | 'retention-inactive';

export const PRIVACY_AUDIT = {
  'member.erased': 'Compte effacé',
  'data.exported': 'Données téléchargées',
} as const;
const audit = auditWith(PRIVACY_AUDIT);

/**
 * The reference of a written erasure request, kept in the audit journal after the erasure: the
 * number of a letter or a file, never a name (decision 0077). Letters, digits, "-", "/" and ".",
 * no space, 3 to 40 characters, at least one digit, at most 4 letters in a row (a surname needs more).
 */
export function isRequestRef(s: string): boolean {
  return /^[A-Z0-9][A-Z0-9\-/.]{2,39}$/i.test(s) && /\d/.test(s) && !/[A-Z]{5}/i.test(s);
}

const q = (ident: string) => `"${ident.replace(/"/g, '""')}"`;
type Rules = Record<string, AnyTableRule>;

/** SQL condition selecting the member's rows of a table ($1 = member id), following `via` owners up. */
export function ownerCondition(classification: Classification, table: string, seen: string[] = []): string {
  const rule = (classification as Rules)[table];
  if (!rule?.owner) throw new Error(`table ${table} has no owner`);
  if (seen.includes(table)) throw new Error(`ownership cycle: ${[...seen, table].join(' → ')}`);
  if (typeof rule.owner === 'string') return `${q(table)}.${q(rule.owner)} = $1::uuid`;
  const parent = rule.owner.via;
  return `${q(table)}.${q(rule.owner.key)} IN (SELECT ${q(parent)}.id FROM ${q(parent)} WHERE ${ownerCondition(classification, parent, [...seen, table])})`;
}

function depth(classification: Classification, table: string): number {
  const owner = (classification as Rules)[table]?.owner;
  return owner && typeof owner !== 'string' ? 1 + depth(classification, owner.via) : 0;
}

function scrubSets(rule: AnyTableRule): string[] {
  return Object.entries(rule.fields)
    .map(([col, f]) => [col, ruleOf(f)] as const)
    .filter(([, f]) => f.erasedValue !== undefined || f.class === 'personal')
    .map(([col, f]) => `${q(col)} = ${f.erasedValue ?? 'NULL'}`);
}

/**
 * The statements erasing one member's rows ($1 = member id, $2 = now): rows owned through a parent
 * before their parent, the member's own row last.
 */
export function erasureStatements(classification: Classification): string[] {
  const out: string[] = [];
  const tables = Object.entries(classification as Rules)
    .filter(([table, rule]) => rule.owner && rule.onErase !== 'keep' && table !== 'Member')
    .sort(([a], [b]) => depth(classification, b) - depth(classification, a));
  for (const [table, rule] of tables) {
    const where = ownerCondition(classification, table);
    let mode = rule.onErase;
    if (typeof mode === 'object') {
      out.push(`DELETE FROM ${q(table)} WHERE ${where} AND (${mode.deleteWhere})`);
      mode = mode.otherwise;
    }
    if (mode === 'delete') out.push(`DELETE FROM ${q(table)} WHERE ${where}`);
    // The owner column itself may be personal (a coupon's redeemer): the condition is evaluated before the update.
    if (mode === 'scrub') out.push(`UPDATE ${q(table)} SET ${scrubSets(rule).join(', ')} WHERE ${where}`);
  }
  const member = (classification as Rules).Member;
  if (member) out.push(`UPDATE "Member" SET ${scrubSets(member).join(', ')}, "erasedAt" = $2 WHERE id = $1::uuid`);
  return out;
}

const statementsCache = new WeakMap<Classification, string[]>();

/**
 * Erases the member, or refuses with the French reason a module gave (an order awaiting shipment).
 * Idempotent: erasing an erased member does nothing and returns false.
 */
export async function eraseMember(
  deps: Deps,
  memberId: string,
  opts: { reason: ErasureReason; actorId?: string | null; requestRef?: string; forfeitConfirmed?: boolean },
): Promise<boolean> {
  // The admin form checks it first, with its explanation; this guards every other caller.
  if (opts.requestRef !== undefined && !isRequestRef(opts.requestRef)) throw new ValidationError('Référence de la demande invalide : un numéro de courrier ou de dossier, jamais un nom.', 'requestRef');
  const now = deps.clock.now();
  const { classification, erasure } = deps.registry;
  let statements = statementsCache.get(classification);
  if (!statements) statementsCache.set(classification, (statements = erasureStatements(classification)));
  return deps.db.$transaction(
    async (tx: Prisma.TransactionClient) => {
      // Every writer of a member's rows takes this lock first: nothing is written after the erasure.
      await tx.$queryRaw`SELECT id FROM "Member" WHERE id = ${memberId}::uuid FOR UPDATE`;
      const member = await tx.member.findUnique({ where: { id: memberId }, select: { erasedAt: true } });
      if (!member || member.erasedAt) return false;
      const ctx = { deps, memberId, now, forfeitConfirmed: opts.forfeitConfirmed ?? true, reason: opts.reason };
      for (const hooks of erasure) {
        const veto = await hooks.veto?.(tx, ctx);
        if (veto) throw new ConflictError(veto);
      }
      for (const hooks of erasure) await hooks.before?.(tx, ctx);
      for (const sql of statements) await tx.$executeRawUnsafe(sql, ...(sql.includes('$2') ? [memberId, now] : [memberId]));
      const details = { reason: opts.reason, ...(opts.requestRef ? { requestRef: opts.requestRef } : {}) };
      await audit(tx, 'member.erased', { at: now, actor: opts.actorId ?? null, subject: memberId, details });
      return true;
    },
    { timeout: 20_000 },
  );
}

/**
 * Why the member cannot be erased now (the first veto), or null: the same hooks the eraser runs,
 * without the member's lock (a page says it before asking for the password; the eraser checks again).
 * `forfeitConfirmed`: a page that asks for the renunciation of the credit itself passes true.
 */
export async function erasureVeto(deps: Deps, memberId: string, opts: { forfeitConfirmed: boolean }): Promise<string | null> {
  const ctx = { deps, memberId, now: deps.clock.now(), forfeitConfirmed: opts.forfeitConfirmed, reason: 'self' as const };
  return deps.db.$transaction(async (tx) => {
    for (const hooks of deps.registry.erasure) {
      const veto = await hooks.veto?.(tx, ctx);
      if (veto) return veto;
    }
    return null;
  });
}
