// Admin forms: the member search (a member number such as "M000123", or an e-mail address), role, erasure.
import { z } from 'zod';
import { formText } from '../core/fields.ts';
import { parseMemberNumber } from '../core/member-number.ts';
import { isRequestRef } from '../privacy/eraser.ts';

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

/** Said when the reference is refused; the form keeps what was typed so that it can be corrected. */
export const REQUEST_REF_RULE =
  'Référence de la demande : le numéro du courrier ou du dossier, sans espace, par exemple DPO-014 ou 2026/118 (lettres, chiffres, « - », « / » ou « . », au moins un chiffre, pas plus de 4 lettres à la suite). Elle reste au journal d’audit après l’effacement : jamais de nom ni d’adresse électronique.';

export const EraseSchema = z.object({
  requestRef: formText('Référence de la demande', 'Indiquez la référence de la demande écrite (au moins 3 caractères).')
    .trim()
    .min(3, 'Indiquez la référence de la demande écrite (au moins 3 caractères).')
    .max(40, 'Référence de la demande : 40 caractères au maximum.')
    // The audit journal keeps it after the erasure: a reference that cannot hold a name (decision 0077).
    .refine(isRequestRef, REQUEST_REF_RULE),
});
