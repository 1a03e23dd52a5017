// Coupon batches (staff) and redemption (members): exactly once under concurrency.
import type { Deps } from '../deps.ts';
import type { Member, Prisma } from '../generated/prisma/client.ts';
import { AppError, ConflictError, isUniqueViolation, NotFoundError } from '../core/errors.ts';
import { LIMITS, anyBlocked, giveBack, hitAll } from '../core/rate-limit.ts';
import type { Check } from '../core/rate-limit.ts';
import { auditWith } from '../audit/service.ts';
import { lockMember, postCredit } from '../credit/ledger.ts';
import { TX_UNDER_LOAD } from '../credit/service.ts';

export const COUPONS_AUDIT = {
  'coupon-batch.created': 'Lot de coupons créé',
  'coupon-batch.codes-issued': 'Codes d’un lot téléchargés',
  'coupon-batch.voided': 'Lot de coupons annulé',
} as const;
const audit = auditWith(COUPONS_AUDIT);
import { formatCode, generateCode, hashCode, parseCode } from './codes.ts';
import { parisDay } from '../core/dates.ts';

export type CouponFailure =
  | 'format' | 'typo' | 'unknown' | 'used' | 'used-by-you' | 'expired' | 'not-yet-valid' | 'voided' | 'limit' | 'unconfirmed' | 'rate';

export const COUPON_MESSAGES: Record<CouponFailure, string> = {
  format: 'Ce code n’a pas le bon format : il compte 13 lettres ou chiffres (les tirets ne comptent pas), sous la forme XXXX-XXXX-XXXX-X.',
  typo: 'Ce code contient une faute de frappe : vérifiez chaque caractère (le dernier sert de contrôle).',
  unknown: 'Ce code n’existe pas. Vérifiez-le, ou contactez le club si vous pensez qu’il s’agit d’une erreur.',
  used: 'Ce code a déjà été utilisé.',
  'used-by-you': 'Vous avez déjà utilisé ce code : son montant est déjà sur votre crédit.',
  expired: 'Ce code a expiré : il n’est plus utilisable.',
  'not-yet-valid': 'Ce code n’est pas encore utilisable : réessayez à partir de sa date de validité.',
  voided: 'Ce code a été annulé par le club et ne peut plus être utilisé.',
  limit: 'Vous avez atteint le nombre maximum de codes de cette opération pour un même compte.',
  unconfirmed: 'Confirmez d’abord votre adresse électronique (lien reçu par courriel) pour pouvoir saisir un code.',
  rate: 'Trop de codes erronés. Pour votre sécurité, réessayez dans une heure.',
};

export class CouponError extends AppError {
  constructor(readonly reason: CouponFailure) {
    super(COUPON_MESSAGES[reason], reason === 'rate' ? 429 : 422, 'code');
  }
}

export interface BatchInput {
  label: string;
  valueCents: number;
  quantity: number;
  validFrom: Date;
  validUntil: Date;
  perMemberLimit: number | null;
}

export async function createBatch(deps: Deps, staffId: string, input: BatchInput) {
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    const batch = await tx.couponBatch.create({ data: { ...input, createdById: staffId, createdAt: now } });
    await audit(tx, 'coupon-batch.created', { at: now, actor: staffId, details: { batchId: batch.id, quantity: input.quantity } });
    return batch;
  });
}

/**
 * Generates the batch's codes and returns them, once: they are created at the moment of this
 * download and only their HMAC is stored, so they can never be shown again.
 */
export async function issueCodes(deps: Deps, staffId: string, batchId: string): Promise<string[]> {
  const now = deps.clock.now();
  return deps.db.$transaction(
    async (tx) => {
      const claimed = await tx.couponBatch.updateMany({
        where: { id: batchId, codesIssuedAt: null, voidedAt: null },
        data: { codesIssuedAt: now },
      });
      if (claimed.count !== 1) throw new ConflictError('Les codes de ce lot ont déjà été téléchargés (ou le lot est annulé) : ils ne peuvent plus être affichés.');
      const batch = await tx.couponBatch.findUniqueOrThrow({ where: { id: batchId } });
      const codes = new Set<string>();
      while (codes.size < batch.quantity) codes.add(generateCode());
      const list = [...codes];
      await tx.couponBatch.update({ where: { id: batchId }, data: { issuedCount: list.length } });
      const secret = deps.config.codeHmacSecret;
      for (let i = 0; i < list.length; i += 20_000) {
        const hashes = list.slice(i, i + 20_000).map((c) => hashCode(secret, c));
        await tx.$executeRaw`INSERT INTO "Coupon" (id, "batchId", "codeHash")
          SELECT gen_random_uuid(), ${batchId}::uuid, h FROM unnest(${hashes}::text[]) AS h`;
      }
      await audit(tx, 'coupon-batch.codes-issued', { at: now, actor: staffId, details: { batchId, count: list.length } });
      return list.map(formatCode);
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
}

export async function voidBatch(deps: Deps, staffId: string, batchId: string, reason: string): Promise<void> {
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    const r = await tx.couponBatch.updateMany({
      where: { id: batchId, voidedAt: null },
      data: { voidedAt: now, voidReason: reason, voidedById: staffId },
    });
    if (r.count !== 1) throw new ConflictError('Ce lot est déjà annulé.');
    await audit(tx, 'coupon-batch.voided', { at: now, actor: staffId, details: { batchId } });
  });
}

/** The latest batches with their redeemed counts. */
export async function listBatches(deps: Deps) {
  const batches = await deps.db.couponBatch.findMany({ orderBy: { createdAt: 'desc' }, take: 200 });
  return { batches, redeemed: new Map(batches.map((b) => [b.id, b.redeemedCount])) };
}

/** The coupons the member used, with what each one was. */
export async function couponsUsedBy(deps: Deps, memberId: string, limit?: number) {
  const used = await deps.db.coupon.findMany({
    where: { redeemedById: memberId },
    include: { batch: { select: { label: true, valueCents: true } } },
    orderBy: [{ redeemedAt: 'asc' }, { id: 'asc' }],
    ...(limit !== undefined ? { take: limit } : {}),
  });
  return used.map((c) => ({ id: c.id, batchId: c.batchId, redeemedAt: c.redeemedAt?.toISOString() ?? null, redeemedById: c.redeemedById, lot: { id: c.batchId, label: c.batch.label, valueCents: c.batch.valueCents } }));
}

export async function batchStats(deps: Deps, batchId: string) {
  const batch = await deps.db.couponBatch.findUnique({ where: { id: batchId } });
  if (!batch) throw new NotFoundError('Lot de coupons introuvable.');
  const issued = batch.issuedCount;
  const redeemed = batch.redeemedCount;
  // One row per day with redemptions, kept by redeemCoupon (a batch lives months, not decades).
  const byDay = await deps.db.couponRedemptionDay.findMany({ where: { batchId }, orderBy: { day: 'asc' }, select: { day: true, count: true } });
  return { batch, issued, redeemed, creditedCents: redeemed * batch.valueCents, byDay };
}

/**
 * Credits the member once for a valid code. Every lookup counts against the rate limits before it
 * is made (parallel guesses cannot slip through); a successful one is given back.
 */
export async function redeemCoupon(deps: Deps, member: Member, input: string, ip: string) {
  if (!member.emailConfirmedAt) throw new CouponError('unconfirmed');
  const limits: Check[] = [
    [LIMITS.couponPerMember, member.id],
    [LIMITS.couponPerIp, ip],
  ];
  if (await anyBlocked(deps, limits)) throw new CouponError('rate');
  const parsed = parseCode(input);
  if (!parsed.ok) throw new CouponError(parsed.reason); // no database work for a typo
  if (!(await hitAll(deps, limits, { inOrder: false }))) throw new CouponError('rate');
  const codeHash = hashCode(deps.config.codeHmacSecret, parsed.code);
  const now = deps.clock.now();
  try {
    const result = await deps.db.$transaction(async (tx: Prisma.TransactionClient) => {
      // One member's redemptions run one at a time: the per-member limit holds under concurrency.
      await lockMember(tx, member.id);
      await assertNotErased(tx, member.id);
      const coupon = await tx.coupon.findUnique({ where: { codeHash }, include: { batch: true } });
      if (!coupon) throw new CouponError('unknown');
      if (coupon.redeemedAt) throw new CouponError(coupon.redeemedById === member.id ? 'used-by-you' : 'used');
      const { batch } = coupon;
      if (batch.voidedAt) throw new CouponError('voided');
      if (now < batch.validFrom) throw new CouponError('not-yet-valid');
      if (now > batch.validUntil) throw new CouponError('expired');
      if (batch.perMemberLimit) {
        const mine = await tx.coupon.count({ where: { batchId: batch.id, redeemedById: member.id } });
        if (mine >= batch.perMemberLimit) throw new CouponError('limit');
      }
      // The conditional update is the exactly-once guarantee: only one transaction can flip it.
      const flipped = await tx.coupon.updateMany({
        where: { id: coupon.id, redeemedAt: null },
        data: { redeemedAt: now, redeemedById: member.id },
      });
      if (flipped.count !== 1) throw new CouponError('used');
      // The counter's update re-reads the batch row: a void committed meanwhile refuses the redemption.
      const counted = await tx.couponBatch.updateMany({ where: { id: batch.id, voidedAt: null }, data: { redeemedCount: { increment: 1 } } });
      if (counted.count !== 1) throw new CouponError('voided');
      const day = parisDay(now);
      await tx.couponRedemptionDay.upsert({
        where: { batchId_day: { batchId: batch.id, day } },
        create: { batchId: batch.id, day, count: 1 },
        update: { count: { increment: 1 } },
      });
      const { balanceCents } = await postCredit(tx, {
        memberId: member.id,
        amountCents: batch.valueCents,
        kind: 'COUPON',
        label: batch.label,
        couponId: coupon.id,
        idempotencyKey: `coupon:${coupon.id}`,
        at: now,
        locked: true,
      });
      return { valueCents: batch.valueCents, label: batch.label, balanceCents };
    }, TX_UNDER_LOAD);
    await giveBack(deps, { refund: limits });
    return result;
  } catch (err) {
    // The unique idempotency key is the backstop: a duplicate credit is reported as "already used".
    if (isUniqueViolation(err)) throw new CouponError('used');
    throw err;
  }
}

/** Re-read under the member's lock: a request that started before an erasure must not write after it. */
async function assertNotErased(tx: Prisma.TransactionClient, memberId: string): Promise<void> {
  const m = await tx.member.findUnique({ where: { id: memberId }, select: { erasedAt: true } });
  if (!m || m.erasedAt) throw new NotFoundError('Ce compte n’existe plus.');
}
