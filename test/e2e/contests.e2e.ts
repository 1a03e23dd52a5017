// A member enters a contest in the browser, the draw runs, the member sees the result, and the
// "Vérifier le tirage" button recomputes the draw in the page (WebCrypto) — and refuses a draw
// whose list, seed or ranking was altered by one character.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createMember } from '../../src/dev/factories.ts';
import { addPrize, createContest, drawContest, enterContest, publishContest } from '../../src/contests/service.ts';
import { axeViolations, clickAndWait, describeViolations, launchBrowser, newContext, openPage, screenshot, startApp } from './helpers.ts';
import type { RunningApp } from './helpers.ts';

let app: RunningApp;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
const DAY = 24 * 3600_000;

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  context = await newContext(browser);
  ({ page, errors } = await openPage(context));
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

async function expectAccessible(p: Page) {
  const violations = await axeViolations(browser, p);
  expect(violations, describeViolations(violations)).toEqual([]);
}

async function login(email: string, password: string) {
  await page.goto(app.origin + '/connexion');
  await page.getByLabel('Adresse électronique').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await clickAndWait(page, page.getByRole('button', { name: 'Se connecter' }));
}

const mutate = (s: string) => s.slice(0, -1) + (s.endsWith('0') ? '1' : '0');

describe('a member enters, the draw runs, the result verifies in the browser', () => {
  const deps = () => app.t.deps;
  let slug: string;
  let contestId: string;
  let member: Awaited<ReturnType<typeof createMember>>;
  let staffId: string;
  let receipt: string;

  it('enters with one click and gets a receipt', async () => {
    const now = app.t.clock.now().getTime();
    staffId = (await createMember(deps(), {}, { role: 'STAFF' })).member.id;
    const c = await createContest(deps(), staffId, {
      title: 'Concours des étoiles', description: 'Une peluche à gagner.', question: null,
      opensAt: new Date(now - DAY), closesAt: new Date(now + 2 * DAY), drawAt: new Date(now + 3 * DAY), reserves: 2, claimDays: 30,
    });
    await addPrize(deps(), staffId, c.id, { name: 'Peluche étoile', quantity: 2, unitCostCents: 1500 });
    await publishContest(deps(), staffId, c.id);
    slug = c.slug;
    contestId = c.id;
    for (let i = 0; i < 8; i++) {
      const other = await createMember(deps(), { firstName: `Autre${i}` });
      await enterContest(deps(), other.member, slug, null);
    }
    member = await createMember(deps(), { firstName: 'Margaux', lastName: 'Étoile' });

    await page.goto(app.origin + '/concours');
    await expect(page.locator('h1').textContent()).resolves.toBe('Concours');
    await screenshot(page, 'contests-list-desktop');
    await expectAccessible(page);
    await login(member.email, member.password);
    await page.goto(app.origin + `/concours/${slug}`);
    await expectAccessible(page);
    await clickAndWait(page, page.getByRole('button', { name: 'Je participe' }));
    const flash = await page.locator('body').textContent();
    const m = /Votre reçu : ([0-9A-Z]{12})/.exec(flash ?? '');
    expect(m).not.toBeNull();
    receipt = m![1]!;
    await screenshot(page, 'contests-show-desktop');
    await page.goto(app.origin + '/compte/concours');
    await expect(page.locator('main').textContent()).resolves.toContain(receipt);
  });

  it('the draw runs; the member sees the result; "Vérifier le tirage" confirms it', async () => {
    const c0 = await deps().db.contest.findUniqueOrThrow({ where: { id: contestId } });
    app.t.clock.set(new Date(c0.closesAt.getTime() + 1000));
    await app.t.worker.drain();
    app.t.clock.set(new Date(c0.drawAt.getTime() + 1000));
    await drawContest(deps(), staffId, contestId);

    await login(member.email, member.password);
    await page.goto(app.origin + '/compte/concours');
    const mine = await page.locator('main').textContent();
    expect(mine).toMatch(/Gagné|Pas gagnant|Suppléant/);
    await screenshot(page, 'contests-member-desktop');
    await expectAccessible(page);

    await page.goto(app.origin + `/concours/${slug}/resultats`);
    await page.getByRole('button', { name: 'Vérifier le tirage' }).click();
    await page.locator('#verify-result.verify-ok').waitFor();
    await expect(page.locator('#verify-result').textContent()).resolves.toContain('Tirage vérifié');
    await page.getByLabel('Numéro de reçu').fill(receipt.toLowerCase());
    await page.getByRole('button', { name: 'Chercher' }).click();
    await expect(page.locator('#receipt-result')).toBeDefined();
    await page.waitForFunction(() => (document.getElementById('receipt-result')?.textContent ?? '').length > 0);
    await expect(page.locator('#receipt-result').textContent()).resolves.toContain('figure dans la liste');
    await screenshot(page, 'contests-results-desktop');
    await expectAccessible(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'contests-results-mobile');
    await page.setViewportSize({ width: 1280, height: 720 });
    expect(errors).toEqual([]);
  });

  it.each(['entries', 'seed', 'ranking'] as const)('the browser check refuses a draw whose %s was altered by one character', async (what) => {
    const res = await fetch(`${app.origin}/concours/${slug}/tirage.json`);
    const d = (await res.json()) as { entries: string[]; seed: string; ranking: string[] };
    const altered =
      what === 'seed' ? { ...d, seed: mutate(d.seed) }
      : what === 'entries' ? { ...d, entries: [mutate(d.entries[0]!), ...d.entries.slice(1)] }
      : { ...d, ranking: [mutate(d.ranking[0]!), ...d.ranking.slice(1)] };
    await page.route(`${app.origin}/concours/${slug}/tirage.json`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(altered) }));
    try {
      await page.goto(app.origin + `/concours/${slug}/resultats`);
      await page.getByRole('button', { name: 'Vérifier le tirage' }).click();
      await page.locator('#verify-result.verify-ko').waitFor();
      await expect(page.locator('#verify-result').textContent()).resolves.toContain('Échec de la vérification');
    } finally {
      await page.unroute(`${app.origin}/concours/${slug}/tirage.json`);
    }
  });
});
