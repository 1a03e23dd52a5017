// The member's coupon page: the code form, the balance and the credit history.
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Deps } from '../deps.ts';
import { requireArea } from '../http/auth.ts';
import { flash } from '../http/flash.ts';
import { fieldErrors } from '../http/forms.ts';
import { balanceOf, creditHistory, CREDIT_KIND_LABELS } from '../credit/ledger.ts';
import { CouponError, redeemCoupon } from './service.ts';
import { RedeemSchema } from './schema.ts';
import { formatEuros } from '../http/view-helpers.ts';

export function couponMemberRoutes(deps: Deps): Router {
  const r = Router();
  const member = requireArea('member');

  const page = async (req: Request, res: Response, values: Record<string, string> = {}, errors: Record<string, string> = {}) => {
    const pageNo = Math.max(1, Math.min(10_000, Number.parseInt(String(req.query.page ?? '1'), 10) || 1));
    const m = req.member!;
    res.page('coupons/member', {
      title: 'Mes coupons et mon crédit',
      confirmed: !!m.emailConfirmedAt,
      balanceCents: await balanceOf(deps.db, m.id),
      history: await creditHistory(deps.db, m.id, pageNo),
      kinds: CREDIT_KIND_LABELS,
      values,
      errors,
    });
  };

  r.get('/compte/coupons', member, (req, res) => page(req, res));

  r.post('/compte/coupons', member, async (req, res) => {
    const parsed = RedeemSchema.safeParse(req.body);
    const code = typeof req.body.code === 'string' ? req.body.code.slice(0, 40) : '';
    if (!parsed.success) return page(req, res.status(422), { code }, fieldErrors(parsed.error));
    try {
      const r = await redeemCoupon(deps, req.member!, parsed.data.code, req.ip ?? 'unknown');
      flash(req, 'success', `Code accepté : ${formatEuros(r.valueCents)} crédités (${r.label}). Nouveau solde : ${formatEuros(r.balanceCents)}.`);
      res.redirect(303, '/compte/coupons');
    } catch (err) {
      if (!(err instanceof CouponError)) throw err;
      await page(req, res.status(err.status), { code }, { code: err.message });
    }
  });

  return r;
}
