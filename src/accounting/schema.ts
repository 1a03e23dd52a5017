// Form and query schemas of the accountant's pages (French messages).
import { z } from 'zod';
import { dayField, formText } from '../core/fields.ts';

export const CloseSchema = z.object({
  period: formText('Période').pipe(z.string().regex(/^\d{4}(-(0[1-9]|1[0-2]))?$/, 'Période : AAAA-MM pour un mois, AAAA pour un exercice.')),
  confirm: z.literal('on', { error: 'Cochez la case pour confirmer : une clôture est définitive.' }),
});

export const ChartSchema = z.object({
  key: formText('Compte'),
  number: formText('Numéro de compte').pipe(z.string().regex(/^[1-9]\d{2,9}$/, 'Numéro de compte : 3 à 10 chiffres, sans 0 au début.')),
  label: formText('Libellé').pipe(z.string().max(100, 'Libellé : 100 caractères au plus.').regex(/^[^\t|\r\n]*$/, 'Libellé : ni tabulation ni barre verticale.')),
});

const day = (label: string) => dayField(label);
export const RangeQuery = z.object({ du: day('Du'), au: day('Au') }).refine((q) => q.du <= q.au, { message: 'La date de fin précède la date de début.', path: ['au'] });
export const JournalQuery = z
  .object({ du: day('Du'), au: day('Au'), journal: z.enum(['', 'VE', 'BQ', 'OD'], { error: 'Journal inconnu.' }).optional() })
  .refine((q) => q.du <= q.au, { message: 'La date de fin précède la date de début.', path: ['au'] });
export const AtQuery = z.object({ date: day('Date') });
export const YearQuery = z.object({ exercice: z.string().regex(/^(20\d{2})$/, 'Exercice : une année AAAA.').transform(Number) });
