import { z } from 'zod';
import { parseEurosToCents } from '../core/money.ts';
import { parisDayEnd, parisDayStart } from '../core/dates.ts';
import { dayField, formText, integerField, optionalIntegerField } from '../core/fields.ts';

export const BatchSchema = z
  .object({
    label: formText('Libellé').trim().min(3, 'Libellé : au moins 3 caractères.').max(120, 'Libellé : 120 caractères au maximum.'),
    value: formText('Valeur')
      .transform((s) => parseEurosToCents(s))
      .refine((c): c is number => c !== null && c > 0 && c <= 100_000, 'Valeur : un montant en euros entre 0,01 et 1 000 (exemple : 5,00).'),
    quantity: integerField('Quantité', 1, 100_000),
    validFrom: dayField('Début de validité'),
    validUntil: dayField('Fin de validité'),
    perMemberLimit: optionalIntegerField('Limite par membre', 1, 1000),
  })
  .transform((v) => ({
    label: v.label,
    valueCents: v.value as number,
    quantity: v.quantity,
    validFrom: parisDayStart(v.validFrom),
    // valid through the whole last day, Paris time (23 or 25 hours long on clock-change days)
    validUntil: parisDayEnd(v.validUntil),
    perMemberLimit: v.perMemberLimit,
  }))
  .refine((v) => v.validUntil > v.validFrom, { path: ['validUntil'], message: 'La fin de validité doit suivre le début.' });

export const VoidSchema = z.object({
  reason: formText('Motif').trim().min(5, 'Motif : au moins 5 caractères.').max(500, 'Motif : 500 caractères au maximum.'),
});

export const RedeemSchema = z.object({ code: formText('Code', 'Saisissez le code imprimé sur votre coupon.').trim().min(1, 'Saisissez le code imprimé sur votre coupon.').max(40, 'Ce code est trop long.') });
