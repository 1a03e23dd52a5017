// The error summary of a refused form in a real browser: it has the focus when the page loads, a
// link of it (followed from the keyboard or with the mouse) puts the focus on the invalid input,
// and axe-core finds nothing on the page with errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createMember } from '../../src/dev/factories.ts';
import { axeViolations, clickAndWait, describeViolations, foreignRequests, launchBrowser, newContext, openPage, screenshot, startApp } from './helpers.ts';
import type { RunningApp } from './helpers.ts';

let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

/** The focused element, as the tests compare it. */
function focused(page: Page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase(), id: el?.id ?? '', className: el?.className ?? '', invalid: el?.getAttribute('aria-invalid') ?? null, text: el?.textContent?.trim() ?? '' };
  });
}

async function expectAccessible(page: Page) {
  const violations = await axeViolations(browser, page);
  expect(violations, describeViolations(violations)).toEqual([]);
  // The rules the site's member pages check at every impact (member-pages.e2e.ts).
  const named = await axeViolations(browser, page, { rules: ['landmark-unique', 'heading-order', 'aria-allowed-role'] });
  expect(named, describeViolations(named)).toEqual([]);
}

async function login(page: Page, email: string, password: string) {
  await page.goto(app.origin + '/connexion');
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await clickAndWait(page, page.getByRole('button', { name: 'Se connecter' }));
}

describe('a refused form on /compte (three forms on the page)', () => {
  let context: BrowserContext;
  let page: Page;
  let requests: string[];

  beforeAll(async () => {
    const m = await createMember(app.t.deps);
    context = await newContext(browser);
    ({ page, requests } = await openPage(context));
    await login(page, m.email, m.password);
    expect(new URL(page.url()).pathname).toBe('/compte');
  });
  afterAll(() => context?.close());

  it('the summary has the focus when the page loads', async () => {
    const section = page.locator('section[aria-labelledby="h-password"]');
    await section.getByLabel('Nouveau mot de passe').fill('court');
    await clickAndWait(page, page.getByRole('button', { name: 'Changer de mot de passe' }));
    expect(new URL(page.url()).pathname).toBe('/compte/mot-de-passe');
    await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
    const f = await focused(page);
    expect(f.className).toContain('error-summary');
    expect(f.text).toContain('Le formulaire contient 3 erreurs :');
    await screenshot(page, 'form-errors-compte-summary');
  });

  it('Tab then Enter on the first link puts the focus on the password form’s invalid input', async () => {
    await page.keyboard.press('Tab');
    const link = await focused(page);
    expect(link.tag).toBe('a');
    expect(link.text).toBe('Saisissez votre mot de passe actuel.');
    await page.keyboard.press('Enter');
    const input = await focused(page);
    expect(input).toMatchObject({ tag: 'input', id: 'f-password-currentPassword', invalid: 'true' });
  });

  it('a click on another link focuses its input too', async () => {
    await page.locator('.error-summary a').nth(1).click();
    expect(await focused(page)).toMatchObject({ tag: 'input', id: 'f-password', invalid: 'true' });
  });

  it('axe-core finds no violation on the page with errors', async () => {
    await expectAccessible(page);
  });

  it('the script is the site’s own (no request elsewhere)', () => {
    expect(requests.some((r) => r.endsWith('/static/js/form-errors.js'))).toBe(true);
    expect(foreignRequests(requests, app.origin)).toEqual([]);
  });
});

describe('a refused staff form (credit adjustment)', () => {
  it('focus on the summary, then on the invalid field its first link names; no axe violation', async () => {
    const staff = await createMember(app.t.deps, {}, { role: 'STAFF' });
    const context = await newContext(browser);
    try {
      const { page } = await openPage(context);
      await login(page, staff.email, staff.password);
      await page.goto(app.origin + '/gestion/credit');
      await page.getByLabel('Numéro de membre').fill('abc');
      await page.getByLabel('Montant (€)').fill('5,00');
      await page.getByLabel('Motif').fill('Geste commercial');
      await clickAndWait(page, page.getByRole('button', { name: 'Enregistrer l’ajustement' }));
      await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
      expect((await focused(page)).text).toContain('Le formulaire contient une erreur :');
      await page.locator('.error-summary a').first().click();
      expect(await focused(page)).toMatchObject({ tag: 'input', id: 'f-memberNumber', invalid: 'true' });
      await expectAccessible(page);
    } finally {
      await context.close();
    }
  });
});
