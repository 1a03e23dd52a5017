// The newsletter journey in the browser, against the local fake Mailchimp: opt in at registration →
// the fake shows the contact → unsubscribe via Mailchimp's webhook → the account shows
// "désinscrit" → delete the account → the fake is empty. Also the unsubscribe link and the admins' page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createMember } from '../../src/dev/factories.ts';
import { FakeMailchimp } from '../../src/newsletter/fake-mailchimp.ts';
import { subscriberHash } from '../../src/newsletter/mailchimp.ts';
import { unsubscribeToken } from '../../src/newsletter/token.ts';
import { axeViolations, clickAndWait, describeViolations, foreignRequests, launchBrowser, newContext, openPage, screenshot, startApp } from './helpers.ts';
import type { RunningApp } from './helpers.ts';
import { lastMailTo } from '../helpers/mail.ts';

const SECRET = 'e2e-webhook-secret-0123456789';
let app: RunningApp;
let fake: FakeMailchimp;
let browser: Browser;

beforeAll(async () => {
  fake = await new FakeMailchimp({ apiKey: 'e2e-key-us9', listId: 'e2elist' }).start();
  app = await startApp({
    config: { MAILCHIMP_API_KEY: fake.opts.apiKey, MAILCHIMP_LIST_ID: fake.opts.listId, MAILCHIMP_BASE_PATH: fake.url, MAILCHIMP_WEBHOOK_SECRET: SECRET },
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await fake?.stop();
});

async function expectAccessible(page: Page) {
  const violations = await axeViolations(browser, page);
  expect(violations, describeViolations(violations)).toEqual([]);
}

const state = (page: Page) => page.locator('[data-newsletter-state]').getAttribute('data-newsletter-state');

describe('newsletter: from opt-in at registration to erasure at Mailchimp', () => {
  const email = `lea.lettre.${process.pid}@exemple.fr`;
  const password = 'les étoiles brillent sur la mer';
  let context: BrowserContext;
  let page: Page;
  let requests: string[];

  beforeAll(async () => {
    context = await newContext(browser);
    ({ page, requests } = await openPage(context));
  });
  afterAll(() => context?.close());

  it('opts in at registration (unticked by default) and confirms the address', async () => {
    await page.goto(app.origin + '/inscription');
    await page.getByLabel('Prénom').fill('Léa');
    await page.getByLabel('Nom', { exact: true }).fill('Lettre');
    await page.getByLabel('Adresse', { exact: true }).fill('3 rue du Port');
    await page.getByLabel('Code postal').fill('13002');
    await page.getByLabel('Ville').fill('Marseille');
    await page.getByLabel('Adresse électronique').fill(email);
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('checkbox', { name: /conditions d’utilisation/ }).check();
    const optIn = page.getByRole('checkbox', { name: /lettre d’information/ });
    await expect(optIn.isChecked()).resolves.toBe(false);
    await optIn.check();
    await clickAndWait(page, page.getByRole('button', { name: 'Créer mon compte' }));
    expect(page.url()).toBe(app.origin + '/inscription/verifiez-vos-courriels');
    // Not confirmed yet: nothing goes to Mailchimp.
    await app.t.worker.drain();
    expect(fake.members.size).toBe(0);

    const mail = await lastMailTo(app.t, email);
    const link = new URL(/http:\/\/club\.test\/inscription\/confirmer\?jeton=[\w-]+/.exec(mail!.text)![0]);
    await page.goto(app.origin + link.pathname + link.search);
    await clickAndWait(page, page.getByRole('button', { name: 'Confirmer mon adresse' }));
    expect(page.url()).toBe(app.origin + '/connexion');
  });

  it('the account shows "en attente de confirmation", then "inscrit" once the fake Mailchimp has the contact', async () => {
    await page.getByLabel('Adresse électronique').fill(email);
    await page.getByLabel('Mot de passe').fill(password);
    await clickAndWait(page, page.getByRole('button', { name: 'Se connecter' }));
    await page.goto(app.origin + '/compte/newsletter');
    await expect(state(page)).resolves.toBe('en attente de confirmation');

    await app.t.worker.drain();
    // The address and the status only (decision 0076).
    expect(fake.members.get(subscriberHash(email))).toMatchObject({ email_address: email, status: 'subscribed', merge_fields: {} });
    await page.reload();
    await expect(state(page)).resolves.toBe('inscrit');
    await screenshot(page, 'newsletter-member');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'newsletter-member-mobile');
    await expectAccessible(page);
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('an unsubscribe at Mailchimp comes back through the webhook: the account shows "désinscrit"', async () => {
    expect(await fake.fireWebhook(`${app.origin}/webhooks/mailchimp/wrong-secret-000000000`, 'unsubscribe', { email })).toBe(404);
    expect(await fake.fireWebhook(`${app.origin}/webhooks/mailchimp/${SECRET}`, 'unsubscribe', { email, reason: 'manual' })).toBe(200);
    await page.reload();
    await expect(state(page)).resolves.toBe('désinscrit');
    await expect(page.getByRole('button', { name: 'M’inscrire' }).count()).resolves.toBe(1);
  });

  it('deleting the account leaves the fake Mailchimp empty', async () => {
    await page.goto(app.origin + '/compte/suppression');
    await page.getByLabel('Votre mot de passe, pour confirmer').fill(password);
    await clickAndWait(page, page.getByRole('button', { name: 'Supprimer définitivement mon compte' }));
    await expect(page.locator('h1').textContent()).resolves.toBe('Votre compte est supprimé');
    await app.t.worker.drain();
    expect(fake.members.size).toBe(0);
    expect(fake.dump().toLowerCase()).not.toContain(email);
    expect(foreignRequests(requests, app.origin)).toEqual([]);
  });
});

describe('newsletter pages', () => {
  it('the unsubscribe link and the admins’ page (screenshots, accessibility)', async () => {
    const m = await createMember(app.t.deps, { firstName: 'Paul' });
    const context = await newContext(browser);
    const { page } = await openPage(context);
    const path = `/newsletter/desinscription/${unsubscribeToken(app.t.deps, m.member.id)}`;
    await page.goto(app.origin + path);
    await expect(page.locator('h1').textContent()).resolves.toBe('Désinscription de la lettre d’information');
    await screenshot(page, 'newsletter-unsubscribe');
    await expectAccessible(page);
    await clickAndWait(page, page.getByRole('button', { name: 'Me désinscrire' }));
    await expect(page.getByRole('status').textContent()).resolves.toContain('Vous êtes désinscrit');
    await context.close();

    const admin = await createMember(app.t.deps, {}, { role: 'ADMIN' });
    const ac = await newContext(browser);
    const { page: ap } = await openPage(ac);
    await ap.goto(app.origin + '/connexion');
    await ap.getByLabel('Adresse électronique').fill(admin.email);
    await ap.getByLabel('Mot de passe').fill(admin.password);
    await clickAndWait(ap, ap.getByRole('button', { name: 'Se connecter' }));
    await ap.goto(app.origin + '/admin/newsletter');
    await expect(ap.locator('h1').textContent()).resolves.toBe('Lettre d’information (Mailchimp)');
    await screenshot(ap, 'newsletter-admin');
    await ap.setViewportSize({ width: 390, height: 844 });
    await screenshot(ap, 'newsletter-admin-mobile');
    await expectAccessible(ap);
    await ac.close();
  });
});
