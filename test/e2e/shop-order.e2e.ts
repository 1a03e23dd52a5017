// The shop's whole journey in the browser: a visitor fills a cart (no cookie before the first
// "Ajouter au panier"), registers, confirms the e-mail, logs in, pays with credit plus bank
// transfer and gets the e-mail; staff mark it paid, export it for the carrier and ship it; the
// member sees the order, its invoice and the hand-over.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFile } from 'node:fs/promises';
import ejs from 'ejs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createMember } from '../../src/dev/factories.ts';
import { axeViolations, clickAndWait, describeViolations, foreignRequests, launchBrowser, newContext, openPage, plainText, screenshot, startApp } from './helpers.ts';
import type { RunningApp } from './helpers.ts';
import { lastMailTo } from '../helpers/mail.ts';
import { createProduct, giveCredit } from '../helpers/shop.ts';
import { SESSION_COOKIE } from '../../src/http/app.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let app: RunningApp;
let browser: Browser;
let staff: Awaited<ReturnType<typeof createMember>>;
let product: Awaited<ReturnType<typeof createProduct>>;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  staff = await createMember(app.t.deps, {}, { role: 'STAFF' });
  product = await createProduct(app.t.deps, { name: 'Imagier des animaux de la ferme', priceCents: 1490, vatRateBp: 550, stock: 8, weightGrams: 450 });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function expectAccessible(page: Page) {
  const violations = (await axeViolations(browser, page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(violations, describeViolations(violations)).toEqual([]);
}

async function shots(page: Page, name: string) {
  await screenshot(page, `${name}-desktop`);
  const size = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, `${name}-mobile`);
  if (size) await page.setViewportSize(size);
}

describe('a visitor becomes a customer', () => {
  const email = `lea.boutique.${process.pid}@exemple.fr`;
  const password = 'la girafe mange des fraises au jardin';
  let context: BrowserContext;
  let page: Page;
  let requests: string[];
  let reference: string;

  beforeAll(async () => {
    context = await newContext(browser, { acceptDownloads: true });
    ({ page, requests } = await openPage(context));
  });
  afterAll(() => context?.close());

  it('fills a cart: no cookie until the first "Ajouter au panier"', async () => {
    await page.goto(app.origin + '/panier');
    await expect(page.locator('h1').textContent()).resolves.toBe('Mon panier');
    expect(await context.cookies()).toEqual([]);
    // The product page is the catalogue's; its form is this partial, rendered here into the page.
    const partial = await ejs.renderFile(path.join(ROOT, 'views/orders/add-to-cart.ejs'), { product, csrf: () => 'unused' });
    await page.evaluate((html) => {
      document.querySelector('main')!.insertAdjacentHTML('beforeend', html);
    }, partial);
    expect(await context.cookies()).toEqual([]);
    await page.getByLabel('Quantité').fill('2');
    await clickAndWait(page, page.getByRole('button', { name: 'Ajouter au panier' }));
    expect(new URL(page.url()).pathname).toBe('/panier');
    expect((await context.cookies()).map((c) => c.name)).toEqual([SESSION_COOKIE]);
    await expect(plainText(await page.locator('.flash-success').textContent())).toContain('a été ajouté à votre panier');
    await expect(page.locator('main').textContent()).resolves.toContain('29,80');
    await shots(page, 'shop-cart');
    await expectAccessible(page);
  });

  it('is asked to log in at checkout, registers and confirms the e-mail', async () => {
    await clickAndWait(page, page.getByRole('button', { name: 'Commander' }));
    expect(new URL(page.url()).pathname).toBe('/connexion');
    await page.goto(app.origin + '/inscription');
    await page.getByLabel('Prénom').fill('Léa');
    await page.getByLabel('Nom', { exact: true }).fill('Rousseau');
    await page.getByLabel('Adresse', { exact: true }).fill('4 impasse des Mésanges');
    await page.getByLabel('Code postal').fill('44000');
    await page.getByLabel('Ville').fill('Nantes');
    await page.getByLabel('Adresse électronique').fill(email);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('checkbox', { name: /conditions d’utilisation/ }).check();
    await clickAndWait(page, page.getByRole('button', { name: 'Créer mon compte' }));
    const mail = await lastMailTo(app.t, email);
    const link = new URL(/http:\/\/club\.test\/inscription\/confirmer\?jeton=[\w-]+/.exec(mail!.text)![0]);
    await page.goto(app.origin + link.pathname + link.search);
    await clickAndWait(page, page.getByRole('button', { name: 'Confirmer mon adresse' }));
    // The club gives the new member some credit (a coupon, in real life).
    const m = await app.t.deps.db.member.findFirstOrThrow({ where: { email } });
    await giveCredit(app.t.deps, m.id, 1000);
  });

  it('logs in, finds the cart kept, checks out with credit plus bank transfer', async () => {
    await page.goto(app.origin + '/connexion?retour=%2Fcommande');
    await page.getByLabel('Adresse électronique').fill(email);
    await page.getByLabel('Mot de passe').fill(password);
    await clickAndWait(page, page.getByRole('button', { name: 'Se connecter' }));
    expect(new URL(page.url()).pathname).toBe('/commande');
    await expect(page.getByLabel('Adresse', { exact: true }).inputValue()).resolves.toBe('4 impasse des Mésanges');
    const main = plainText(await page.locator('main').textContent());
    expect(main).toContain('Imagier des animaux de la ferme');
    expect(main).toContain('36,70'); // 29,80 + 6,90
    expect(main).toContain('26,70'); // after 10 € of credit
    // A mistake first: the terms not accepted; the values stay.
    await page.getByLabel('Complément d’adresse').fill('Porte B');
    await clickAndWait(page, page.getByRole('button', { name: /Confirmer la commande/ }));
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('conditions générales de vente');
    await expect(page.getByLabel('Complément d’adresse').inputValue()).resolves.toBe('Porte B');
    await shots(page, 'shop-checkout');
    await expectAccessible(page);
    await page.getByRole('checkbox', { name: /conditions générales de vente/ }).check();
    await clickAndWait(page, page.getByRole('button', { name: /Confirmer la commande/ }));
    expect(page.url()).toMatch(/\/compte\/commandes\/C\d{6}$/);
    reference = page.url().split('/').pop()!;
    const text = plainText(await page.locator('main').textContent());
    expect(text).toContain(app.t.deps.config.shop.bank.iban);
    expect(text).toContain('26,70');
    await shots(page, 'shop-order-awaiting');
    await expectAccessible(page);
    const mail = await lastMailTo(app.t, email, `Votre commande ${reference}`);
    expect(mail!.text).toContain('IBAN');
    expect(mail!.text).toContain(reference);
  });

  it('staff mark it paid, export it for the carrier, ship it', async () => {
    const staffContext = await newContext(browser, { acceptDownloads: true });
    const { page: s } = await openPage(staffContext);
    await s.goto(app.origin + '/connexion');
    await s.getByLabel('Adresse électronique').fill(staff.email);
    await s.getByLabel('Mot de passe').fill(staff.password);
    await clickAndWait(s, s.getByRole('button', { name: 'Se connecter' }));
    await s.goto(app.origin + '/gestion/commandes');
    await shots(s, 'shop-staff-orders');
    await expectAccessible(s);
    await clickAndWait(s, s.getByRole('link', { name: reference }));
    await shots(s, 'shop-staff-order');
    await expectAccessible(s);
    await clickAndWait(s, s.getByRole('button', { name: /Virement de 26,70 € reçu/ }));
    await expect(s.locator('.flash-success').textContent()).resolves.toContain('Paiement enregistré');
    await s.goto(app.origin + '/gestion/expeditions');
    await s.getByRole('checkbox', { name: `Choisir la commande ${reference}` }).check();
    await shots(s, 'shop-staff-handover');
    await expectAccessible(s);
    const download = s.waitForEvent('download');
    await s.getByRole('button', { name: 'Télécharger le fichier CSV' }).click();
    const csv = await readFile((await (await download).path())!, 'utf8');
    expect(csv).toContain(`${reference};Léa Rousseau;4 impasse des Mésanges;Porte B;44000;Nantes;FR;;900`);
    await s.goto(app.origin + `/gestion/commandes/${reference}`);
    await s.getByLabel('Transporteur').fill('Colissimo');
    await s.getByLabel('Numéro de suivi').fill('6A98765432101');
    await clickAndWait(s, s.getByRole('button', { name: 'Expédiée' }));
    await expect(s.locator('.flash-success').textContent()).resolves.toContain('Commande expédiée');
    await staffContext.close();
    expect((await lastMailTo(app.t, email, `Commande ${reference} : expédiée`))!.text).toContain('6A98765432101');
  });

  it('the member sees the order, the hand-over and the invoice', async () => {
    await page.goto(app.origin + '/compte/commandes');
    await shots(page, 'shop-member-orders');
    await expectAccessible(page);
    await clickAndWait(page, page.getByRole('link', { name: reference }));
    const text = plainText(await page.locator('main').textContent());
    expect(text).toContain('Expédiée');
    expect(text).toContain('6A98765432101');
    expect(text).toContain('Transporteur');
    await shots(page, 'shop-member-order');
    await expectAccessible(page);
    await clickAndWait(page, page.getByRole('button', { name: /Voir et imprimer la facture/ }));
    const invoice = plainText(await page.locator('main').textContent());
    expect(invoice).toContain(app.t.deps.config.seller.siren);
    expect(invoice).toContain('5,5 %');
    await shots(page, 'shop-invoice');
    await expectAccessible(page);
    expect(foreignRequests(requests, app.origin)).toEqual([]);
  });
});
