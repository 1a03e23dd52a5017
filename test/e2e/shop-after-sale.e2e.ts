// After the sale, in the browser: staff refund a delivered order with the goods sent back, the
// member and the staff open the printable credit note, and the staff's order list pages.
// Screenshots at 1280 and 390 px; axe finds no serious violation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createMember } from '../../src/dev/factories.ts';
import { formatReference, STAFF_PAGE_SIZE } from '../../src/orders/service.ts';
import { axeViolations, clickAndWait, describeViolations, launchBrowser, newContext, openPage, plainText, screenshot, startApp } from './helpers.ts';
import type { RunningApp } from './helpers.ts';
import { createProduct, giveCredit } from '../helpers/shop.ts';

let app: RunningApp;
let browser: Browser;
let staff: Awaited<ReturnType<typeof createMember>>;
let member: Awaited<ReturnType<typeof createMember>>;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  staff = await createMember(app.t.deps, {}, { role: 'STAFF' });
  member = await createMember(app.t.deps, { email: `avoir.${process.pid}@exemple.fr` });
  await giveCredit(app.t.deps, member.member.id, 800);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function expectAccessible(page: Page) {
  const violations = await axeViolations(browser, page);
  expect(violations, describeViolations(violations)).toEqual([]);
}

async function shots(page: Page, name: string) {
  await screenshot(page, `${name}-desktop`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-mobile`);
  if (size) await page.setViewportSize(size);
}

async function logIn(context: BrowserContext, email: string, password: string) {
  const { page } = await openPage(context);
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(app.origin + '/connexion');
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await clickAndWait(page, page.getByRole('button', { name: 'Se connecter' }));
  return page;
}

describe('after the sale', () => {
  let reference: string;
  let productId: string;

  it('staff refund a delivered order, ticking "articles retournés": the stock comes back', async () => {
    const product = await createProduct(app.t.deps, { name: 'Puzzle des océans', priceCents: 1990, vatRateBp: 2000, stock: 3 });
    productId = product.id;
    // The order placed and delivered through the members' and staff's services is covered elsewhere;
    // here it is placed in the browser by the member.
    const mc = await newContext(browser);
    const mp = await logIn(mc, member.email, member.password);
    await mp.goto(app.origin + `/produit/${product.slug}`);
    await clickAndWait(mp, mp.getByRole('button', { name: 'Ajouter au panier' }));
    await mp.goto(app.origin + '/commande');
    await mp.getByLabel(/J’ai lu et j’accepte/).check();
    await clickAndWait(mp, mp.getByRole('button', { name: /Confirmer/ }));
    reference = /\/compte\/commandes\/(C\d+)/.exec(mp.url())![1];
    await mc.close();

    const sc = await newContext(browser);
    const s = await logIn(sc, staff.email, staff.password);
    await s.goto(app.origin + `/gestion/commandes/${reference}`);
    await clickAndWait(s, s.getByRole('button', { name: /Virement de .* reçu/ }));
    await s.getByLabel('Transporteur').fill('Colissimo');
    await s.getByLabel('Numéro de suivi').fill('6A11122233344');
    await clickAndWait(s, s.getByRole('button', { name: 'Expédiée' }));
    await clickAndWait(s, s.getByRole('button', { name: 'Livrée' }));
    await s.getByText('Rembourser la commande').click();
    await s.getByLabel('Motif (envoyé au membre)').fill('Rétractation : colis retourné complet');
    await s.getByLabel('Articles retournés : remettre en stock').check();
    await shots(s, 'shop-staff-refund-form');
    await expectAccessible(s);
    await clickAndWait(s, s.getByRole('button', { name: 'Rembourser' }));
    await expect(s.locator('.flash-success').textContent()).resolves.toContain('articles remis en stock');
    expect((await app.t.deps.db.product.findUniqueOrThrow({ where: { id: productId } })).stock).toBe(3);
    await shots(s, 'shop-staff-order-refunded');
    await expectAccessible(s);

    await clickAndWait(s, s.getByRole('link', { name: /^avoir AV\d+/ }));
    expect(plainText(await s.locator('main').textContent())).toContain('Annule la facture');
    await shots(s, 'shop-staff-credit-note');
    await expectAccessible(s);
    await sc.close();
  });

  it('the member opens the printable credit note from the order page', async () => {
    const mc = await newContext(browser);
    const page = await logIn(mc, member.email, member.password);
    await page.goto(app.origin + `/compte/commandes/${reference}`);
    await shots(page, 'shop-member-order-refunded');
    await expectAccessible(page);
    await clickAndWait(page, page.getByRole('button', { name: /Voir et imprimer l’avoir/ }));
    const text = plainText(await page.locator('main').textContent());
    expect(text).toContain('Puzzle des océans');
    expect(text).toContain('20 %');
    expect(text).toContain(app.t.deps.config.seller.siren);
    expect(text).toContain('Crédit du club rendu');
    await shots(page, 'shop-member-credit-note');
    await expectAccessible(page);
    await mc.close();
  });

  it('the staff order list pages by keyset and filters', async () => {
    const now = app.t.clock.now();
    const base = 700_000;
    await app.t.deps.db.order.createMany({
      data: Array.from({ length: STAFF_PAGE_SIZE + 5 }, (_, i) => ({
        reference: formatReference(base + i), memberId: member.member.id, status: i % 2 ? ('PAID' as const) : ('AWAITING_PAYMENT' as const),
        idempotencyKey: `e2e-liste-${base + i}`, goodsCents: 1500, shippingCents: 490, totalCents: 1990, creditUsedCents: 0, dueCents: 1990,
        paymentMethod: 'BANK_TRANSFER', invoiceNumber: base + i, createdAt: now, updatedAt: now,
      })),
    });
    const sc = await newContext(browser);
    const s = await logIn(sc, staff.email, staff.password);
    await s.goto(app.origin + '/gestion/commandes');
    await shots(s, 'shop-staff-orders');
    await expectAccessible(s);
    await clickAndWait(s, s.getByRole('link', { name: 'Commandes plus anciennes →' }));
    expect(s.url()).toContain('avant=');
    await expect(s.getByRole('link', { name: '← Les plus récentes' }).count()).resolves.toBe(1);
    await shots(s, 'shop-staff-orders-page2');
    await expectAccessible(s);
    await s.goto(app.origin + '/gestion/commandes');
    await s.getByLabel('Référence').fill(String(base + 3));
    await clickAndWait(s, s.getByRole('button', { name: 'Filtrer' }));
    expect(plainText(await s.locator('tbody').textContent())).toContain(formatReference(base + 3));
    await expect(s.locator('tbody tr').count()).resolves.toBe(1);
    await sc.close();
  });
});
