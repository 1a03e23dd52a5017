import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { recentEvents } from '../src/audit/service.ts';
import sharp from 'sharp';
import { createTestApp, csrfOf, formToken, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { createCategory, createProduct } from '../src/shop/service.ts';
import { imagesDir, variantName } from '../src/shop/images.ts';
import { foldText, searchWords } from '../src/shop/search.ts';
import { PER_PAGE } from '../src/shop/schema.ts';

let t: TestApp;
let staff: Awaited<ReturnType<typeof createMember>>;
let member: Awaited<ReturnType<typeof createMember>>;
const cat: Record<string, string> = {};

const product = (over: Partial<Parameters<typeof createProduct>[2]> & { name: string; categoryId: string }) =>
  createProduct(t.deps, staff.member.id, {
    slug:
      over.slug ??
      over.name
        .toLowerCase()
        .normalize('NFD')
        .replace(/\p{M}/gu, '')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, ''),
    description: '',
    priceCents: 1000,
    vatRateBp: 2000,
    stock: 10,
    weightGrams: 100,
    published: true,
    ...over,
  });

const names = (html: string) => [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((m) => m[1].replace(/&#39;/g, "'"));

beforeAll(async () => {
  t = await createTestApp();
  staff = await createMember(t.deps, {}, { role: 'STAFF' });
  member = await createMember(t.deps, {});
  for (const [slug, name, position] of [
    ['livres', 'Livres jeunesse', 0],
    ['puericulture', 'Puériculture', 1],
    ['jouets', 'Jouets', 2],
  ] as const) {
    cat[slug] = (await createCategory(t.deps, staff.member.id, { slug, name, description: '', position })).id;
  }
  await product({
    name: 'Imagier des animaux',
    categoryId: cat.livres,
    priceCents: 1290,
    vatRateBp: 550,
    stock: 24,
    description: 'Un imagier cartonné pour les tout-petits.',
  });
  await product({
    name: 'Poussette légère pliable',
    categoryId: cat.puericulture,
    priceCents: 18990,
    stock: 3,
    description: 'Se plie d’une main, capote anti-UV.',
  });
  await product({
    name: 'Peluche Éléphant géant',
    categoryId: cat.jouets,
    priceCents: 4990,
    stock: 0,
    description: 'Un grand éléphant gris aux oreilles roses.',
  });
  await product({ name: 'Brouillon caché', categoryId: cat.jouets, published: false, description: 'éléphant secret' });
  // 30 more toys for the pages
  for (let i = 1; i <= 30; i++)
    await product({
      name: `Cube numéro ${String(i).padStart(2, '0')}`,
      categoryId: cat.jouets,
      priceCents: 100 * i,
      stock: i,
    });
});
afterAll(() => t.close());

describe('search text', () => {
  it('folds accents, case and ligatures, and leaves out the words both engines do not agree on', () => {
    expect(foldText('Œuf de Pâques ÉLÉPHANT')).toBe('oeuf de paques elephant');
    expect(searchWords('  Le livre  pour les ENFANTS ')).toBe('livre enfants');
    expect(searchWords('le la les')).toBeNull();
  });
});

describe('public catalogue', () => {
  it('lists published products with prices, availability and categories, without a cookie', async () => {
    const res = await request(t.app).get('/boutique');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.text).not.toContain('name="_csrf"');
    expect(res.text).toContain('href="/boutique/puericulture"');
    const list = names(res.text);
    expect(list).toHaveLength(PER_PAGE);
    expect(list[0]).toBe('Cube numéro 01');
    expect(list).not.toContain('Brouillon caché');
  });

  it('filters by category; an unknown category is a 404', async () => {
    const res = await request(t.app).get('/boutique/puericulture');
    expect(res.status).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(names(res.text)).toEqual(['Poussette légère pliable']);
    expect(res.text).toContain('aria-current="page">Puériculture');
    expect((await request(t.app).get('/boutique/nimporte-quoi')).status).toBe(404);
  });

  it('searches by words, with or without accents, in French (plural, case), never the unpublished', async () => {
    for (const q of ['elephant', 'ÉLÉPHANT', 'éléphants', 'Elephant gris']) {
      const res = await request(t.app).get('/boutique').query({ q });
      expect(res.status).toBe(200);
      expect(names(res.text), q).toEqual(['Peluche Éléphant géant']);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(names((await request(t.app).get('/boutique').query({ q: 'poussette legere' })).text)).toEqual([
      'Poussette légère pliable',
    ]);
    // the category's name is searched too
    expect(names((await request(t.app).get('/boutique').query({ q: 'puericulture' })).text)).toEqual([
      'Poussette légère pliable',
    ]);
    // within a category only
    expect(names((await request(t.app).get('/boutique/livres').query({ q: 'elephant' })).text)).toEqual([]);
    const none = await request(t.app).get('/boutique').query({ q: 'trottinette' });
    expect(none.status).toBe(200);
    expect(none.text).toContain('Aucun produit ne correspond à « <strong>trottinette</strong> »');
    expect(names((await request(t.app).get('/boutique').query({ q: 'secret' })).text)).toEqual([]);
  });

  it('sorts by name, price and newest', async () => {
    const up = names((await request(t.app).get('/boutique/jouets?tri=prix')).text);
    expect(up.slice(0, 2)).toEqual(['Cube numéro 01', 'Cube numéro 02']);
    const down = names((await request(t.app).get('/boutique?tri=prix-desc')).text);
    expect(down[0]).toBe('Poussette légère pliable');
    expect(down[1]).toBe('Peluche Éléphant géant');
    const newest = names((await request(t.app).get('/boutique?tri=nouveautes')).text);
    expect(newest).toHaveLength(PER_PAGE);
    // an unknown sort falls back to the name
    expect(names((await request(t.app).get('/boutique?tri=xyz')).text)[0]).toBe('Cube numéro 01');
  });

  it('sorts by name as in French: accents, capitals and ligatures do not send a name to the end, in the shop and on the staff list', async () => {
    const names6 = ['Veilleuse lune', 'Zèbre en bois', 'Œuf à musique', 'écusson brodé', 'Étoile filante', 'Écharpe rayée'];
    const expected = ['Écharpe rayée', 'écusson brodé', 'Étoile filante', 'Œuf à musique', 'Veilleuse lune', 'Zèbre en bois'];
    const accessories = (await createCategory(t.deps, staff.member.id, { slug: 'accessoires', name: 'Accessoires', description: '', position: 3 })).id;
    const made = [];
    for (const name of names6) made.push(await product({ name, categoryId: accessories, priceCents: 500 }));
    try {
      expect(names((await request(t.app).get('/boutique/accessoires?tri=nom')).text)).toEqual(expected);
      // Equal prices: the name decides, in the same order.
      expect(names((await request(t.app).get('/boutique/accessoires?tri=prix')).text)).toEqual(expected);
      const agent = await loginAgent(t.app, staff.email, staff.password);
      const staffNames = [];
      for (const page of [1, 2, 3]) {
        const html = (await agent.get(`/gestion/produits?page=${page}`)).text;
        staffNames.push(...[...html.matchAll(/<td><a href="\/gestion\/produits\/[^"]+">([^<]*)<\/a><\/td>/g)].map((m) => m[1]));
      }
      expect(staffNames.filter((n) => names6.includes(n))).toEqual(expected);
    } finally {
      await t.deps.db.product.deleteMany({ where: { id: { in: made.map((p) => p.id) } } });
      await t.deps.db.category.delete({ where: { id: accessories } });
    }
  });

  it('pages by 24 with next/previous links; a page out of range or malformed is a 404', async () => {
    const p1 = await request(t.app).get('/boutique');
    expect(p1.text).toContain('href="/boutique?page=2" rel="next"');
    const p2 = await request(t.app).get('/boutique?page=2');
    expect(p2.status).toBe(200);
    expect(names(p2.text)).toHaveLength(33 - PER_PAGE);
    expect(p2.text).toContain('href="/boutique" rel="prev"');
    expect(p2.text).not.toContain('rel="next"');
    const sorted = await request(t.app).get('/boutique/jouets?tri=prix-desc');
    expect(sorted.text).toContain('href="/boutique/jouets?tri=prix-desc&amp;page=2" rel="next"');
    for (const page of ['3', '0', '-1', 'abc', '51', '99999', '1e3']) {
      expect((await request(t.app).get('/boutique').query({ page })).status, page).toBe(404);
    }
    // a repeated parameter is not a 500
    expect((await request(t.app).get('/boutique?page=1&page=2')).status).toBe(200);
    expect((await request(t.app).get('/boutique?q=a&q=b')).status).toBe(200);
  });

  it('shows a product: price in French format, VAT rate, availability, add-to-cart form, no cookie', async () => {
    const book = await request(t.app).get('/produit/imagier-des-animaux');
    expect(book.status).toBe(200);
    expect(book.headers['set-cookie']).toBeUndefined();
    expect(book.text).toContain('12,90');
    expect(book.text).toContain('TVA 5,5 %');
    expect(book.text).toContain('En stock');
    expect(book.text).toMatch(/<form method="post" action="\/panier\/ajouter"/);
    expect(book.text).not.toContain('name="_csrf"');
    const pram = await request(t.app).get('/produit/poussette-legere-pliable');
    expect(pram.text).toContain('189,90');
    expect(pram.text).toContain('TVA 20 %');
    expect(pram.text).toContain('Plus que 3');
    const out = await request(t.app).get('/produit/peluche-elephant-geant');
    expect(out.text).toContain('Épuisé');
    // Out of stock: no form to add it, a sentence instead (the orders domain's partial).
    expect(out.text).not.toContain('action="/panier/ajouter"');
    expect(out.text).toContain('Indisponible pour le moment.');
  });

  it('an unpublished or unknown product is a 404', async () => {
    expect((await request(t.app).get('/produit/brouillon-cache')).status).toBe(404);
    expect((await request(t.app).get('/produit/inconnu')).status).toBe(404);
    expect((await request(t.app).get(`/produit/${'x'.repeat(300)}`)).status).toBe(404);
  });

  it('legal pages: CGV, terms of use, legal notice with the seller and host from configuration', async () => {
    const cgv = await request(t.app).get('/cgv');
    expect(cgv.status).toBe(200);
    expect(cgv.headers['set-cookie']).toBeUndefined();
    for (const s of [
      '14 jours',
      'Formulaire de rétractation',
      'garantie légale de conformité',
      'vices cachés',
      'virement bancaire',
      'médiateur',
      'TTC',
    ])
      expect(cgv.text).toContain(s);
    expect((await request(t.app).get('/conditions-utilisation')).status).toBe(200);
    const legal = await request(t.app).get('/mentions-legales');
    for (const s of ['SIREN : 912 345 678', 'FR32912345678', 'Directeur de la publication', 'Hébergeur Exemple SAS'])
      expect(legal.text).toContain(s);
    const register = await request(t.app).get('/inscription');
    expect(register.text).toContain('href="/conditions-utilisation"');
    expect((await request(t.app).get('/')).text).toContain('href="/cgv"');
  });
});

describe('staff: products and categories', () => {
  it('members get 403 on the staff pages, visitors are sent to log in', async () => {
    const agent = await loginAgent(t.app, member.email, member.password);
    for (const p of ['/gestion/produits', '/gestion/produits/nouveau', '/gestion/produits/categories']) {
      expect((await agent.get(p)).status, p).toBe(403);
    }
    const token = await formToken(agent, '/compte');
    expect((await agent.post('/gestion/produits/nouveau').type('form').send({ _csrf: token, name: 'x' })).status).toBe(
      403,
    );
    expect((await request(t.app).get('/gestion/produits')).status).toBe(303);
  });

  it('creates a category; bad input is a French 422 keeping the values', async () => {
    const agent = await loginAgent(t.app, staff.email, staff.password);
    const bad = await postForm(agent, '/gestion/produits/categories', '/gestion/produits/categories', {
      name: 'Loisirs créatifs',
      slug: 'Loisirs Créatifs!',
      position: 'abc',
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Adresse : lettres minuscules sans accent');
    expect(bad.text).toContain('Ordre : un nombre entier.');
    expect(bad.text).toContain('value="Loisirs créatifs"');
    const ok = await postForm(agent, '/gestion/produits/categories', '/gestion/produits/categories', {
      name: 'Loisirs créatifs',
      slug: '',
      description: 'Peinture, pâte à modeler.',
      position: '5',
    });
    expect(ok.status).toBe(303);
    const c = await t.deps.db.category.findUniqueOrThrow({ where: { slug: 'loisirs-creatifs' } });
    const dup = await postForm(agent, '/gestion/produits/categories', '/gestion/produits/categories', {
      name: 'Autre',
      slug: 'loisirs-creatifs',
      position: '1',
    });
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('Adresse : déjà utilisée');
    expect(dup.text).toContain('value="Autre"');
    // renaming a category: its products are found by the new name
    await product({ name: 'Pâte à modeler', categoryId: c.id });
    const edit = await postForm(agent, `/gestion/produits/categories/${c.id}`, `/gestion/produits/categories/${c.id}`, {
      name: 'Activités manuelles',
      slug: 'loisirs-creatifs',
      position: '5',
    });
    expect(edit.status).toBe(303);
    expect(names((await request(t.app).get('/boutique').query({ q: 'activites manuelles' })).text)).toEqual([
      'Pâte à modeler',
    ]);
  });

  it('creates, edits, publishes and restocks a product; bad input keeps the values', async () => {
    const agent = await loginAgent(t.app, staff.email, staff.password);
    const bad = await postForm(agent, '/gestion/produits/nouveau', '/gestion/produits/nouveau', {
      name: 'Tapis d’éveil',
      categoryId: '',
      description: 'Tapis matelassé.',
      price: 'douze',
      vatRateBp: '1234',
      stock: '-2',
      weightGrams: '300',
    });
    expect(bad.status).toBe(422);
    for (const s of [
      'Catégorie : choisissez une catégorie.',
      'Prix TTC : un montant en euros',
      'Taux de TVA : choisissez un taux.',
      'Stock : au moins 0.',
    ])
      expect(bad.text).toContain(s);
    expect(bad.text).toContain('value="Tapis d’éveil"');
    expect(bad.text).toContain('value="douze"');
    expect(bad.text).toContain('Tapis matelassé.</textarea>');
    const created = await postForm(agent, '/gestion/produits/nouveau', '/gestion/produits/nouveau', {
      name: 'Tapis d’éveil Savane',
      categoryId: cat.puericulture,
      description: 'Tapis matelassé avec arche.',
      price: '59,90',
      vatRateBp: '2000',
      stock: '6',
      weightGrams: '1400',
    });
    expect(created.status).toBe(303);
    const id = created.headers.location.split('/').pop()!;
    const p = await t.deps.db.product.findUniqueOrThrow({ where: { id } });
    expect(p).toMatchObject({
      slug: 'tapis-d-eveil-savane',
      priceCents: 5990,
      vatRateBp: 2000,
      stock: 6,
      published: false,
    });
    expect((await request(t.app).get('/produit/tapis-d-eveil-savane')).status).toBe(404);
    const pub = await postForm(agent, `/gestion/produits/${id}`, `/gestion/produits/${id}/publication`, {
      published: 'on',
    });
    expect(pub.status).toBe(303);
    expect((await request(t.app).get('/produit/tapis-d-eveil-savane')).status).toBe(200);
    const stockBad = await postForm(agent, `/gestion/produits/${id}`, `/gestion/produits/${id}/stock`, { stock: '-1' });
    expect(stockBad.status).toBe(422);
    expect(stockBad.text).toContain('Stock : au moins 0.');
    // The refused inventory keeps what was typed, in its own form; the product's form keeps the product.
    expect(stockBad.text).toMatch(/id="f-stock-only"[^>]*value="-1"/);
    expect(stockBad.text).toContain('value="Tapis d’éveil Savane"');
    expect(stockBad.text).toContain('Tapis matelassé avec arche.</textarea>');
    expect(stockBad.text).not.toContain('Le formulaire contient');
    expect(
      (await postForm(agent, `/gestion/produits/${id}`, `/gestion/produits/${id}/stock`, { stock: '0' })).status,
    ).toBe(303);
    expect((await request(t.app).get('/produit/tapis-d-eveil-savane')).text).toContain('Épuisé');
    // The journal names the stock's figures as such (the shop module's names for its detail keys).
    const stockEvent = (await recentEvents(t.deps, 50)).find((e) => e.action === 'shop.stock-set');
    for (const part of [`produit : ${id}`, 'ancien stock : 6', 'nouveau stock : 0']) expect(stockEvent?.details).toContain(part);
    expect(stockEvent?.details).not.toContain('rôle');
    const dup = await postForm(agent, `/gestion/produits/${id}`, `/gestion/produits/${id}`, {
      name: 'Tapis renommé',
      slug: 'imagier-des-animaux',
      categoryId: cat.puericulture,
      price: '59,90',
      vatRateBp: '2000',
      stock: '0',
      weightGrams: '1400',
      published: 'on',
    });
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('value="Tapis renommé"');
    const edit = await postForm(agent, `/gestion/produits/${id}`, `/gestion/produits/${id}`, {
      name: 'Tapis d’éveil Jungle',
      slug: 'tapis-d-eveil-savane',
      categoryId: cat.puericulture,
      description: 'Arche et miroir.',
      price: '64,90',
      vatRateBp: '2000',
      stock: '4',
      weightGrams: '1400',
      published: 'on',
    });
    expect(edit.status).toBe(303);
    expect(names((await request(t.app).get('/boutique').query({ q: 'jungle miroir' })).text)).toEqual([
      'Tapis d’éveil Jungle',
    ]);
    const unpub = await postForm(agent, `/gestion/produits/${id}`, `/gestion/produits/${id}/publication`, {});
    expect(unpub.status).toBe(303);
    expect((await request(t.app).get('/produit/tapis-d-eveil-savane')).status).toBe(404);
    const list = await agent.get('/gestion/produits?q=tapis');
    expect(list.text).toContain('Tapis d’éveil Jungle');
    expect(list.text).toContain('Non publié');
    expect((await agent.get('/gestion/produits/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await agent.get('/gestion/produits/pas-un-uuid')).status).toBe(404);
    const audit = await t.deps.db.auditEvent.findMany({ where: { action: { startsWith: 'shop.' } } });
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'shop.product-created',
        'shop.product-published',
        'shop.stock-set',
        'shop.product-unpublished',
      ]),
    );
  });
});

describe('staff: image uploads', () => {
  let agent: ReturnType<typeof request.agent>;
  let id: string;
  let token: string;
  beforeAll(async () => {
    agent = await loginAgent(t.app, staff.email, staff.password);
    id = (await product({ name: 'Hochet en bois', categoryId: cat.jouets, slug: 'hochet-en-bois' })).id;
    token = csrfOf((await agent.get(`/gestion/produits/${id}`)).text);
  });
  const upload = (data: Buffer, filename: string, alt = '') =>
    agent
      .post(`/gestion/produits/${id}/images`)
      .field('_csrf', token)
      .field('alt', alt)
      .attach('image', data, filename);

  it('accepts a real PNG and JPEG, makes WebP variants served with a one-year immutable cache', async () => {
    const png = await sharp({ create: { width: 1600, height: 1200, channels: 3, background: '#e58fb1' } })
      .png()
      .toBuffer();
    const res = await upload(png, 'hochet.png', 'Hochet rose');
    expect(res.status).toBe(303);
    const jpeg = await sharp({ create: { width: 500, height: 400, channels: 3, background: '#6cc4a1' } })
      .jpeg()
      .toBuffer();
    expect((await upload(jpeg, 'photo.jpg')).status).toBe(303);
    const images = await t.deps.db.productImage.findMany({ where: { productId: id }, orderBy: { position: 'asc' } });
    expect(images.map((i) => [i.width, i.height, i.alt, i.position])).toEqual([
      [1600, 1200, 'Hochet rose', 0],
      [500, 400, 'Hochet en bois', 1],
    ]);
    const dir = imagesDir(t.deps.config);
    for (const w of [320, 640, 1024]) expect(existsSync(path.join(dir, variantName(images[0].key, w)))).toBe(true);
    for (const w of [320, 500]) expect(existsSync(path.join(dir, variantName(images[1].key, w)))).toBe(true);
    const meta = await sharp(path.join(dir, variantName(images[0].key, 640))).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 640, height: 480 });
    const page = await request(t.app).get('/produit/hochet-en-bois');
    expect(page.text).toContain(
      `srcset="/images/produits/${images[0].key}-320.webp 320w, /images/produits/${images[0].key}-640.webp 640w, /images/produits/${images[0].key}-1024.webp 1024w"`,
    );
    expect(page.text).toContain('alt="Hochet rose"');
    const img = await request(t.app).get(`/images/produits/${images[0].key}-640.webp`);
    expect(img.status).toBe(200);
    expect(img.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(img.headers['x-content-type-options']).toBe('nosniff');
    expect(img.headers['content-type']).toBe('image/webp');
    expect(img.headers['set-cookie']).toBeUndefined();
    expect((await request(t.app).get(`/images/produits/${images[0].key}-999.webp`)).status).toBe(404);
    expect((await request(t.app).get('/images/produits/..%2F.session-secret')).status).toBe(404);
    // the same picture twice on one product is refused
    const again = await upload(png, 'encore.png');
    expect(again.status).toBe(409);
    expect(again.text).toContain('déjà sur la fiche');
  });

  it('refuses a text file renamed .png, a truncated image and a file over 5 MB, in French, keeping the typed description', async () => {
    const fake = await upload(
      Buffer.from('Bonjour, je ne suis pas une image.\n'.repeat(20)),
      'photo.png',
      'Ma description',
    );
    expect(fake.status).toBe(422);
    expect(fake.text).toContain('Image : ce fichier n’est pas une image JPEG, PNG ou WebP lisible.');
    expect(fake.text).toContain('value="Ma description"');
    const png = await sharp({ create: { width: 400, height: 400, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    const cut = await upload(png.subarray(0, 60), 'coupe.png');
    expect(cut.status).toBe(422);
    const big = Buffer.concat([png, Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await upload(big, 'grande.png', 'Trop grande');
    expect(tooBig.status).toBe(422);
    expect(tooBig.text).toContain('Image : le fichier dépasse 5 Mo.');
    expect(tooBig.text).toContain('value="Trop grande"');
    const none = await agent.post(`/gestion/produits/${id}/images`).field('_csrf', token).field('alt', '');
    expect(none.status).toBe(422);
    expect(none.text).toContain('Image : choisissez un fichier.');
    const tiny = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    expect((await upload(tiny, 'mini.png')).text).toContain('au moins 100 pixels');
    expect(await t.deps.db.productImage.count({ where: { productId: id } })).toBe(2);
  });

  it('reads an upload only for staff: without the CSRF token it is refused, a visitor or member gets 415', async () => {
    const png = await sharp({ create: { width: 200, height: 200, channels: 3, background: '#fff' } })
      .png()
      .toBuffer();
    const noToken = await agent.post(`/gestion/produits/${id}/images`).attach('image', png, 'a.png');
    expect(noToken.status).toBe(403);
    const anon = await request(t.app).post(`/gestion/produits/${id}/images`).attach('image', png, 'a.png');
    expect(anon.status).toBe(415);
    const m = await loginAgent(t.app, member.email, member.password);
    expect((await m.post(`/gestion/produits/${id}/images`).attach('image', png, 'a.png')).status).toBe(415);
    expect((await m.post('/compte/coupons').attach('image', png, 'a.png')).status).toBe(415);
  });
});
