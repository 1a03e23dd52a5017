// Form schemas of the cart, the checkout and the staff order pages; French messages.
import { z } from 'zod';
import { checkbox, formText, integerField } from '../core/fields.ts';
import { ContactSchema } from '../accounts/schema.ts';
import type { OrderStatus } from '../generated/prisma/client.ts';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isUuid = (s: string) => uuid.test(s);

export const AddToCartSchema = z.object({
  produit: formText('Produit').refine(isUuid, 'Produit inconnu.'),
  quantite: integerField('Quantité', 1, 99).optional().default(1),
});

export const RemoveSchema = z.object({ produit: formText('Produit').refine(isUuid, 'Produit inconnu.') });

export const NonceSchema = formText('Formulaire', 'Formulaire incomplet : rechargez la page.').refine(isUuid, 'Formulaire incomplet : rechargez la page.');

export const CheckoutSchema = z
  .object({
    nonce: NonceSchema,
    notes: formText('Instructions de livraison').trim().max(500, 'Instructions de livraison : 500 caractères au maximum.').optional().transform((v) => v || null),
    acceptCgv: formText('Conditions générales de vente', 'Vous devez accepter les conditions générales de vente pour commander.').refine((v) => v === 'on', 'Vous devez accepter les conditions générales de vente pour commander.'),
  })
  .and(ContactSchema);

export const ReasonSchema = z.object({
  reason: formText('Motif').trim().min(3, 'Motif : indiquez la raison (3 caractères au moins).').max(300, 'Motif : 300 caractères au maximum.'),
});

/** Refund after shipping: the box "articles retournés" puts the units back on sale. */
export const RefundSchema = ReasonSchema.extend({ retour: checkbox('Articles retournés') });

export const ShipSchema = z.object({
  carrier: formText('Transporteur').trim().min(1, 'Transporteur : champ obligatoire.').min(2, 'Transporteur : 2 caractères au moins.').max(80, 'Transporteur : 80 caractères au maximum.'),
  trackingNumber: formText('Numéro de suivi').trim().min(4, 'Numéro de suivi : 4 caractères au moins.').max(60, 'Numéro de suivi : 60 caractères au maximum.').regex(/^[\w\- ]+$/, 'Numéro de suivi : lettres, chiffres et tirets seulement.'),
});

const REF = /^C\d{6,9}$/;
export const ExportSchema = z.object({
  destinataire: z.enum(['carrier', 'supplier'], 'Destinataire : choisissez le transporteur ou le fournisseur.'),
  commandes: z
    .union([z.string(), z.array(z.string()).max(500)], 'Cochez au moins une commande.')
    .transform((v) => (Array.isArray(v) ? v : [v]))
    .refine((v) => v.length > 0 && v.every((r) => REF.test(r)), 'Cochez au moins une commande.'),
});

export const STATUSES = ['AWAITING_PAYMENT', 'PAID', 'PREPARING', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'REFUNDED'] as const satisfies readonly OrderStatus[];
export const ListQuery = z.object({
  statut: z.enum(STATUSES).optional().catch(undefined),
  q: z.string().max(20).regex(/^[\w]*$/).optional().catch(undefined),
  /** Keyset of the next page: orders invoiced before this invoice number. */
  avant: z.string().regex(/^\d{1,9}$/).transform(Number).optional().catch(undefined),
});
export const isReference = (s: string) => REF.test(s);
