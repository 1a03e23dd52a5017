// The member's own pages as a new member finds them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t?.close());

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
