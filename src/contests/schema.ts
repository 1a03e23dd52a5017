import { z } from 'zod';
import { parseEurosToCents } from '../core/money.ts';
import { parisDayEnd, parisDayStart } from '../core/dates.ts';
import { countryField, dayField, formText, integerField } from '../core/fields.ts';

const text = (label: string, min: number, max: number) =>
  formText(label).trim().min(min, `${label} : au moins ${min} caractères.`).max(max, `${label} : ${max} caractères au maximum.`);

/** The three dates of a contest, each a valid day: what the order check needs to run. */
const ContestDates = z.object({ opensOn: dayField('Ouverture'), closesOn: dayField('Clôture'), drawOn: dayField('Tirage') });
const datesValid = (payload: { value: unknown }) => ContestDates.safeParse(payload.value).success;

export const ContestSchema = z
  .object({
    title: text('Titre', 3, 120),
    description: formText('Description').trim().max(5000, 'Description : 5 000 caractères au maximum.').optional().default(''),
    question: formText('Question').trim().max(300, 'Question : 300 caractères au maximum.').optional().default(''),
    opensOn: dayField('Ouverture'),
    closesOn: dayField('Clôture'),
    drawOn: dayField('Tirage'),
    reserves: integerField('Suppléants', 0, 100),
    claimDays: integerField('Délai de confirmation (jours)', 1, 365),
  })
  // The dates' order is checked on the typed days, before the transform: a refinement after it ran
  // only once every other field was valid, so the order error came at a second submission. `when`
  // runs it as soon as the three dates are valid days, whatever the other fields hold.
  .refine((v) => parisDayEnd(v.closesOn) > parisDayStart(v.opensOn), { path: ['closesOn'], message: 'La clôture doit suivre l’ouverture.', when: datesValid })
  .refine((v) => parisDayStart(v.drawOn) > parisDayEnd(v.closesOn), { path: ['drawOn'], message: 'Le tirage doit avoir lieu après le jour de clôture.', when: datesValid })
  .transform((v) => ({
    title: v.title,
    description: v.description,
    question: v.question || null,
    opensAt: parisDayStart(v.opensOn),
    // entries accepted through the whole closing day, Paris time
    closesAt: parisDayEnd(v.closesOn),
    drawAt: parisDayStart(v.drawOn),
    reserves: v.reserves,
    claimDays: v.claimDays,
  }));

export const PrizeSchema = z
  .object({
    name: text('Lot', 2, 120),
    quantity: integerField('Quantité', 1, 1000),
    unitCost: formText('Coût unitaire')
      .transform((s) => parseEurosToCents(s))
      .refine((c): c is number => c !== null && c >= 0 && c <= 10_000_000, 'Coût unitaire : un montant en euros (exemple : 25,00).'),
  })
  .transform((v) => ({ name: v.name, quantity: v.quantity, unitCostCents: v.unitCost as number }));

export const EnterSchema = z.object({ answer: formText('Réponse').trim().max(500, 'Réponse : 500 caractères au maximum.').optional() });

export const RedrawSchema = z.object({
  reason: text('Motif', 5, 500),
});

export const AddressSchema = z.object({
  shipName: text('Nom du destinataire', 2, 120),
  shipLine1: text('Adresse', 3, 200),
  shipLine2: formText('Complément').trim().max(200, 'Complément : 200 caractères au maximum.').optional().transform((s) => s || null),
  shipPostcode: formText('Code postal').trim().regex(/^[0-9A-Za-z -]{3,10}$/, 'Code postal invalide.'),
  shipCity: text('Ville', 1, 100),
  shipCountry: countryField(),
});

export const Empty = z.object({});
