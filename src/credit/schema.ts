// The staff adjustment form.
import { z } from 'zod';
import { parseEurosToCents } from '../core/money.ts';
import { formText, memberNumberField } from '../core/fields.ts';

export const AdjustSchema = z
  .object({
    memberNumber: memberNumberField(),
    amount: formText('Montant')
      .transform((s) => parseEurosToCents(s))
      .refine((c): c is number => c !== null && c !== 0 && Math.abs(c) <= 100_000, 'Montant : un montant en euros non nul, entre -1 000 € et 1 000 €, négatif pour un débit (exemple : -5,00).'),
    reason: formText('Motif', 'Motif obligatoire : au moins 5 caractères.').trim().min(5, 'Motif obligatoire : au moins 5 caractères.').max(500, 'Motif : 500 caractères au maximum.'),
    nonce: z.uuid('Formulaire expiré : rechargez la page.'),
  })
  .transform(({ amount, ...rest }) => ({ ...rest, amountCents: amount as number }));
