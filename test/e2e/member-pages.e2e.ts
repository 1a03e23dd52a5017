// A new member's walk through the site in a real browser: no page wider than a 375 px phone, and
// the axe-core rules the walkthrough reported (landmark-unique, heading-order, aria-allowed-role:
// moderate or minor, which the other journeys' check leaves out) on the pages it reported them on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, clickAndWait, describeViolations, launchBrowser, newContext, openPage, screenshot, startApp } from './helpers.ts';
import type { RunningApp } from './helpers.ts';
import { seedCatalogue } from '../../src/shop/seed.ts';
import { createMember } from '../../src/dev/factories.ts';
import { ADDRESS, addToCart, checkoutForm } from '../helpers/shop.ts';
import { loginAgent } from '../helpers/app.ts';

let app: RunningApp;
let browser: Browser;
let member: Awaited<ReturnType<typeof createMember>>;

beforeAll(async () => {
  app = await startApp();
  await seedCatalogue(app.t.deps);
  browser = await launchBrowser();
  // A member with an order awaiting payment (its lines on "Mes données", the deletion refused),
  // whose new address is not confirmed yet (the notice on "Mon compte").
  member = await createMember(app.t.deps);
  const agent = await loginAgent(app.t.app, member.email, member.password);
  const product = await app.t.deps.db.product.findFirstOrThrow({ where: { published: true, stock: { gt: 0 } } });
  expect((await addToCart(agent, product.id, 2)).status).toBe(303);
  const form = await checkoutForm(agent);
  expect((await agent.post('/commande').type('form').send({ ...ADDRESS, _csrf: form._csrf, nonce: form.nonce })).status).toBe(303);
  await app.t.deps.db.member.update({ where: { id: member.member.id }, data: { emailConfirmedAt: null } });
  expect((await request(app.t.app).get('/')).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
});

async function loggedIn(width: number): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser, { viewport: { width, height: 800 } });
  const { page } = await openPage(context);
  await page.goto(app.origin + '/connexion');
  await page.getByLabel('Adresse électronique').fill(member.email);
  await page.getByLabel('Mot de passe').fill(member.password);
  await clickAndWait(page, page.getByRole('button', { name: 'Se connecter' }));
  expect(new URL(page.url()).pathname).toBe('/compte');
  return { context, page };
}

const PAGES = ['/', '/boutique', '/compte', '/compte/donnees', '/compte/suppression'];

describe('at 375 px', () => {
  it('no page is wider than the screen', async () => {
    const { context, page } = await loggedIn(375);
    try {
      const widths: Record<string, number> = {};
      for (const path of PAGES) {
        expect((await page.goto(app.origin + path))?.status(), path).toBe(200);
        widths[path] = await page.evaluate(() => document.documentElement.scrollWidth);
        await screenshot(page, `member-pages-375${path === '/' ? '-accueil' : path.replace(/\//g, '-')}`);
      }
      expect(Object.entries(widths).filter(([, w]) => w > 375)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('axe-core', () => {
  it('landmark-unique, heading-order and aria-allowed-role hold on the pages the walkthrough reported', async () => {
    const { context, page } = await loggedIn(1280);
    try {
      const found: string[] = [];
      for (const path of PAGES) {
        await page.goto(app.origin + path);
        const violations = await axeViolations(browser, page, { rules: ['landmark-unique', 'heading-order', 'aria-allowed-role'] });
        if (violations.length) found.push(`${path}\n${describeViolations(violations)}`);
        await screenshot(page, `member-pages-1280${path === '/' ? '-accueil' : path.replace(/\//g, '-')}`);
      }
      expect(found.join('\n\n')).toBe('');
    } finally {
      await context.close();
    }
  });
});

describe('"Mes données" at 375 px', () => {
  it('its tables scroll sideways instead of squeezing their columns, and each scrolling box takes the keyboard focus', async () => {
    // A hand-over of the order: a table of transmissions inside the order's record.
    const order = await app.t.deps.db.order.findFirstOrThrow({ where: { memberId: member.member.id } });
    await app.t.deps.db.orderDisclosure.create({ data: { orderId: order.id, recipient: 'Transporteur', data: 'nom, adresse de livraison', purpose: 'livraison', at: order.createdAt } });
    const { context, page } = await loggedIn(375);
    try {
      expect((await page.goto(app.origin + '/compte/donnees'))?.status()).toBe(200);
      await screenshot(page, 'member-pages-375-donnees-tables');
      const cells = await page.evaluate(() => [...document.querySelectorAll('main td')].map((td) => Math.round(td.getBoundingClientRect().width)));
      expect(cells.length).toBeGreaterThan(10);
      expect(cells.filter((w) => w < 100)).toEqual([]);
      const boxes = await page.evaluate(() => [...document.querySelectorAll('.table-scroll')].map((d) => `${d.getAttribute('role')} ${d.getAttribute('tabindex')} ${d.getAttribute('aria-label')}`));
      expect(boxes.some((b) => b.startsWith('group 0 '))).toBe(true);
      expect(boxes.filter((b) => !/^(region|group) 0 \S/.test(b))).toEqual([]);
      const violations = await axeViolations(browser, page, { everyImpact: true });
      expect(describeViolations(violations)).toBe('');
    } finally {
      await context.close();
    }
  });
});

describe('the shop search at 375 px', () => {
  it('shows its whole example text inside the box, beside its button', async () => {
    const context = await newContext(browser, { viewport: { width: 375, height: 800 } });
    const { page } = await openPage(context);
    try {
      expect((await page.goto(app.origin + '/boutique'))?.status()).toBe(200);
      const fit = await page.locator('main [role=search] input[type=search]').evaluate((input: HTMLInputElement) => {
        const style = getComputedStyle(input);
        const canvas = document.createElement('canvas').getContext('2d')!;
        canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        return { placeholder: input.placeholder, text: Math.ceil(canvas.measureText(input.placeholder).width), room: Math.floor(room) };
      });
      expect(fit.placeholder.length).toBeGreaterThan(0);
      expect(fit.text, JSON.stringify(fit)).toBeLessThanOrEqual(fit.room);
      const [input, button] = await Promise.all([page.locator('main [role=search] input').boundingBox(), page.locator('main [role=search] button').boundingBox()]);
      expect(Math.abs(input!.y - button!.y)).toBeLessThan(2);
    } finally {
      await context.close();
    }
  });
});
