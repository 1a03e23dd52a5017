// The catalogue in a real browser: the demo catalogue's pages at desktop and mobile width, no
// cookie for a visitor, images loaded as WebP, accessibility; then the staff's product pages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  axeViolations,
  clickAndWait,
  describeViolations,
  foreignRequests,
  launchBrowser,
  newContext,
  openPage,
  screenshot,
  startApp,
} from './helpers.ts';
import type { RunningApp } from './helpers.ts';
import { seedCatalogue } from '../../src/shop/seed.ts';
import { createMember } from '../../src/dev/factories.ts';

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  await seedCatalogue(app.t.deps);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

const PAGES = [
  { path: '/boutique', name: 'shop-boutique', heading: 'Boutique' },
  { path: '/boutique/puericulture', name: 'shop-categorie', heading: 'Puériculture' },
  { path: '/boutique?q=elephant', name: 'shop-recherche', heading: 'Boutique' },
  { path: '/produit/poussette-legere-pliable', name: 'shop-produit', heading: 'Poussette légère pliable' },
  { path: '/produit/baignoire-pliante-avec-thermometre', name: 'shop-produit-epuise', heading: 'Baignoire pliante' },
  { path: '/cgv', name: 'shop-cgv', heading: 'Conditions générales de vente' },
  { path: '/conditions-utilisation', name: 'shop-conditions-utilisation', heading: 'Conditions d’utilisation' },
];

const WIDTHS = [
  { label: 'desktop', viewport: { width: 1280, height: 800 } },
  { label: 'mobile', viewport: { width: 390, height: 844 } },
];

describe('catalogue, anonymous visitor', () => {
  for (const w of WIDTHS) {
    for (const p of PAGES) {
      it(`${p.path} (${w.label}): French, accessible, only the site, no cookie`, async () => {
        const context = await newContext(browser, { viewport: w.viewport });
        try {
          const { page, requests, errors } = await openPage(context);
          const res = await page.goto(app.origin + p.path);
          expect(res?.status()).toBe(200);
          await expect(page.locator('h1').first().textContent()).resolves.toContain(p.heading);
          await page.evaluate(() =>
            Promise.all(
              Array.from(document.images).map((i) => {
                i.loading = 'eager';
                return i.decode().catch(() => null);
              }),
            ),
          );
          await screenshot(page, `${p.name}-${w.label}`);
          expect(foreignRequests(requests, app.origin)).toEqual([]);
          expect(errors).toEqual([]);
          expect(await context.cookies()).toEqual([]);
          if (p.path.startsWith('/produit/') || p.path === '/boutique') {
            const loaded = await page.evaluate(
              () =>
                Array.from(document.images).filter((i) => i.currentSrc.endsWith('.webp') && i.naturalWidth > 0).length,
            );
            expect(loaded).toBeGreaterThan(0);
          }
          const violations = await axeViolations(browser, page);
          expect(violations, describeViolations(violations)).toEqual([]);
        } finally {
          await context.close();
        }
      });
    }
  }

  it('finds a product by typing words without accents, then opens it', async () => {
    const context = await newContext(browser);
    try {
      const { page } = await openPage(context);
      await page.goto(app.origin + '/boutique');
      await page.fill('#q', 'peluche elephant');
      await clickAndWait(page, page.getByRole('button', { name: 'Rechercher' }));
      await clickAndWait(page, page.getByRole('link', { name: /Peluche éléphant géant/ }));
      expect(new URL(page.url()).pathname).toBe('/produit/peluche-elephant-geant-60-cm');
      await expect(page.locator('.stock').first().textContent()).resolves.toContain('Plus que 2');
      expect(await context.cookies()).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('staff product pages', () => {
  it('lists, opens and edits products at desktop and mobile width', async () => {
    const staff = await createMember(app.t.deps, {}, { role: 'STAFF' });
    for (const w of WIDTHS) {
      const context = await newContext(browser, { viewport: w.viewport });
      try {
        const { page, errors } = await openPage(context);
        await login(page, staff.email, staff.password);
        await page.goto(app.origin + '/gestion/produits');
        await screenshot(page, `shop-gestion-produits-${w.label}`);
        let violations = await axeViolations(browser, page);
        expect(violations, describeViolations(violations)).toEqual([]);
        await page.fill('#q', 'poussette');
        await clickAndWait(page, page.getByRole('button', { name: 'Rechercher' }));
        await clickAndWait(page, page.getByRole('link', { name: 'Poussette légère pliable' }));
        await expect(page.locator('h1').textContent()).resolves.toBe('Poussette légère pliable');
        await screenshot(page, `shop-gestion-produit-${w.label}`);
        violations = await axeViolations(browser, page);
        expect(violations, describeViolations(violations)).toEqual([]);
        // a bad price keeps what was typed
        await page.fill('#f-price', 'cher');
        await clickAndWait(page, page.getByRole('button', { name: 'Enregistrer' }));
        await expect(page.locator('#f-price-err').textContent()).resolves.toContain('Prix TTC : un montant en euros');
        expect(await page.inputValue('#f-price')).toBe('cher');
        await screenshot(page, `shop-gestion-produit-erreur-${w.label}`);
        await page.goto(app.origin + '/gestion/produits/nouveau');
        await screenshot(page, `shop-gestion-nouveau-${w.label}`);
        await page.goto(app.origin + '/gestion/produits/categories');
        await screenshot(page, `shop-gestion-categories-${w.label}`);
        violations = await axeViolations(browser, page);
        expect(violations, describeViolations(violations)).toEqual([]);
        expect(errors.filter((e) => !/status of 422/.test(e))).toEqual([]); // the refused form's own 422
      } finally {
        await context.close();
      }
    }
  }, 240_000);
});

async function login(page: Page, email: string, password: string) {
  await page.goto(app.origin + '/connexion');
  await page.fill('#f-email', email);
  await page.fill('#f-password', password);
  await clickAndWait(page, page.getByRole('button', { name: 'Se connecter' }));
}
