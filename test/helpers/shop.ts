// Products for the order tests, written directly (the catalogue's own services are another domain).
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import type { Deps } from '../../src/deps.ts';
import { postCredit } from '../../src/credit/ledger.ts';
import { csrfOf } from './app.ts';
import { sortNameOf } from '../../src/shop/search.ts';

export async function createProduct(deps: Deps, o: { priceCents?: number; vatRateBp?: number; stock?: number; weightGrams?: number; name?: string; published?: boolean } = {}) {
  const now = deps.clock.now();
  const tag = randomUUID().slice(0, 8);
  const category = await deps.db.category.upsert({
    where: { slug: 'tests' },
    create: { slug: 'tests', name: 'Tests', createdAt: now, updatedAt: now },
    update: {},
  });
  const name = o.name ?? `Album illustré ${tag}`;
  return deps.db.product.create({
    data: {
      slug: `produit-${tag}`,
      name,
      sortName: sortNameOf(name),
      categoryId: category.id,
      priceCents: o.priceCents ?? 1290,
      vatRateBp: o.vatRateBp ?? 550,
      stock: o.stock ?? 10,
      weightGrams: o.weightGrams ?? 400,
      published: o.published ?? true,
      createdAt: now,
      updatedAt: now,
    },
  });
}

export async function giveCredit(deps: Deps, memberId: string, cents: number) {
  await deps.db.$transaction((tx) =>
    postCredit(tx, { memberId, amountCents: cents, kind: 'ADJUSTMENT', label: 'Dotation de test', idempotencyKey: `test-fund-${randomUUID()}`, at: deps.clock.now() }),
  );
}

/** Adds to the cart as the product page's form does: no token, same-origin headers. */
export function addToCart(agent: ReturnType<typeof request.agent>, productId: string, quantity = 1) {
  return agent.post('/panier/ajouter').set('Origin', 'http://club.test').type('form').send({ produit: productId, quantite: String(quantity) });
}

/** The checkout form's token and nonce. */
export async function checkoutForm(agent: ReturnType<typeof request.agent>) {
  const page = await agent.get('/commande');
  if (page.status !== 200) throw new Error(`checkout page: ${page.status} ${page.text.slice(0, 200)}`);
  return { _csrf: csrfOf(page.text), nonce: /name="nonce" value="([^"]+)"/.exec(page.text)![1], page };
}

export const ADDRESS = { firstName: 'Camille', lastName: 'Martin', addressLine1: '12 rue des Lilas', addressLine2: '', postcode: '69003', city: 'Lyon', country: 'FR', phone: '0612345678', acceptCgv: 'on' };

export function agentOf(app: Express) {
  return request.agent(app);
}
