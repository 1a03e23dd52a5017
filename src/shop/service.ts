// The catalogue: categories, products, their images; public reading and staff editing.
import { Prisma } from '../generated/prisma/client.ts';
import type { Deps } from '../deps.ts';
import { auditWith } from '../audit/service.ts';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import type { CategoryInput, ProductInput, Sort } from './schema.ts';
import { MAX_PAGE, PER_PAGE } from './schema.ts';
import { derivedTexts, searchTextOf, searchWords } from './search.ts';
import type { StoredImage } from './images.ts';

export const SHOP_AUDIT = {
  'shop.category-created': 'Catégorie de la boutique créée',
  'shop.category-updated': 'Catégorie de la boutique modifiée',
  'shop.product-created': 'Produit créé',
  'shop.product-updated': 'Produit modifié',
  'shop.product-published': 'Produit publié',
  'shop.product-unpublished': 'Produit retiré de la boutique',
  'shop.stock-set': 'Stock d’un produit corrigé',
  'shop.image-added': 'Image ajoutée à un produit',
  'shop.image-removed': 'Image retirée d’un produit',
} as const;
const audit = auditWith(SHOP_AUDIT);

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** How much is left, as the visitor reads it. */
export function availability(stock: number): { label: string; kind: 'in' | 'low' | 'out' } {
  if (stock <= 0) return { label: 'Épuisé', kind: 'out' };
  if (stock <= 5) return { label: `Plus que ${stock}`, kind: 'low' };
  return { label: 'En stock', kind: 'in' };
}

export interface ImageRef {
  key: string;
  width: number;
  height: number;
  alt: string;
}

export interface ProductCard {
  id: string;
  slug: string;
  name: string;
  priceCents: number;
  vatRateBp: number;
  stock: number;
  image: ImageRef | null;
}

export const listCategories = (deps: Deps) =>
  deps.db.category.findMany({ orderBy: [{ position: 'asc' }, { name: 'asc' }] });

export async function categoryBySlug(deps: Deps, slug: string) {
  const c = slug.length <= 80 ? await deps.db.category.findUnique({ where: { slug } }) : null;
  if (!c) throw new NotFoundError('Cette catégorie n’existe pas.');
  return c;
}

const ORDER: Record<Sort, Prisma.Sql> = {
  nom: Prisma.sql`p."sortName" ASC, p."name" ASC, p."id"`,
  prix: Prisma.sql`p."priceCents" ASC, p."sortName" ASC, p."name" ASC, p."id"`,
  'prix-desc': Prisma.sql`p."priceCents" DESC, p."sortName" ASC, p."name" ASC, p."id"`,
  nouveautes: Prisma.sql`p."createdAt" DESC, p."id"`,
};

/**
 * One page of published products: a category, words to search (French full-text search, accents
 * ignored), a sort. No count: one row more than a page says whether a next page exists, and pages
 * stop at MAX_PAGE, so a page costs the same whatever the size of the catalogue.
 */
export async function listProducts(
  deps: Deps,
  opts: { categoryId?: string; q?: string; sort: Sort; relevance?: boolean; page: number },
): Promise<{ products: ProductCard[]; hasNext: boolean; words: string | null }> {
  const page = Math.min(Math.max(1, opts.page), MAX_PAGE);
  const words = opts.q ? searchWords(opts.q) : null;
  if (opts.q && !words) return { products: [], hasNext: false, words };
  const query = words ? Prisma.sql`plainto_tsquery('french', ${words})` : null;
  const where = [Prisma.sql`p."published"`];
  if (opts.categoryId) where.push(Prisma.sql`p."categoryId" = ${opts.categoryId}::uuid`);
  if (query) where.push(Prisma.sql`p."searchVector" @@ ${query}`);
  const order =
    query && opts.relevance
      ? Prisma.sql`ts_rank(p."searchVector", ${query}) DESC, p."sortName" ASC, p."name" ASC, p."id"`
      : ORDER[opts.sort];
  const rows = await deps.db.$queryRaw<(Omit<ProductCard, 'image'> & { image: ImageRef | null })[]>`
    SELECT p."id", p."slug", p."name", p."priceCents", p."vatRateBp", p."stock",
      (SELECT json_build_object('key', i."key", 'width', i."width", 'height', i."height", 'alt', i."alt")
         FROM "ProductImage" i WHERE i."productId" = p."id" ORDER BY i."position", i."createdAt" LIMIT 1) AS "image"
    FROM "Product" p
    WHERE ${Prisma.join(where, ' AND ')}
    ORDER BY ${order}
    LIMIT ${PER_PAGE + 1} OFFSET ${(page - 1) * PER_PAGE}`;
  return { products: rows.slice(0, PER_PAGE), hasNext: rows.length > PER_PAGE && page < MAX_PAGE, words };
}

/** A published product by its address, with its category and images; otherwise 404. */
export async function publishedProduct(deps: Deps, slug: string) {
  const p =
    slug.length <= 80
      ? await deps.db.product.findUnique({
          where: { slug },
          include: { category: true, images: { orderBy: [{ position: 'asc' }, { createdAt: 'asc' }] } },
        })
      : null;
  if (!p || !p.published) throw new NotFoundError('Ce produit n’existe pas ou n’est plus proposé.');
  return p;
}

// ---- Staff ----

/** The staff list: every product, published or not, optionally filtered by words in the name. */
export async function staffProducts(deps: Deps, opts: { q: string; page: number }) {
  const page = Math.min(Math.max(1, opts.page), MAX_PAGE);
  const q = opts.q.trim().slice(0, 100);
  const rows = await deps.db.product.findMany({
    where: q ? { name: { contains: q, mode: 'insensitive' } } : {},
    include: { category: { select: { name: true } }, _count: { select: { images: true } } },
    orderBy: [{ sortName: 'asc' }, { name: 'asc' }, { id: 'asc' }],
    skip: (page - 1) * PER_PAGE,
    take: PER_PAGE + 1,
  });
  return { products: rows.slice(0, PER_PAGE), hasNext: rows.length > PER_PAGE && page < MAX_PAGE, page };
}

export async function productById(deps: Deps, id: string) {
  const p = UUID.test(id)
    ? await deps.db.product.findUnique({
        where: { id },
        include: { category: true, images: { orderBy: [{ position: 'asc' }, { createdAt: 'asc' }] } },
      })
    : null;
  if (!p) throw new NotFoundError('Produit introuvable.');
  return p;
}

export async function categoryById(deps: Deps, id: string) {
  const c = UUID.test(id) ? await deps.db.category.findUnique({ where: { id } }) : null;
  if (!c) throw new NotFoundError('Catégorie introuvable.');
  return c;
}

const isUnique = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002';

async function categoryName(tx: Prisma.TransactionClient, id: string): Promise<string> {
  const c = await tx.category.findUnique({ where: { id }, select: { name: true } });
  if (!c) throw new ConflictError('Catégorie : cette catégorie n’existe plus.', 'categoryId');
  return c.name;
}

export async function createProduct(deps: Deps, staffId: string, input: ProductInput) {
  const now = deps.clock.now();
  try {
    return await deps.db.$transaction(async (tx) => {
      const cat = await categoryName(tx, input.categoryId);
      const p = await tx.product.create({
        data: { ...input, ...derivedTexts(input, cat), createdAt: now, updatedAt: now },
      });
      await audit(tx, 'shop.product-created', { at: now, actor: staffId, details: { productId: p.id } });
      return p;
    });
  } catch (err) {
    if (isUnique(err))
      throw new ConflictError('Adresse : déjà utilisée par un autre produit ; choisissez-en une autre.', 'slug');
    throw err;
  }
}

export async function updateProduct(deps: Deps, staffId: string, id: string, input: ProductInput) {
  const now = deps.clock.now();
  await productById(deps, id);
  try {
    return await deps.db.$transaction(async (tx) => {
      const cat = await categoryName(tx, input.categoryId);
      const p = await tx.product.update({
        where: { id },
        data: { ...input, ...derivedTexts(input, cat), updatedAt: now },
      });
      await audit(tx, 'shop.product-updated', { at: now, actor: staffId, details: { productId: id } });
      return p;
    });
  } catch (err) {
    if (isUnique(err))
      throw new ConflictError('Adresse : déjà utilisée par un autre produit ; choisissez-en une autre.', 'slug');
    throw err;
  }
}

export async function setPublished(deps: Deps, staffId: string, id: string, published: boolean) {
  const now = deps.clock.now();
  await productById(deps, id);
  await deps.db.$transaction(async (tx) => {
    await tx.product.update({ where: { id }, data: { published, updatedAt: now } });
    await audit(tx, published ? 'shop.product-published' : 'shop.product-unpublished', {
      at: now,
      actor: staffId,
      details: { productId: id },
    });
  });
}

/** Sets the units on hand (an inventory count); orders decrement it themselves. */
export async function setStock(deps: Deps, staffId: string, id: string, stock: number) {
  const now = deps.clock.now();
  const before = await productById(deps, id);
  await deps.db.$transaction(async (tx) => {
    await tx.product.update({ where: { id }, data: { stock, updatedAt: now } });
    await audit(tx, 'shop.stock-set', {
      at: now,
      actor: staffId,
      details: { productId: id, stockFrom: before.stock, stockTo: stock },
    });
  });
}

export async function createCategory(deps: Deps, staffId: string, input: CategoryInput) {
  const now = deps.clock.now();
  try {
    return await deps.db.$transaction(async (tx) => {
      const c = await tx.category.create({ data: { ...input, createdAt: now, updatedAt: now } });
      await audit(tx, 'shop.category-created', { at: now, actor: staffId, details: { categoryId: c.id } });
      return c;
    });
  } catch (err) {
    if (isUnique(err))
      throw new ConflictError('Adresse : déjà utilisée par une autre catégorie ; choisissez-en une autre.', 'slug');
    throw err;
  }
}

/** A renamed category changes what its products are found by: their search text is rewritten with it. */
export async function updateCategory(deps: Deps, staffId: string, id: string, input: CategoryInput) {
  const now = deps.clock.now();
  await categoryById(deps, id);
  try {
    return await deps.db.$transaction(async (tx) => {
      const c = await tx.category.update({ where: { id }, data: { ...input, updatedAt: now } });
      const products = await tx.product.findMany({
        where: { categoryId: id },
        select: { id: true, name: true, description: true },
      });
      for (const p of products)
        await tx.product.update({ where: { id: p.id }, data: { searchText: searchTextOf(p, c.name) } });
      await audit(tx, 'shop.category-updated', { at: now, actor: staffId, details: { categoryId: id } });
      return c;
    });
  } catch (err) {
    if (isUnique(err))
      throw new ConflictError('Adresse : déjà utilisée par une autre catégorie ; choisissez-en une autre.', 'slug');
    throw err;
  }
}

export async function addImage(deps: Deps, staffId: string, productId: string, image: StoredImage, alt: string) {
  const now = deps.clock.now();
  const product = await productById(deps, productId);
  try {
    return await deps.db.$transaction(async (tx) => {
      const last = await tx.productImage.aggregate({ where: { productId }, _max: { position: true } });
      const img = await tx.productImage.create({
        data: {
          productId,
          key: image.key,
          width: image.width,
          height: image.height,
          alt: alt || product.name,
          position: (last._max.position ?? -1) + 1,
          createdAt: now,
        },
      });
      await audit(tx, 'shop.image-added', { at: now, actor: staffId, details: { productId, imageId: img.id } });
      return img;
    });
  } catch (err) {
    if (isUnique(err)) throw new ConflictError('Image : cette image est déjà sur la fiche du produit.', 'image');
    throw err;
  }
}

/** Removes an image from a product (its files stay: cached pages may still point at them). */
export async function removeImage(deps: Deps, staffId: string, productId: string, imageId: string) {
  const now = deps.clock.now();
  const img = UUID.test(imageId) ? await deps.db.productImage.findUnique({ where: { id: imageId } }) : null;
  if (!img || img.productId !== productId) throw new NotFoundError('Image introuvable.');
  await deps.db.$transaction(async (tx) => {
    await tx.productImage.delete({ where: { id: imageId } });
    await audit(tx, 'shop.image-removed', { at: now, actor: staffId, details: { productId, imageId } });
  });
}
