import { z } from 'zod';
import { parseEurosToCents } from '../core/money.ts';
import { isCalendarDay, parisDayEnd, parisDayStart } from '../core/dates.ts';

/** A calendar day typed as aaaa-mm-jj (what a date field sends); impossible dates are refused. */
const parisDate = (label: string) =>
  z
    .string({ error: `${label} : date obligatoire.` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} : date invalide.`)
    .refine(isCalendarDay, `${label} : cette date n’existe pas.`);

export const BatchSchema = z
  .object({
    label: z.string({ error: 'Libellé : champ obligatoire.' }).trim().min(3, 'Libellé : au moins 3 caractères.').max(120, 'Libellé : 120 caractères au maximum.'),
    value: z
      .string({ error: 'Valeur : champ obligatoire.' })
      .transform((s) => parseEurosToCents(s))
      .refine((c): c is number => c !== null && c > 0 && c <= 100_000, 'Valeur : un montant en euros entre 0,01 et 1 000 (exemple : 5,00).'),
    quantity: z.coerce
      .number('Quantité : un nombre entier.')
      .int('Quantité : un nombre entier.')
      .min(1, 'Quantité : au moins 1.')
      .max(100_000, 'Quantité : 100 000 au maximum.'),
    validFrom: parisDate('Début de validité'),
    validUntil: parisDate('Fin de validité'),
    perMemberLimit: z
      .string()
      .trim()
      .optional()
      .transform((s) => (s ? Number(s) : null))
      .refine((n) => n === null || (Number.isInteger(n) && n >= 1 && n <= 1000), 'Limite par membre : un entier entre 1 et 1 000, ou vide.'),
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
  reason: z.string({ error: 'Motif : champ obligatoire.' }).trim().min(5, 'Motif : au moins 5 caractères.').max(500, 'Motif : 500 caractères au maximum.'),
});

export const RedeemSchema = z.object({ code: z.string({ error: 'Saisissez le code imprimé sur votre coupon.' }).trim().min(1, 'Saisissez le code imprimé sur votre coupon.').max(40, 'Ce code est trop long.') });
