// Checkout under concurrency, on PostgreSQL (PGlite runs one transaction at a time).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { onPostgres } from './helpers/db.ts';
import { balanceOf, ledgerSum } from '../src/credit/ledger.ts';
import { ADDRESS, addToCart, createProduct, giveCredit } from './helpers/shop.ts';

let t: TestApp;
beforeAll(async () => {
  if (!onPostgres) return;
  t = await createTestApp();
});
afterAll(() => t?.close());

/** Members sharing one password hash (one argon2 hash instead of 200), each logged in for real. */
async function manyMembers(n: number) {
  const first = await createMember(t.deps);
  const now = t.clock.now();
  const rows = Array.from({ length: n - 1 }, (_, i) => ({
    email: `course${i}-${first.member.id.slice(0, 8)}@exemple.fr`,
    passwordHash: first.member.passwordHash,
    firstName: 'Lou', lastName: 'Durand', addressLine1: '1 rue de la Course', postcode: '75011', city: 'Paris', country: 'FR',
    emailConfirmedAt: now, createdAt: now, lastActiveAt: now,
  }));
  await t.deps.db.member.createMany({ data: rows });
  const members = await t.deps.db.member.findMany({ where: { OR: [{ id: first.member.id }, { email: { in: rows.map((r) => r.email!) } }] } });
  return members.map((m) => ({ member: m, email: m.email!, password: first.password }));
}

describe.runIf(onPostgres)('checkout races', () => {
  it('200 members checking out at once on a product with 50 units: exactly 50 orders, stock 0, no 5xx, credit ledger = balances', async () => {
    const product = await createProduct(t.deps, { stock: 50, priceCents: 1000, vatRateBp: 550 });
    const members = await manyMembers(200);
    const ready: { agent: ReturnType<typeof request.agent>; body: Record<string, string>; memberId: string }[] = [];
    for (let i = 0; i < members.length; i += 20) {
      ready.push(
        ...(await Promise.all(
          members.slice(i, i + 20).map(async (m) => {
            await giveCredit(t.deps, m.member.id, 300);
            const agent = await loginAgent(t.app, m.email, m.password);
            expect((await addToCart(agent, product.id, 1)).status).toBe(303);
            const page = await agent.get('/commande');
            const nonce = /name="nonce" value="([^"]+)"/.exec(page.text)![1];
            return { agent, memberId: m.member.id, body: { ...ADDRESS, _csrf: csrfOf(page.text), nonce } };
          }),
        )),
      );
    }
    const started = performance.now();
    const results = await Promise.all(ready.map((r) => r.agent.post('/commande').type('form').send(r.body)));
    const seconds = (performance.now() - started) / 1000;
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s === 303)).toHaveLength(50);
    // Refused: 422 when the cart check already sees the stock gone, 409 when the conditional update does.
    expect(statuses.filter((s) => s === 422 || s === 409)).toHaveLength(150);
    for (const r of results.filter((x) => x.status !== 303)) expect(r.text).toMatch(/n’est plus disponible|épuisé|il n’en reste que/);
    expect((await t.deps.db.product.findUniqueOrThrow({ where: { id: product.id } })).stock).toBe(0);
    const orders = await t.deps.db.order.findMany({ where: { lines: { some: { productId: product.id } } }, include: { lines: true } });
    expect(orders).toHaveLength(50);
    expect(orders.reduce((s, o) => s + o.lines.reduce((q, l) => q + l.quantity, 0), 0)).toBe(50);
    // Invoice numbers are gapless: 50 consecutive numbers.
    const numbers = orders.map((o) => o.invoiceNumber).sort((a, b) => a - b);
    expect(numbers[numbers.length - 1] - numbers[0]).toBe(49);
    const buyers = new Set(orders.map((o) => o.memberId));
    for (const r of ready) {
      const balance = await balanceOf(t.deps.db, r.memberId);
      expect(balance).toBe(await ledgerSum(t.deps.db, r.memberId));
      expect(balance).toBe(buyers.has(r.memberId) ? 0 : 300);
    }
    for (const o of orders) expect(o).toMatchObject({ creditUsedCents: 300, totalCents: 1690, dueCents: 1390 });
    // The journal: one sale entry per order, every entry balanced, the whole journal balanced, numbers gapless.
    const entries = await t.deps.db.journalEntry.findMany({ where: { idempotencyKey: { in: orders.map((o) => `order-invoiced:${o.id}`) } }, include: { lines: true } });
    expect(entries).toHaveLength(50);
    for (const e of entries) expect(e.lines.reduce((s, l) => s + l.debitCents - l.creditCents, 0)).toBe(0);
    const totals = await t.deps.db.journalLine.aggregate({ _sum: { debitCents: true, creditCents: true } });
    expect(totals._sum.debitCents).toBe(totals._sum.creditCents);
    const all = (await t.deps.db.journalEntry.findMany({ select: { number: true }, orderBy: { number: 'asc' } })).map((e) => e.number);
    expect(all[all.length - 1] - all[0]).toBe(all.length - 1);
    // Stated in the report: checkouts per second through HTTP, with 150 refused in the same burst.
    process.stderr.write(`[orders-races] 200 concurrent checkouts in ${seconds.toFixed(2)} s: ${(200 / seconds).toFixed(1)} requests/s, ${(50 / seconds).toFixed(1)} orders/s\n`);
  }, 600_000);

  it('the same checkout form posted 5 times at once gives one order', async () => {
    const product = await createProduct(t.deps, { stock: 10 });
    const m = await createMember(t.deps);
    const agent = await loginAgent(t.app, m.email, m.password);
    await addToCart(agent, product.id, 2);
    const page = await agent.get('/commande');
    const body = { ...ADDRESS, _csrf: csrfOf(page.text), nonce: /name="nonce" value="([^"]+)"/.exec(page.text)![1] };
    const results = await Promise.all(Array.from({ length: 5 }, () => agent.post('/commande').type('form').send(body)));
    expect(results.map((r) => r.status)).toEqual([303, 303, 303, 303, 303]);
    expect(new Set(results.map((r) => r.headers.location)).size).toBe(1);
    expect(await t.deps.db.order.count({ where: { memberId: m.member.id } })).toBe(1);
    expect((await t.deps.db.product.findUniqueOrThrow({ where: { id: product.id } })).stock).toBe(8);
  });
});
