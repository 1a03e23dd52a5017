// Coupon pages: the member's code form and credit history (/compte/coupons); the staff's batches.
import { Router } from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { formAction } from '../http/forms.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.ts';
import { formatEuros } from '../core/money.ts';
import { sourceOf } from '../core/rate-limit.ts';
import { creditHistory, CREDIT_KIND_LABELS, shownBalance } from '../credit/ledger.ts';
import { BatchSchema, RedeemSchema, VoidSchema } from './schema.ts';
import { batchStats, createBatch, issueCodes, listBatches, redeemCoupon, voidBatch } from './service.ts';

const empty: FormState = { values: {}, errors: {} };
/** ?avant=<line id>: the history page before that line (keyset); anything else is the first page. */
const HistoryQuery = z.object({ avant: z.string().regex(/^\d{1,18}$/).transform((s) => BigInt(s)) });

export function couponMemberRoutes(deps: Deps): Router {
  const page = async (req: Request, res: Response, form: FormState = empty) => {
    const m = req.member!;
    res.page('coupons/member', {
      title: 'Mes coupons et mon crédit',
      confirmed: !!m.emailConfirmedAt,
      balanceCents: await shownBalance(deps, req, m.id),
      history: await creditHistory(deps.db, m.id, HistoryQuery.safeParse({ avant: req.query.avant }).data?.avant ?? null),
      kinds: CREDIT_KIND_LABELS,
      values: { code: (form.values.code ?? '').slice(0, 40) },
      errors: form.errors,
    });
  };
  return Router()
    .get('/coupons', (req, res) => page(req, res))
    .post(
      '/coupons',
      formAction({
        schema: RedeemSchema,
        render: page,
        run: (req, data) => redeemCoupon(deps, req.member!, data.code, sourceOf(req.ip)),
        done: (req, res, r) => {
          flash(req, 'success', `Code accepté : ${formatEuros(r.valueCents)} crédités (${r.label}). Nouveau solde : ${formatEuros(r.balanceCents)}.`);
          res.redirect(303, '/compte/coupons');
        },
      }),
    );
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const batchId = (req: Request) => {
  const id = String(req.params.id);
  if (!uuid.test(id)) throw new NotFoundError('Lot de coupons introuvable.');
  return id;
};

export function couponStaffRoutes(deps: Deps): Router {
  const r = Router();
  const listPage = async (_req: Request, res: Response, form: FormState = empty) =>
    res.page('coupons/batches', { title: 'Coupons', ...(await listBatches(deps)), ...form });

  r.get('/coupons', (req, res) => listPage(req, res));
  r.post(
    '/coupons',
    formAction({
      schema: BatchSchema,
      render: listPage,
      run: (req, data) => {
        // The staff's form only: the service still accepts past dates (the tests' expired batches).
        if (data.validUntil < deps.clock.now()) throw new ValidationError('Fin de validité : cette date est passée, les codes ne pourraient plus être utilisés.', 'validUntil');
        return createBatch(deps, req.member!.id, data);
      },
      done: (req, res, batch) => {
        flash(req, 'success', `Lot « ${batch.label} » créé. Téléchargez maintenant ses codes pour l’imprimeur.`);
        res.redirect(303, `/gestion/coupons/${batch.id}`);
      },
    }),
  );

  const batchPage = async (req: Request, res: Response, form: FormState = empty) => {
    const stats = await batchStats(deps, batchId(req));
    res.page('coupons/batch', { title: stats.batch.label, ...stats, ...form });
  };
  r.get('/coupons/:id', (req, res) => batchPage(req, res));

  r.post('/coupons/:id/codes', async (req, res) => {
    const id = batchId(req);
    let codes: string[];
    try {
      codes = await issueCodes(deps, req.member!.id, id);
    } catch (err) {
      if (err instanceof ConflictError) return batchPage(req, res.status(409), { values: {}, errors: { _form: err.message } });
      throw err;
    }
    res.setHeader('Content-Disposition', `attachment; filename="codes-${id}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.type('text/csv; charset=utf-8').send(`code\r\n${codes.join('\r\n')}\r\n`);
  });

  r.post(
    '/coupons/:id/annuler',
    formAction({
      schema: VoidSchema,
      render: batchPage,
      run: (req, data) => voidBatch(deps, req.member!.id, batchId(req), data.reason),
      done: (req, res) => {
        flash(req, 'success', 'Lot annulé : ses codes restants ne peuvent plus être utilisés.');
        res.redirect(303, `/gestion/coupons/${batchId(req)}`);
      },
    }),
  );

  // A refused form leaves its POST address in the address bar: opening it again leads back.
  r.get(['/coupons/:id/codes', '/coupons/:id/annuler'], (req, res) => res.redirect(303, `/gestion/coupons/${batchId(req)}`));
  return r;
}
