// A new member's whole life in the browser: registration (with a mistake first), e-mail
// confirmation, login, coupons, data download and account deletion; then a glance at the staff side.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createBatchWithCodes, createMember } from '../../src/dev/factories.ts';
import { ALPHABET, parseCode } from '../../src/coupons/codes.ts';
import {
  axeViolations,
  clickAndWait,
  describeViolations,
  foreignRequests,
  launchBrowser,
  newContext,
  openPage,
  plainText,
  screenshot,
  startApp,
} from './helpers.ts';
import type { RunningApp } from './helpers.ts';
import { lastMailTo } from '../helpers/mail.ts';

let app: RunningApp;
let browser: Browser;
let staff: Awaited<ReturnType<typeof createMember>>;
let codes: string[];

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  staff = await createMember(app.t.deps, {}, { role: 'STAFF' });
  ({ codes } = await createBatchWithCodes(app.t.deps, staff.member.id, { valueCents: 500, quantity: 3 }));
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function expectAccessible(page: Page) {
  const violations = await axeViolations(browser, page);
  expect(violations, describeViolations(violations)).toEqual([]);
}

const text = async (page: Page, selector: string) => plainText(await page.locator(selector).first().textContent());

async function login(page: Page, email: string, password: string) {
  await page.goto(app.origin + '/connexion');
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await clickAndWait(page, page.getByRole('button', { name: 'Se connecter' }));
}

describe('a new member, from registration to deletion', () => {
  const email = `camille.e2e.${process.pid}@exemple.fr`;
  const password = 'trois petits chats dansent sur le toit';
  let context: BrowserContext;
  let page: Page;
  let requests: string[];

  beforeAll(async () => {
    context = await newContext(browser, { acceptDownloads: true });
    ({ page, requests } = await openPage(context));
  });
  afterAll(() => context?.close());

  it('registers: a wrong postcode is explained in French and the other values are kept', async () => {
    await page.goto(app.origin + '/inscription');
    await expect(page.locator('h1').textContent()).resolves.toBe('Inscription');
    await expect(page.getByLabel('Pays').inputValue()).resolves.toBe('FR');

    await page.getByLabel('Prénom').fill('Camille');
    await page.getByLabel('Nom', { exact: true }).fill('Dupont-Étoile');
    await page.getByLabel('Adresse', { exact: true }).fill('8 avenue des Tilleuls');
    await page.getByLabel('Code postal').fill('7501');
    await page.getByLabel('Ville').fill('Paris');
    await page.getByLabel('Adresse électronique').fill(email);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('checkbox', { name: /conditions d’utilisation/ }).check();
    await clickAndWait(page, page.getByRole('button', { name: 'Créer mon compte' }));

    expect(new URL(page.url()).pathname).toBe('/inscription');
    await expect(page.locator('.error-summary').textContent()).resolves.toContain('Code postal invalide');
    await expect(page.locator('#f-postcode-err').textContent()).resolves.toContain('Code postal invalide');
    await expect(page.getByLabel('Code postal').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByLabel('Code postal').inputValue()).resolves.toBe('7501');
    await expect(page.getByLabel('Prénom').inputValue()).resolves.toBe('Camille');
    await expect(page.getByLabel('Nom', { exact: true }).inputValue()).resolves.toBe('Dupont-Étoile');
    await expect(page.getByLabel('Adresse', { exact: true }).inputValue()).resolves.toBe('8 avenue des Tilleuls');
    await expect(page.getByLabel('Ville').inputValue()).resolves.toBe('Paris');
    await expect(page.getByLabel('Pays').inputValue()).resolves.toBe('FR');
    await expect(page.getByLabel('Adresse électronique').inputValue()).resolves.toBe(email);
    await expect(page.getByRole('checkbox', { name: /conditions d’utilisation/ }).isChecked()).resolves.toBe(true);
    await expect(page.getByRole('checkbox', { name: /lettre d’information/ }).isChecked()).resolves.toBe(false);
    // The password is never sent back to the browser.
    await expect(page.getByLabel('Mot de passe').inputValue()).resolves.toBe('');
    await screenshot(page, 'member-register-errors');
    await expectAccessible(page);
  });

  it('registers for real and is told to check the inbox', async () => {
    await page.getByLabel('Code postal').fill('75011');
    await page.getByLabel('Mot de passe').fill(password);
    await clickAndWait(page, page.getByRole('button', { name: 'Créer mon compte' }));
    expect(page.url()).toBe(app.origin + '/inscription/verifiez-vos-courriels');
    await expect(page.locator('h1').textContent()).resolves.toBe('Vérifiez vos courriels');

    const m = await app.t.deps.db.member.findFirst({ where: { email } });
    expect(m).toMatchObject({
      firstName: 'Camille',
      lastName: 'Dupont-Étoile',
      postcode: '75011',
      country: 'FR',
      newsletterOptIn: false,
      emailConfirmedAt: null,
    });
  });

  it('confirms the address from the link of the e-mail', async () => {
    expect(await app.t.worker.drain()).toBeGreaterThan(0);
    // The link as the member receives it (the development mailer's .eml file; the site's copy is masked).
    const mail = await lastMailTo(app.t, email);
    expect(mail).not.toBeNull();
    const link = /http:\/\/club\.test\/inscription\/confirmer\?jeton=[\w-]+/.exec(mail!.text)?.[0];
    expect(link).toBeDefined();
    const local = new URL(link!);
    await page.goto(app.origin + local.pathname + local.search);
    await clickAndWait(page, page.getByRole('button', { name: 'Confirmer mon adresse' }));
    expect(page.url()).toBe(app.origin + '/connexion');
    await expect(text(page, '.flash-success')).resolves.toContain('Votre adresse électronique est confirmée');
    const m = await app.t.deps.db.member.findFirst({ where: { email } });
    expect(m?.emailConfirmedAt).not.toBeNull();
  });

  it('logs in and lands on the account page', async () => {
    await login(page, email, password);
    expect(page.url()).toBe(app.origin + '/compte');
    await expect(page.locator('h1').textContent()).resolves.toBe('Mon compte');
    await expect(text(page, '.balance')).resolves.toBe('0,00 €');
    // Confirmed: no reminder to confirm the address.
    await expect(page.getByRole('button', { name: 'Renvoyer le lien' }).count()).resolves.toBe(0);
    await expect(page.getByLabel('Ville').inputValue()).resolves.toBe('Paris');
    await screenshot(page, 'member-account');
    await expectAccessible(page);
  });

  it('redeems a coupon typed in lower case with spaces', async () => {
    await clickAndWait(page, page.getByRole('link', { name: 'Saisir un code et voir l’historique' }));
    expect(page.url()).toBe(app.origin + '/compte/coupons');
    await expect(text(page, '.balance')).resolves.toBe('0,00 €');
    await expect(page.getByText('Aucun mouvement pour l’instant.').count()).resolves.toBe(1);
    // The example shown under the field is itself a well-formed code (its check character is right).
    const example = /[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-\S/.exec(await text(page, '#f-code-hint'))?.[0];
    expect(example).toBeDefined();
    expect(parseCode(example!)).toMatchObject({ ok: true });
    await expectAccessible(page);

    const typed = codes[0].toLowerCase().replace(/-/g, ' ');
    expect(typed).not.toBe(codes[0]);
    await page.getByLabel('Code du coupon').fill(typed);
    await clickAndWait(page, page.getByRole('button', { name: 'Créditer mon compte' }));
    expect(page.url()).toBe(app.origin + '/compte/coupons');
    const flash = await text(page, '.flash-success');
    expect(flash).toContain('Code accepté');
    expect(flash).toContain('5,00 € crédités');
    expect(flash).toContain('Nouveau solde : 5,00 €');
    await expect(text(page, '.balance')).resolves.toBe('5,00 €');
    const row = plainText(await page.locator('table tbody tr').first().textContent());
    expect(row).toContain('Magazine Petites Stars — décembre');
    expect(row).toContain('+5,00 €');
    await screenshot(page, 'member-coupons');
    await expectAccessible(page);
  });

  it('is told about a typo when one character of a code is wrong', async () => {
    const good = codes[1];
    const wrong = (good[0] === ALPHABET[0] ? ALPHABET[1] : ALPHABET[0]) + good.slice(1);
    await page.getByLabel('Code du coupon').fill(wrong);
    await clickAndWait(page, page.getByRole('button', { name: 'Créditer mon compte' }));
    await expect(page.locator('#f-code-err').textContent()).resolves.toContain('faute de frappe');
    await expect(page.getByLabel('Code du coupon').inputValue()).resolves.toBe(wrong);
    await expect(text(page, '.balance')).resolves.toBe('5,00 €');
    await screenshot(page, 'member-coupons-typo');
  });

  it('reads what the club holds, section by section, and downloads a copy as JSON', async () => {
    await page.goto(app.origin + '/compte');
    await expect(text(page, '.balance')).resolves.toBe('5,00 €');
    await clickAndWait(page, page.getByRole('link', { name: 'Voir mes données' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Mes données');
    await expect(page.getByRole('heading', { name: 'Transmissions à des tiers' }).count()).resolves.toBe(1);
    await expect(page.locator('#s-profil + p + dl').textContent()).resolves.toContain(email);
    await expectAccessible(page);
    await screenshot(page, 'member-my-data');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Télécharger mes données (JSON)' }).click(),
    ]);
    const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris' }).format(app.t.clock.now());
    expect(download.suggestedFilename()).toMatch(new RegExp(`^mes-donnees-M\\d{6}-${day}\\.json$`));
    const data = JSON.parse(await readFile(await download.path(), 'utf8'));
    expect(data.profil.email).toBe(email);
    expect(data.profil.firstName).toBe('Camille');
    expect(data.profil).not.toHaveProperty('passwordHash');
    expect(data.credit_solde_centimes).toBe(500);
    expect(data.coupons_utilises).toHaveLength(1);
  });

  it('deletes the account, giving up the remaining credit', async () => {
    await clickAndWait(page, page.getByRole('link', { name: 'Supprimer mon compte' }));
    expect(page.url()).toBe(app.origin + '/compte/suppression');
    await expect(page.locator('h1').textContent()).resolves.toBe('Supprimer mon compte');
    await expect(text(page, '.flash-error')).resolves.toContain('Il vous reste 5,00 € de crédit');
    await screenshot(page, 'member-delete');
    await expectAccessible(page);

    // Without giving up the credit explicitly, nothing is deleted.
    await page.getByLabel('Votre mot de passe, pour confirmer').fill(password);
    await clickAndWait(page, page.getByRole('button', { name: 'Supprimer définitivement mon compte' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Supprimer mon compte');
    const forfeit = page.getByRole('checkbox', { name: /Je renonce à mon crédit/ });
    await expect(forfeit.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.locator('#f-confirmForfeit-err').textContent()).resolves.toContain('renoncez à votre crédit');
    await screenshot(page, 'member-delete-errors');
    await expectAccessible(page);

    await page.getByLabel('Votre mot de passe, pour confirmer').fill(password);
    await forfeit.check();
    await clickAndWait(page, page.getByRole('button', { name: 'Supprimer définitivement mon compte' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Votre compte est supprimé');
    // Logged out: the header offers to log in again, and the session cookie is gone.
    await expect(page.getByRole('link', { name: 'Se connecter' }).count()).resolves.toBe(1);
    expect((await context.cookies()).filter((c) => c.name === 'cps.sid')).toEqual([]);
    await screenshot(page, 'member-deleted');

    const m = await app.t.deps.db.member.findFirst({ where: { email } });
    expect(m).toBeNull();
  });

  it('cannot log in any more with the same credentials', async () => {
    await login(page, email, password);
    expect(new URL(page.url()).pathname).toBe('/connexion');
    await expect(page.locator('.error-summary').textContent()).resolves.toContain(
      'Adresse électronique ou mot de passe incorrect.',
    );
  });

  it('never made a request outside the site', () => {
    expect(requests.length).toBeGreaterThan(20);
    expect(foreignRequests(requests, app.origin)).toEqual([]);
  });
});

describe('the staff side', () => {
  it('a staff member logs in and sees the coupon batches', async () => {
    const context = await newContext(browser);
    try {
      const { page, requests } = await openPage(context);
      await login(page, staff.email, staff.password);
      expect(page.url()).toBe(app.origin + '/gestion');
      await page.goto(app.origin + '/gestion/coupons');
      await expect(page.locator('h1').textContent()).resolves.toBe('Coupons');
      const row = plainText(await page.locator('table tbody tr').first().textContent());
      expect(row).toContain('Magazine Petites Stars — décembre');
      expect(row).toContain('5,00 €');
      await screenshot(page, 'staff-coupons');
      await expectAccessible(page);
      expect(foreignRequests(requests, app.origin)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
