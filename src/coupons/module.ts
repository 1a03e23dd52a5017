// Coupons: batches of printed codes that credit a member's account exactly once.
import type { DomainModule } from '../core/module.ts';
import { couponMemberRoutes, couponStaffRoutes } from './routes.ts';
import { COUPONS_AUDIT, couponsUsedBy } from './service.ts';

const O = 'operational' as const;

export const couponsModule: DomainModule = {
  name: 'coupons',
  routes: { member: couponMemberRoutes, staff: couponStaffRoutes },
  classification: {
    CouponBatch: {
      onErase: 'keep',
      fields: {
        id: O, label: O, valueCents: O, quantity: O, validFrom: O, validUntil: O, perMemberLimit: O,
        createdById: 'pseudonymous-id', createdAt: O, codesIssuedAt: O, voidedAt: O, voidReason: O, voidedById: 'pseudonymous-id',
        issuedCount: O, redeemedCount: O,
      },
    },
    // Counts per batch and day: no member in them.
    CouponRedemptionDay: { onErase: 'keep', fields: { batchId: O, day: O, count: O } },
    Coupon: {
      owner: 'redeemedById',
      onErase: 'scrub',
      // The coupon stays spent (redeemedAt kept) but nothing says who used it: the redeemer is
      // cleared and the date cut to the month, so it cannot be matched with a credit line's time.
      fields: {
        id: O,
        batchId: O,
        codeHash: { class: O, secret: true },
        redeemedAt: { class: O, erasedValue: `date_trunc('month', "redeemedAt")` },
        redeemedById: 'personal',
      },
    },
  },
  exports: [
    {
      key: 'coupons_utilises',
      title: 'Coupons utilisés',
      description: 'Les codes que vous avez saisis (le code lui-même n’est pas conservé), avec l’opération dont chacun faisait partie.',
      build: (deps, memberId, opts) => couponsUsedBy(deps, memberId, opts?.limit),
    },
  ],
  audit: COUPONS_AUDIT,
  nav: [
    { area: 'member', href: '/compte/coupons', label: 'Mes coupons', hint: 'Saisir un code, voir votre crédit et son historique.' },
    { area: 'staff', href: '/gestion/coupons', label: 'Coupons', hint: 'Créer des lots de codes, les télécharger pour l’imprimeur, les annuler.' },
  ],
};
