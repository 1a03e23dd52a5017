// Admin forms: the member search (a member number such as "M000123", or an e-mail address), role, erasure.
import { z } from 'zod';
import { formText } from '../core/fields.ts';
import { parseMemberNumber } from '../core/member-number.ts';

export const MemberSearchSchema = z
  .object({ q: formText('Recherche').trim().max(254, 'Recherche : 254 caractères au maximum.').optional() })
  .transform(({ q = '' }, ctx) => {
    if (!q) return { q, where: null };
    if (!/^m?\d+$/i.test(q)) return { q, where: { email: q.toLowerCase() } };
    const number = parseMemberNumber(q);
    if (number === null) {
      ctx.addIssue({ code: 'custom', path: ['q'], message: 'Numéro de membre invalide (exemple : M000123).' });
      return z.NEVER;
    }
    return { q, where: { number } };
  });

export const RoleSchema = z.object({ role: z.enum(['MEMBER', 'STAFF', 'ACCOUNTANT', 'ADMIN'], 'Rôle inconnu.') });

export const EraseSchema = z.object({
  requestRef: formText('Référence de la demande', 'Indiquez la référence de la demande écrite (au moins 3 caractères).')
    .trim()
    .min(3, 'Indiquez la référence de la demande écrite (au moins 3 caractères).')
    .max(100, 'Référence de la demande : 100 caractères au maximum.')
    // The audit journal keeps it: a letter's number or a date, never an address.
    // A reference with a number (DPO-014, courrier 2026-118), not a name: at most 40 characters.
    .refine((s) => !/[@＠]/.test(s) && /\d/.test(s) && s.length <= 40, 'La référence est gardée au journal : un numéro de courrier ou de dossier (exemple : DPO-014), pas d’adresse électronique ni de nom.'),
});
