// Form and query schemas of the catalogue: French messages naming the field.
import { z } from 'zod';
import { parseEurosToCents } from '../core/money.ts';
import { checkbox, formText, integerField } from '../core/fields.ts';
import { foldText } from './search.ts';

/** VAT rates a product may carry, in basis points, with their French label. */
export const VAT_RATES: readonly { bp: number; label: string }[] = [
  { bp: 2000, label: '20 %' },
  { bp: 1000, label: '10 %' },
  { bp: 550, label: '5,5 %' },
  { bp: 210, label: '2,1 %' },
  { bp: 0, label: '0 %' },
];

export const vatLabel = (bp: number): string =>
  VAT_RATES.find((r) => r.bp === bp)?.label ?? `${(bp / 100).toLocaleString('fr-FR')} %`;

/** A slug from a name: "Poussette Légère 3 roues" → "poussette-legere-3-roues". */
export const slugify = (s: string): string => foldText(s).replace(/ /g, '-').slice(0, 80).replace(/-+$/, '');

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const slugField = (label: string) =>
  formText(label, '')
    .trim()
    .optional()
    .transform((s) => s ?? '')
    .refine(
      (s) => s === '' || (s.length <= 80 && SLUG.test(s)),
      `${label} : lettres minuscules sans accent, chiffres et tirets (exemple : livre-animaux-ferme).`,
    );

export const CategorySchema = z
  .object({
    name: formText('Nom').trim().min(2, 'Nom : au moins 2 caractères.').max(80, 'Nom : 80 caractères au maximum.'),
    slug: slugField('Adresse'),
    description: formText('Description', '')
      .max(1000, 'Description : 1 000 caractères au maximum.')
      .optional()
      .transform((s) => (s ?? '').trim()),
    position: integerField('Ordre', 0, 1000),
  })
  .transform((v) => ({ ...v, slug: v.slug || slugify(v.name) }));

export type CategoryInput = z.output<typeof CategorySchema>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export const ProductSchema = z
  .object({
    name: formText('Nom').trim().min(2, 'Nom : au moins 2 caractères.').max(120, 'Nom : 120 caractères au maximum.'),
    slug: slugField('Adresse'),
    categoryId: formText('Catégorie', 'Catégorie : choisissez une catégorie.').refine(
      (s) => UUID.test(s),
      'Catégorie : choisissez une catégorie.',
    ),
    description: formText('Description', '')
      .max(5000, 'Description : 5 000 caractères au maximum.')
      .optional()
      .transform((s) => (s ?? '').trim()),
    price: formText('Prix TTC')
      .transform((s) => parseEurosToCents(s))
      .refine(
        (c): c is number => c !== null && c > 0 && c <= 1_000_000,
        'Prix TTC : un montant en euros entre 0,01 et 10 000 (exemple : 12,90).',
      ),
    vatRateBp: formText('Taux de TVA')
      .refine((s) => VAT_RATES.some((r) => String(r.bp) === s), 'Taux de TVA : choisissez un taux.')
      .transform(Number),
    stock: integerField('Stock', 0, 1_000_000),
    weightGrams: integerField('Poids (g)', 0, 100_000),
    published: checkbox('Publié'),
  })
  .transform((v) => ({
    name: v.name,
    slug: v.slug || slugify(v.name),
    categoryId: v.categoryId,
    description: v.description,
    priceCents: v.price as number,
    vatRateBp: v.vatRateBp,
    stock: v.stock,
    weightGrams: v.weightGrams,
    published: v.published,
  }));

export type ProductInput = z.output<typeof ProductSchema>;

export const StockSchema = z.object({ stock: integerField('Stock', 0, 1_000_000) });
export const PublishSchema = z.object({ published: checkbox('Publié') });
export const ImageAltSchema = z.object({
  alt: formText('Description de l’image', '')
    .max(200, 'Description de l’image : 200 caractères au maximum.')
    .optional()
    .transform((s) => (s ?? '').trim()),
});

/** Sort orders of the list, by their value in the address. */
export const SORTS = {
  nom: 'Nom (A → Z)',
  prix: 'Prix croissant',
  'prix-desc': 'Prix décroissant',
  nouveautes: 'Nouveautés',
} as const;
export type Sort = keyof typeof SORTS;

export const PER_PAGE = 24;
/** Deepest page served: the cost of a page stays bounded whatever the size of the catalogue. */
export const MAX_PAGE = 50;

/** ?page=&tri=&q= from the address: a malformed or out-of-range page is null (the route answers 404). */
export function listQuery(query: Record<string, unknown>): { page: number | null; sort: Sort; q: string } {
  const one = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const rawPage = one(query.page);
  const page =
    rawPage === undefined ? 1 : /^\d{1,4}$/.test(rawPage) && +rawPage >= 1 && +rawPage <= MAX_PAGE ? +rawPage : null;
  const tri = one(query.tri);
  const sort: Sort = tri && tri in SORTS ? (tri as Sort) : 'nom';
  return { page, sort, q: (one(query.q) ?? '').slice(0, 200) };
}
