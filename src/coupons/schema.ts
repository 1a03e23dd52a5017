import { z } from 'zod';
import { parseEurosToCents } from '../money.ts';
import { dayField, formText, integerField, memberNumberField, optionalIntegerField } from '../core/fields.ts';

function nextDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** Midnight in Paris on that day, as a UTC instant (handles summer time). */
export function parisDayStart(day: string): Date {
  const guess = new Date(`${day}T00:00:00Z`);
  const offset = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' })
    .formatToParts(guess)
    .find((p) => p.type === 'timeZoneName')!.value; // "GMT+01:00"
  const m = /([+-])(\d{2}):(\d{2})/.exec(offset);
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return new Date(guess.getTime() - minutes * 60_000);
}

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
    validUntil: new Date(parisDayStart(nextDay(v.validUntil)).getTime() - 1),
    perMemberLimit: v.perMemberLimit,
  }))
  .refine((v) => v.validUntil > v.validFrom, { path: ['validUntil'], message: 'La fin de validité doit suivre le début.' });

export const VoidSchema = z.object({
  reason: formText('Motif').trim().min(5, 'Motif : au moins 5 caractères.').max(500, 'Motif : 500 caractères au maximum.'),
});

export const AdjustSchema = z.object({
  memberNumber: memberNumberField(),
  amount: formText('Montant')
    .transform((s) => parseEurosToCents(s))
    .refine((c): c is number => c !== null && c !== 0 && Math.abs(c) <= 100_000, 'Montant : un montant en euros non nul, entre -1 000 € et 1 000 €, négatif pour un débit (exemple : -5,00).'),
  reason: formText('Motif', 'Motif obligatoire : au moins 5 caractères.').trim().min(5, 'Motif obligatoire : au moins 5 caractères.').max(500, 'Motif : 500 caractères au maximum.'),
  nonce: z.uuid('Formulaire expiré : rechargez la page.'),
}).transform(({ amount, ...rest }) => ({ ...rest, amountCents: amount as number }));

export const RedeemSchema = z.object({ code: formText('Code', 'Saisissez le code imprimé sur votre coupon.').trim().min(1, 'Saisissez le code imprimé sur votre coupon.').max(40, 'Ce code est trop long.') });
