// The public pages in a real browser: French content, accessibility, no third-party request
// and no cookie for an anonymous visitor until a form needs one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
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

const PAGES = [
  { path: '/', name: 'public-home', status: 200, heading: 'Bienvenue au Club Petites Stars' },
  { path: '/confidentialite', name: 'public-confidentialite', status: 200, heading: 'Politique de confidentialité' },
  { path: '/confidentialite/versions', name: 'public-confidentialite-versions', status: 200, heading: 'Versions de la politique de confidentialité' },
  { path: '/confidentialite/versions/2026-11-25', name: 'public-confidentialite-version-2026-11-25', status: 200, heading: 'Politique de confidentialité' },
  { path: '/mentions-legales', name: 'public-mentions-legales', status: 200, heading: 'Mentions légales' },
  { path: '/page-qui-n-existe-pas', name: 'public-404', status: 404, heading: 'Page introuvable' },
];

describe('public pages, anonymous visitor', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await newContext(browser);
  });
  afterAll(() => context?.close());

  for (const p of PAGES) {
    it(`${p.path} renders in French, is accessible and only talks to the site`, async () => {
      const { page, requests, errors } = await openPage(context);
      const res = await page.goto(app.origin + p.path);
      expect(res?.status()).toBe(p.status);
      expect(await page.getAttribute('html', 'lang')).toBe('fr');
      await expect(page.locator('h1').first().textContent()).resolves.toContain(p.heading);
      await expect(page.title()).resolves.toContain('Club Petites Stars');
      // The site's own style sheets really loaded (Pico sets the body font and the header layout).
      const sheets = await page.evaluate(() => Array.from(document.styleSheets).map((s) => s.href));
      expect(sheets).toEqual([`${app.origin}/static/pico/pico.min.css`, `${app.origin}/static/css/site.css`]);

      await screenshot(page, p.name);

      expect(requests.length).toBeGreaterThanOrEqual(3); // the page, its two style sheets…
      expect(requests[0]).toBe(app.origin + p.path);
      expect(foreignRequests(requests, app.origin)).toEqual([]);
      // Nothing blocked by the CSP, no script error (the 404 status itself is reported by the console).
      expect(errors.filter((e) => !(p.status === 404 && /status of 404/.test(e)))).toEqual([]);

      const violations = await axeViolations(browser, page);
      expect(violations, describeViolations(violations)).toEqual([]);
      await page.close();
    });
  }
});

describe('cookies', () => {
  it('an anonymous visit of every public page leaves no cookie at all', async () => {
    const context = await newContext(browser);
    try {
      const { page, requests } = await openPage(context);
      for (const p of PAGES) {
        const res = await page.goto(app.origin + p.path);
        expect(res?.status()).toBe(p.status);
      }
      // Following the footer links works too.
      await page.goto(app.origin + '/');
      const footer = page.getByRole('navigation', { name: 'Liens légaux' });
      await clickAndWait(page, footer.getByRole('link', { name: 'Mentions légales' }));
      await expect(page.locator('h1').textContent()).resolves.toBe('Mentions légales');
      await clickAndWait(page, footer.getByRole('link', { name: 'Politique de confidentialité' }));
      await expect(page.locator('h1').textContent()).resolves.toContain('Politique de confidentialité');
      expect(foreignRequests(requests, app.origin)).toEqual([]);
      expect(await context.cookies()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('the login page, which has a form, sets exactly one session cookie: cps.sid, HttpOnly, SameSite=Lax', async () => {
    const context = await newContext(browser);
    try {
      const { page, requests } = await openPage(context);
      await page.goto(app.origin + '/');
      expect(await context.cookies()).toEqual([]);
      await clickAndWait(page, page.getByRole('link', { name: 'Se connecter' }));
      expect(page.url()).toBe(app.origin + '/connexion');
      await expect(page.locator('h1').textContent()).resolves.toBe('Connexion');
      await screenshot(page, 'public-connexion');

      const cookies = await context.cookies();
      expect(cookies).toHaveLength(1);
      const [c] = cookies;
      expect(c.name).toBe('cps.sid');
      expect(c.httpOnly).toBe(true);
      expect(c.sameSite).toBe('Lax');
      expect(c.domain).toBe('127.0.0.1');
      expect(c.path).toBe('/');
      expect(foreignRequests(requests, app.origin)).toEqual([]);

      const violations = await axeViolations(browser, page);
      expect(violations, describeViolations(violations)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the versions of the privacy policy', () => {
  it('the policy page leads to the list, the list to each text; an archived text says it was replaced', async () => {
    const context = await newContext(browser);
    try {
      const { page, requests } = await openPage(context);
      await page.goto(app.origin + '/confidentialite');
      await clickAndWait(page, page.getByRole('link', { name: 'Versions précédentes' }));
      expect(new URL(page.url()).pathname).toBe('/confidentialite/versions');
      await clickAndWait(page, page.getByRole('link', { name: 'Version du 25 novembre 2026' }));
      expect(new URL(page.url()).pathname).toBe('/confidentialite/versions/2026-11-25');
      const banner = page.getByRole('complementary', { name: 'Version archivée' });
      await expect(banner.textContent()).resolves.toContain('Version du 25 novembre 2026, remplacée le 2 décembre 2026 par la version du 2 décembre 2026.');
      // The banner is above the archived text.
      const [bannerTop, headingTop] = await Promise.all([banner.boundingBox(), page.locator('h1').first().boundingBox()]);
      expect(bannerTop!.y).toBeLessThan(headingTop!.y);
      await clickAndWait(page, banner.getByRole('link', { name: 'Lire la politique de confidentialité en vigueur' }));
      expect(new URL(page.url()).pathname).toBe('/confidentialite');
      expect(foreignRequests(requests, app.origin)).toEqual([]);
      expect(await context.cookies()).toEqual([]);
    } finally {
      await context.close();
    }
  });

  for (const width of [1280, 375]) {
    it(`at ${width} px: no wider than the screen, no axe-core violation of any impact`, async () => {
      const context = await newContext(browser, { viewport: { width, height: 800 } });
      try {
        const { page } = await openPage(context);
        const found: string[] = [];
        for (const [path, name] of [
          ['/confidentialite/versions', 'confidentialite-versions'],
          ['/confidentialite/versions/2026-11-25', 'confidentialite-version-2026-11-25'],
          ['/confidentialite/versions/2026-12-02', 'confidentialite-version-2026-12-02'],
        ]) {
          expect((await page.goto(app.origin + path))?.status(), path).toBe(200);
          expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(width);
          await screenshot(page, `public-${name}-${width}`);
          const violations = await axeViolations(browser, page, { everyImpact: true });
          if (violations.length) found.push(`${path}\n${describeViolations(violations)}`);
        }
        expect(found.join('\n\n')).toBe('');
      } finally {
        await context.close();
      }
    });
  }
});
