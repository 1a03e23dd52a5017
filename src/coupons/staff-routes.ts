// Staff pages for coupon batches and credit adjustments.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Deps } from '../deps.ts';
import { requireArea } from '../http/auth.ts';
import { flash } from '../http/flash.ts';
import { fieldErrors, keepValues } from '../http/forms.ts';
import type { FieldErrors } from '../http/forms.ts';
import { AppError, ForbiddenError, NotFoundError } from '../http/errors.ts';
import { balanceOf, InsufficientCreditError } from '../credit/ledger.ts';
import { formatEuros, memberNumber } from '../http/view-helpers.ts';
import { AdjustSchema, BatchSchema, VoidSchema } from './schema.ts';
import { adjustCredit, batchStats, createBatch, issueCodes, voidBatch } from './service.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const batchId = (req: Request) => {
  const id = String(req.params.id);
  if (!uuid.test(id)) throw new NotFoundError('Lot de coupons introuvable.');
  return id;
};

export function couponStaffRoutes(deps: Deps): Router {
  const r = Router();
  const staff = requireArea('staff');

  const listPage = async (res: Response, values: Record<string, string> = {}, errors: FieldErrors = {}) => {
    const batches = await deps.db.couponBatch.findMany({ orderBy: { createdAt: 'desc' }, take: 200 });
    const counts = await deps.db.coupon.groupBy({ by: ['batchId'], where: { redeemedAt: { not: null } }, _count: { _all: true } });
    const redeemed = new Map(counts.map((c) => [c.batchId, c._count._all]));
    res.page('coupons/batches', { title: 'Coupons', batches, redeemed, values, errors });
  };

  r.get('/gestion/coupons', staff, (_req, res) => listPage(res));

  r.post('/gestion/coupons', staff, async (req, res) => {
    const parsed = BatchSchema.safeParse(req.body);
    if (!parsed.success) return listPage(res.status(422), keepValues(req.body), fieldErrors(parsed.error));
    const batch = await createBatch(deps, req.member!.id, parsed.data);
    flash(req, 'success', `Lot « ${batch.label} » créé. Téléchargez maintenant ses codes pour l’imprimeur.`);
    res.redirect(303, `/gestion/coupons/${batch.id}`);
  });

  const batchPage = async (req: Request, res: Response, errors: FieldErrors = {}, values: Record<string, string> = {}) => {
    const stats = await batchStats(deps, batchId(req));
    res.page('coupons/batch', { title: stats.batch.label, ...stats, errors, values });
  };

  r.get('/gestion/coupons/:id', staff, (req, res) => batchPage(req, res));

  r.post('/gestion/coupons/:id/codes', staff, async (req, res) => {
    const id = batchId(req);
    let codes: string[];
    try {
      codes = await issueCodes(deps, req.member!.id, id);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return batchPage(req, res.status(409), { _form: err.message });
      throw err;
    }
    res.setHeader('Content-Disposition', `attachment; filename="codes-${id}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.type('text/csv; charset=utf-8').send(`code\r\n${codes.join('\r\n')}\r\n`);
  });

  r.post('/gestion/coupons/:id/annuler', staff, async (req, res) => {
    const id = batchId(req);
    const parsed = VoidSchema.safeParse(req.body);
    if (!parsed.success) return batchPage(req, res.status(422), fieldErrors(parsed.error), keepValues(req.body));
    try {
      await voidBatch(deps, req.member!.id, id, parsed.data.reason);
    } catch (err) {
      if (err instanceof AppError && err.status === 409) return batchPage(req, res.status(409), { _form: err.message });
      throw err;
    }
    flash(req, 'success', 'Lot annulé : ses codes restants ne peuvent plus être utilisés.');
    res.redirect(303, `/gestion/coupons/${id}`);
  });

  // A refused form leaves its POST address in the address bar: opening it again leads back.
  r.get(['/gestion/coupons/:id/codes', '/gestion/coupons/:id/annuler'], staff, (req, res) => res.redirect(303, `/gestion/coupons/${batchId(req)}`));

  const adjustPage = (res: Response, values: Record<string, string> = {}, errors: FieldErrors = {}) =>
    res.page('coupons/adjust', { title: 'Ajuster un crédit', values: { nonce: randomUUID(), ...values }, errors });

  r.get('/gestion/credit', staff, (_req, res) => adjustPage(res));

  r.post('/gestion/credit', staff, async (req, res) => {
    const parsed = AdjustSchema.safeParse(req.body);
    if (!parsed.success) return adjustPage(res.status(422), keepValues(req.body), fieldErrors(parsed.error));
    try {
      const result = await adjustCredit(deps, req.member!.id, parsed.data);
      const sign = parsed.data.amountCents > 0 ? '+' : '';
      flash(req, 'success', `Crédit de ${memberNumber(result.member.number)} : ${sign}${formatEuros(parsed.data.amountCents)} ; nouveau solde ${formatEuros(result.balanceCents)}.`);
      res.redirect(303, '/gestion/credit');
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof ForbiddenError) return adjustPage(res.status(422), keepValues(req.body), { memberNumber: err.message });
      if (err instanceof InsufficientCreditError) {
        const m = await deps.db.member.findUnique({ where: { number: parsed.data.memberNumber } });
        const balance = m ? await balanceOf(deps.db, m.id) : 0;
        return adjustPage(res.status(422), keepValues(req.body), { amount: `Ce débit rendrait le solde négatif (solde actuel : ${formatEuros(balance)}).` });
      }
      if ((err as { code?: string }).code === 'P2002') {
        flash(req, 'info', 'Cet ajustement avait déjà été enregistré (formulaire envoyé deux fois).');
        return res.redirect(303, '/gestion/credit');
      }
      throw err;
    }
  });

  return r;
}
