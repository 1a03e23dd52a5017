// The member's own pages as a new member finds them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { ADDRESS, addToCart, checkoutForm, createProduct } from './helpers/shop.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

async function memberWithOrder(productName: string) {
  const m = await createMember(t.deps);
  const agent = await loginAgent(t.app, m.email, m.password);
  const product = await createProduct(t.deps, { name: productName, priceCents: 2100 });
  expect((await addToCart(agent, product.id, 2)).status).toBe(303);
  const form = await checkoutForm(agent);
  const placed = await agent.post('/commande').type('form').send({ ...ADDRESS, _csrf: form._csrf, nonce: form.nonce });
  expect(placed.status, placed.text.slice(0, 300)).toBe(303);
  const order = await t.deps.db.order.findFirstOrThrow({ where: { memberId: m.member.id } });
  return { ...m, agent, order };
}

describe('/compte', () => {
  it('links to every page of the member area the modules declare', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const page = await agent.get('/compte');
    expect(page.status).toBe(200);
    for (const href of ['/compte/commandes', '/compte/concours', '/compte/coupons', '/compte/donnees']) {
      expect(page.text, href).toContain(`href="${href}"`);
    }
    // From the registry: every member entry, with its label.
    for (const e of t.deps.registry.nav('member').filter((n) => n.href !== '/compte')) {
      expect(page.text, e.href).toMatch(new RegExp(`<a href="${e.href}"[^>]*>${e.label.replace(/’/g, '(’|&#39;)')}</a>`));
    }
  });
});

describe('/compte/suppression', () => {
  it('with an order awaiting payment, says so before asking for the password; the POST still refuses', async () => {
    const m = await memberWithOrder('Puzzle des étoiles');
    const page = await m.agent.get('/compte/suppression');
    expect(page.status).toBe(200);
    expect(page.text).toContain('tant qu’une commande attend son paiement ou sa livraison');
    expect(page.text).toContain(m.order.reference);
    expect(page.text).not.toContain('name="currentPassword"');
    expect(page.text).not.toContain('Supprimer définitivement mon compte');
    expect(page.text).toContain(`mailto:${t.deps.config.privacyEmail}`);
    // A POST all the same (an old tab, a race with the checkout) is refused by the eraser.
    const del = await m.agent.post('/compte/suppression').type('form').send({ _csrf: csrfOf(page.text), currentPassword: m.password });
    expect(del.status).toBe(409);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: m.member.id } })).erasedAt).toBeNull();
  });

  it('without a blocking order, shows the form', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const page = await agent.get('/compte/suppression');
    expect(page.text).toContain('name="currentPassword"');
    expect(page.text).toContain('Supprimer définitivement mon compte');
  });

  it('after the deletion, redirects to a confirmation page that can be reloaded', async () => {
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    const del = await postForm(agent, '/compte/suppression', '/compte/suppression', { currentPassword: m.password });
    expect(del.status).toBe(303);
    expect(del.headers.location).toBe('/compte-supprime');
    const shown = await agent.get(del.headers.location);
    expect(shown.status).toBe(200);
    expect(shown.text).toContain('Votre compte est supprimé');
    expect(shown.text).toContain('Se connecter');
    const again = await agent.get('/compte-supprime');
    expect(again.status).toBe(200);
    expect(again.text).toContain('Votre compte est supprimé');
    // Public: no session needed.
    expect((await request(t.app).get('/compte-supprime')).status).toBe(200);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: m.member.id } })).erasedAt).not.toBeNull();
  });
});
