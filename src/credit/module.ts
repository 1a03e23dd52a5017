// Member credit: the append-only sub-ledger, staff adjustments, forfeiture at erasure.
import { randomUUID } from 'node:crypto';
import { Router } from 'express';
import type { Response } from 'express';
import type { DomainModule } from '../core/module.ts';
import { formAction } from '../http/forms.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { formatEuros } from '../core/money.ts';
import { memberNumber } from '../core/member-number.ts';
import { AdjustSchema } from './schema.ts';
import { adjustCredit, CREDIT_AUDIT } from './service.ts';
import { BALANCE_FACT, balanceOf, postCredit } from './ledger.ts';

const A = 'accounting' as const;

export const creditModule: DomainModule = {
  name: 'credit',
  memberFacts: { balanceCents: BALANCE_FACT },
  routes: {
    staff: (deps) => {
      const adjustPage = (res: Response, form: FormState = { values: {}, errors: {} }) =>
        res.page('credit/adjust', { title: 'Ajuster un crédit', values: { nonce: randomUUID(), ...form.values }, errors: form.errors });
      return Router()
        .get('/credit', (_req, res) => adjustPage(res))
        .post(
          '/credit',
          formAction({
            schema: AdjustSchema,
            render: (_req, res, form) => adjustPage(res, form),
            run: (req, data) => adjustCredit(deps, req.member!.id, data),
            done: (req, res, result) => {
              if (result.duplicate) flash(req, 'info', 'Cet ajustement avait déjà été enregistré (formulaire envoyé deux fois).');
              else {
                const sign = result.amountCents > 0 ? '+' : '';
                flash(req, 'success', `Crédit de ${memberNumber(result.memberNumber)} : ${sign}${formatEuros(result.amountCents)} ; nouveau solde ${formatEuros(result.balanceCents)}.`);
              }
              res.redirect(303, '/gestion/credit');
            },
          }),
        );
    },
  },
  classification: {
    CreditLine: {
      owner: 'memberId',
      onErase: 'scrub',
      fields: {
        id: A,
        memberId: 'pseudonymous-id',
        amountCents: A,
        kind: A,
        label: { class: 'personal', erasedValue: `CASE WHEN kind = 'COUPON' THEN 'Coupon' ELSE label END` },
        reason: 'personal',
        couponId: 'personal',
        idempotencyKey: { class: 'personal', erasedValue: `'erased:' || id::text`, secret: true },
        // Which staff member made an adjustment is not given to the member (the audit log says it was staff).
        createdById: { class: 'pseudonymous-id', secret: true },
        createdAt: A,
      },
    },
    // Kept after erasure with the pseudonymous id: the outstanding credit is an accounting figure.
    CreditAccount: { owner: 'memberId', onErase: 'keep', fields: { memberId: 'pseudonymous-id', balanceCents: A, updatedAt: A } },
  },
  erasure: {
    // Checked under the member's lock: credit that arrived after the member's confirmation (a coupon
    // redeemed in another tab) is not given up without being asked.
    veto: async (tx, { memberId, forfeitConfirmed }) =>
      !forfeitConfirmed && (await balanceOf(tx, memberId)) > 0 ? 'Il vous reste du crédit : cochez la case pour confirmer que vous y renoncez.' : null,
    // Remaining credit is forfeited (the member was warned); the ledger records it.
    before: async (tx, { memberId, now }) => {
      const balance = await balanceOf(tx, memberId);
      if (balance > 0) {
        await postCredit(tx, {
          memberId,
          amountCents: -balance,
          kind: 'EXPIRY',
          label: 'Crédit perdu à la suppression du compte',
          idempotencyKey: `erasure:${memberId}`,
          at: now,
          locked: true,
        });
      }
    },
  },
  exports: [
    { key: 'credit', title: 'Votre crédit', description: 'Chaque mouvement de votre crédit (coupons, commandes, ajustements), gardé 10 ans pour la comptabilité.', table: 'CreditLine' },
    {
      key: 'credit_solde_centimes',
      title: 'Solde de votre crédit',
      description: 'La somme de tous les mouvements (en centimes d’euro dans le fichier téléchargé).',
      build: (deps, memberId) => balanceOf(deps.db, memberId),
    },
  ],
  audit: CREDIT_AUDIT,
  nav: [{ area: 'staff', href: '/gestion/credit', label: 'Ajuster un crédit', hint: 'Créditer ou débiter un membre, avec un motif.' }],
};
