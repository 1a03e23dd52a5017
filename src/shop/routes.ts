// Catalogue pages: the public shop (/boutique, /boutique/<categorie>, /produit/<slug>, the images)
// and the staff's product pages (/gestion/produits). No public page here starts a session.
import path from 'node:path';
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Deps } from '../deps.ts';
import { formAction } from '../http/forms.ts';
import { publicPage } from '../http/page-cache.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { formatEuros } from '../core/money.ts';
import {
  CategorySchema,
  ImageAltSchema,
  listQuery,
  ProductSchema,
  PublishSchema,
  SORTS,
  StockSchema,
  VAT_RATES,
  vatLabel,
} from './schema.ts';
import type { Sort } from './schema.ts';
import {
  addImage,
  availability,
  categoryById,
  categoryBySlug,
  createCategory,
  createProduct,
  listCategories,
  listProducts,
  productById,
  publishedProduct,
  removeImage,
  setPublished,
  setStock,
  staffProducts,
  updateCategory,
  updateProduct,
} from './service.ts';
import { displaySize, imagesDir, MAX_UPLOAD_BYTES, srcOf, srcsetOf, storeImage, VARIANT_FILE } from './images.ts';

/** What the shop's views use to show prices, availability and images. */
const shopHelpers = { availability, vatLabel, srcsetOf, srcOf, displaySize, formatEuros };

/** The address of a list page with these parameters (defaults left out). */
function listHref(base: string, p: { q?: string; sort?: Sort; page?: number; relevance?: boolean }): string {
  const params = new URLSearchParams();
  if (p.q) params.set('q', p.q);
  if (p.sort && !(p.sort === 'nom' && (!p.q || p.relevance))) params.set('tri', p.sort);
  if (p.page && p.page > 1) params.set('page', String(p.page));
  const s = params.toString();
  return s ? `${base}?${s}` : base;
}

export function shopPublicRoutes(deps: Deps): Router {
  const r = Router();
  const list = async (req: Request, res: Response, categorySlug?: string) => {
    const { page, sort, q } = listQuery(req.query as Record<string, unknown>);
    if (page === null) throw new NotFoundError('Cette page de la boutique n’existe pas.');
    const category = categorySlug ? await categoryBySlug(deps, categorySlug) : null;
    const relevance = !!q.trim() && typeof req.query.tri !== 'string';
    const result = await listProducts(deps, { categoryId: category?.id, q, sort, relevance, page });
    if (page > 1 && result.products.length === 0) throw new NotFoundError('Cette page de la boutique n’existe pas.');
    const base = category ? `/boutique/${category.slug}` : '/boutique';
    res.page('shop/list', {
      title: q ? `Recherche « ${q.slice(0, 60)} »` : category ? category.name : 'Boutique',
      categories: await listCategories(deps),
      category,
      q,
      sort: relevance ? null : sort,
      sorts: SORTS,
      page,
      base,
      ...result,
      prevHref: page > 1 ? listHref(base, { q, sort, page: page - 1, relevance }) : null,
      nextHref: result.hasNext ? listHref(base, { q, sort, page: page + 1, relevance }) : null,
      shop: shopHelpers,
    });
  };
  r.get('/boutique', publicPage, (req, res) => list(req, res));
  r.get('/boutique/:categorie', publicPage, (req, res) => list(req, res, String(req.params.categorie)));
  r.get('/produit/:slug', publicPage, async (req, res) => {
    const product = await publishedProduct(deps, String(req.params.slug));
    res.page('shop/product', { title: product.name, product, shop: shopHelpers });
  });
  const dir = imagesDir(deps.config);
  r.get('/images/produits/:file', (req, res, next) => {
    const file = String(req.params.file);
    if (!VARIANT_FILE.test(file)) return next(new NotFoundError('Image introuvable.'));
    res.sendFile(
      path.join(dir, file),
      {
        dotfiles: 'deny',
        headers: {
          'Cache-Control': 'public, max-age=31536000, immutable',
          'X-Content-Type-Options': 'nosniff',
          'Content-Type': 'image/webp',
        },
        cacheControl: false,
      },
      (err) => {
        if (err) next((err as NodeJS.ErrnoException).code === 'ENOENT' ? new NotFoundError('Image introuvable.') : err);
      },
    );
  });
  return r;
}

export function shopStaffRoutes(deps: Deps): Router {
  const r = Router();
  const id = (req: Request) => String(req.params.id);

  // ---- Products ----
  r.get('/produits', async (req, res) => {
    const { page, q } = listQuery(req.query as Record<string, unknown>);
    if (page === null) throw new NotFoundError();
    const result = await staffProducts(deps, { q, page });
    res.page('shop/staff-products', {
      title: 'Produits',
      q,
      ...result,
      prevHref: page > 1 ? listHref('/gestion/produits', { q, page: page - 1 }) : null,
      nextHref: result.hasNext ? listHref('/gestion/produits', { q, page: page + 1 }) : null,
      shop: shopHelpers,
    });
  });

  const newPage = async (
    _req: Request,
    res: Response,
    form: FormState = { values: { vatRateBp: '2000', stock: '0', weightGrams: '0' }, errors: {} },
  ) =>
    res.page('shop/staff-product-form', {
      title: 'Nouveau produit',
      product: null,
      categories: await listCategories(deps),
      vatRates: VAT_RATES,
      ...form,
    });
  r.get('/produits/nouveau', (req, res) => newPage(req, res));
  r.post(
    '/produits/nouveau',
    formAction({
      schema: ProductSchema,
      render: newPage,
      run: (req, data) => createProduct(deps, req.member!.id, data),
      done: (req, res, p) => {
        flash(
          req,
          'success',
          `Produit « ${p.name} » créé${p.published ? ' et publié' : ' (non publié)'}. Ajoutez-lui des images.`,
        );
        res.redirect(303, `/gestion/produits/${p.id}`);
      },
    }),
  );

  // ---- Categories (before /produits/:id) ----
  const categoriesPage = async (
    _req: Request,
    res: Response,
    form: FormState = { values: { position: '0' }, errors: {} },
  ) =>
    res.page('shop/staff-categories', {
      title: 'Catégories de la boutique',
      categories: await listCategories(deps),
      ...form,
    });
  r.get('/produits/categories', (req, res) => categoriesPage(req, res));
  r.post(
    '/produits/categories',
    formAction({
      schema: CategorySchema,
      render: categoriesPage,
      run: (req, data) => createCategory(deps, req.member!.id, data),
      done: (req, res, c) => {
        flash(req, 'success', `Catégorie « ${c.name} » créée.`);
        res.redirect(303, '/gestion/produits/categories');
      },
    }),
  );
  const categoryPage = async (req: Request, res: Response, form?: FormState) => {
    const c = await categoryById(deps, id(req));
    const values = form?.values ?? {
      name: c.name,
      slug: c.slug,
      description: c.description,
      position: String(c.position),
    };
    res.page('shop/staff-category', { title: `Catégorie ${c.name}`, category: c, values, errors: form?.errors ?? {} });
  };
  r.get('/produits/categories/:id', (req, res) => categoryPage(req, res));
  r.post(
    '/produits/categories/:id',
    formAction({
      schema: CategorySchema,
      render: categoryPage,
      run: (req, data) => updateCategory(deps, req.member!.id, id(req), data),
      done: (req, res, c) => {
        flash(req, 'success', `Catégorie « ${c.name} » enregistrée.`);
        res.redirect(303, '/gestion/produits/categories');
      },
    }),
  );

  // ---- One product ----
  const editPage = async (req: Request, res: Response, form?: FormState, imageForm?: FormState, stockForm?: FormState) => {
    const p = await productById(deps, id(req));
    const values = form?.values ?? {
      name: p.name,
      slug: p.slug,
      categoryId: p.categoryId,
      description: p.description,
      price: (p.priceCents / 100).toFixed(2).replace('.', ','),
      vatRateBp: String(p.vatRateBp),
      stock: String(p.stock),
      weightGrams: String(p.weightGrams),
      ...(p.published ? { published: 'on' } : {}),
    };
    res.page('shop/staff-product-form', {
      title: p.name,
      product: p,
      categories: await listCategories(deps),
      vatRates: VAT_RATES,
      values,
      errors: form?.errors ?? {},
      imageValues: imageForm?.values ?? {},
      imageErrors: imageForm?.errors ?? {},
      stockValue: stockForm?.values.stock ?? String(p.stock),
      stockError: stockForm?.errors.stock,
      shop: shopHelpers,
    });
  };
  r.get('/produits/:id', (req, res) => editPage(req, res));
  r.post(
    '/produits/:id',
    formAction({
      schema: ProductSchema,
      render: (req, res, form) => editPage(req, res, form),
      run: (req, data) => updateProduct(deps, req.member!.id, id(req), data),
      done: (req, res, p) => {
        flash(req, 'success', `Produit « ${p.name} » enregistré.`);
        res.redirect(303, `/gestion/produits/${p.id}`);
      },
    }),
  );
  r.post(
    '/produits/:id/stock',
    formAction({
      schema: StockSchema,
      // The error and the typed value stay in the inventory form; the product's own form is untouched.
      render: (req, res, form) =>
        editPage(req, res, undefined, undefined, {
          values: form.values,
          errors: { stock: form.errors.stock ?? form.errors._form ?? 'Stock invalide.' },
        }),
      run: (req, data) => setStock(deps, req.member!.id, id(req), data.stock),
      done: (req, res) => {
        flash(req, 'success', 'Stock enregistré.');
        res.redirect(303, `/gestion/produits/${id(req)}`);
      },
    }),
  );
  r.post(
    '/produits/:id/publication',
    formAction({
      schema: PublishSchema,
      render: (req, res, form) => editPage(req, res, form),
      run: (req, data) => setPublished(deps, req.member!.id, id(req), data.published),
      done: (req, res) => {
        flash(
          req,
          'success',
          req.body?.published ? 'Produit publié : il est visible dans la boutique.' : 'Produit retiré de la boutique.',
        );
        res.redirect(303, `/gestion/produits/${id(req)}`);
      },
    }),
  );
  r.post(
    '/produits/:id/images',
    formAction({
      schema: ImageAltSchema,
      render: (req, res, form) => editPage(req, res, undefined, form),
      run: async (req, data) => {
        const p = await productById(deps, id(req));
        const up = req.upload;
        if (!up || up.field !== 'image' || up.data.length === 0)
          throw new ValidationError('Image : choisissez un fichier.', 'image');
        if (up.truncated || up.data.length > MAX_UPLOAD_BYTES)
          throw new ValidationError('Image : le fichier dépasse 5 Mo.', 'image');
        const stored = await storeImage(deps.config, p.id, up.data);
        return addImage(deps, req.member!.id, p.id, stored, data.alt);
      },
      done: (req, res) => {
        flash(req, 'success', 'Image ajoutée.');
        res.redirect(303, `/gestion/produits/${id(req)}`);
      },
    }),
  );
  r.post('/produits/:id/images/:imageId/supprimer', async (req, res) => {
    const p = await productById(deps, id(req));
    await removeImage(deps, req.member!.id, p.id, String(req.params.imageId));
    flash(req, 'success', 'Image retirée.');
    res.redirect(303, `/gestion/produits/${p.id}`);
  });
  // A refused form leaves its POST address in the address bar: opening it again leads back.
  r.get(
    [
      '/produits/:id/stock',
      '/produits/:id/publication',
      '/produits/:id/images',
      '/produits/:id/images/:imageId/supprimer',
    ],
    (req, res) => res.redirect(303, `/gestion/produits/${encodeURIComponent(id(req))}`),
  );
  return r;
}
