// The staff adjustment form.
import { z } from 'zod';
import { parseEurosToCents } from '../core/money.ts';
import { parseMemberNumber } from '../core/member-number.ts';

export const AdjustSchema = z.object({
  memberNumber: z
    .string({ error: 'Numéro de membre : champ obligatoire.' })
    .trim()
    .transform((s) => parseMemberNumber(s))
    .refine((n): n is number => n !== null, 'Numéro de membre invalide (exemple : M000123).'),
  amount: z
    .string({ error: 'Montant : champ obligatoire.' })
    .transform((s) => parseEurosToCents(s))
    .refine((c): c is number => c !== null && c !== 0 && Math.abs(c) <= 100_000, 'Montant : un montant en euros non nul, entre -1 000 € et 1 000 €, négatif pour un débit (exemple : -5,00).'),
  reason: z.string({ error: 'Motif obligatoire : au moins 5 caractères.' }).trim().min(5, 'Motif obligatoire : au moins 5 caractères.').max(500, 'Motif : 500 caractères au maximum.'),
  nonce: z.uuid('Formulaire expiré : rechargez la page.'),
}).transform(({ amount, memberNumber, ...rest }) => ({ ...rest, memberNumber: memberNumber as number, amountCents: amount as number }));

