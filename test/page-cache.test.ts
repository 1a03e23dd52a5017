// The public page cache (src/http/page-cache.ts, decision 0016): kept only for visitors without a
// session, emptied by any successful change made through this process, never personal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { createCategory, createProduct } from '../src/shop/service.ts';
import type { Response } from 'express';
import { keepRenderedPage, PageCache } from '../src/http/page-cache.ts';

describe('PageCache', () => {
  it('keeps a page for its time to live, then forgets it', () => {
    let now = 1000;
    const cache = new PageCache({ ttlMs: 5000, now: () => now });
    cache.set('/a', 'A');
    now += 4999;
    expect(cache.get('/a')?.body.toString()).toBe('A');
    now += 1;
    expect(cache.get('/a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries pages, dropping the oldest stored', () => {
    const cache = new PageCache({ ttlMs: 5000, maxEntries: 2, now: () => 0 });
    cache.set('/a', 'A');
    cache.set('/b', 'B');
    cache.set('/c', 'C');
    expect([cache.get('/a'), cache.get('/b'), cache.get('/c')].map((p) => p?.body.toString())).toEqual([undefined, 'B', 'C']);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  it('does not keep a page that starts a session, sets a cookie or is not a 200', () => {
    const cache = new PageCache({ ttlMs: 5000, now: () => 0 });
    const res = (statusCode: number, cookie?: string) =>
      ({ statusCode, locals: { pageCacheKey: '/p' }, getHeader: (h: string) => (h === 'Set-Cookie' ? cookie : undefined) }) as unknown as Response;
    keepRenderedPage(cache, res(200), 'form with its token', true);
    keepRenderedPage(cache, res(200, 'club.sid=x'), 'cookie', false);
    keepRenderedPage(cache, res(404), 'not found', false);
    expect(cache.size).toBe(0);
    keepRenderedPage(cache, res(200), 'public', false);
    expect(cache.get('/p')?.body.toString()).toBe('public');
  });
});

describe('public pages served from the cache', () => {
  let t: TestApp;
  let staff: Awaited<ReturnType<typeof createMember>>;
  let member: Awaited<ReturnType<typeof createMember>>;
  let categoryId: string;

  const product = (name: string, slug: string) =>
    createProduct(t.deps, staff.member.id, {
      name, slug, categoryId, description: '', priceCents: 1500, vatRateBp: 2000, stock: 3, weightGrams: 100, published: true,
    });

  beforeAll(async () => {
    t = await createTestApp({ config: { PAGE_CACHE_SECONDS: '600' } });
    staff = await createMember(t.deps, {}, { role: 'STAFF' });
    member = await createMember(t.deps, { firstName: 'Anaïs' });
    categoryId = (await createCategory(t.deps, staff.member.id, { slug: 'livres', name: 'Livres', description: '', position: 0 })).id;
    await product('Imagier des saisons', 'imagier-des-saisons');
  });
  afterAll(() => t.close());

  it('renders a page once for visitors without a session, then serves the same bytes without a cookie', async () => {
    const first = await request(t.app).get('/');
    const second = await request(t.app).get('/');
    expect(first.status).toBe(200);
    expect(first.headers['x-page-cache']).toBe('miss');
    expect(second.headers['x-page-cache']).toBe('hit');
    expect(second.text).toBe(first.text);
    expect(second.headers['set-cookie']).toBeUndefined();
    expect(second.headers['content-type']).toMatch(/^text\/html/);
    expect(second.headers['content-security-policy']).toBeTruthy();
    expect(second.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    // The kept page's ETag is the one Express gave the rendered page; the browser that has it gets a 304.
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(Number(second.headers['content-length'])).toBe(Buffer.byteLength(first.text));
    const again = await request(t.app).get('/').set('If-None-Match', first.headers.etag);
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
    const other = await request(t.app).get('/').set('If-None-Match', 'W/"0-autre"');
    expect(other.status).toBe(200);
    const head = await request(t.app).head('/');
    expect(head.status).toBe(200);
    expect(head.headers['x-page-cache']).toBe('hit');
    expect(head.text ?? '').toBe('');
  });

  it('keeps a shop page until a change goes through the site, then shows the change', async () => {
    const before = await request(t.app).get('/boutique');
    expect(before.text).toContain('Imagier des saisons');
    // Written behind the site's back (as another process would): the kept page does not show it yet.
    await product('Abécédaire des animaux', 'abecedaire-des-animaux');
    const stale = await request(t.app).get('/boutique');
    expect(stale.headers['x-page-cache']).toBe('hit');
    expect(stale.text).not.toContain('Abécédaire des animaux');
    // A refused form changes nothing and keeps the cache…
    const refused = await request(t.app).post('/connexion').type('form').send({ email: 'x', password: 'y' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect((await request(t.app).get('/boutique')).headers['x-page-cache']).toBe('hit');
    // …any successful change through this process (here a login) empties it.
    await loginAgent(t.app, staff.email, staff.password);
    const fresh = await request(t.app).get('/boutique');
    expect(fresh.headers['x-page-cache']).toBe('miss');
    expect(fresh.text).toContain('Abécédaire des animaux');
  });

  it('never serves a kept page to a member, nor keeps a member’s page', async () => {
    await request(t.app).get('/');
    const agent = await loginAgent(t.app, member.email, member.password);
    const own = await agent.get('/');
    expect(own.headers['x-page-cache']).toBeUndefined();
    expect(own.text).toContain('Mon compte');
    const anonymous = await request(t.app).get('/');
    expect(anonymous.text).not.toContain('Mon compte');
    expect(anonymous.text).not.toContain('Anaïs');
  });

  it('does not keep a page that is not found', async () => {
    await request(t.app).get('/produit/introuvable');
    const again = await request(t.app).get('/produit/introuvable');
    expect(again.status).toBe(404);
    expect(again.headers['x-page-cache']).toBe('miss');
  });
});

describe('without PAGE_CACHE_SECONDS (tests, development)', () => {
  it('renders every request', async () => {
    const t = await createTestApp();
    try {
      const r = await request(t.app).get('/');
      expect(r.headers['x-page-cache']).toBeUndefined();
      expect(t.deps.config.pageCacheSeconds).toBe(0);
    } finally {
      await t.close();
    }
  });
});
