// Walks the app's whole route table and checks every route against the role matrix:
// the area is read from the path prefix, the expected roles from the matrix below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { routeTable } from '../src/http/route-table.ts';
import { AREA_PREFIX } from '../src/core/module.ts';
import { AREA_ROLES } from '../src/http/auth.ts';
import type { GuardedArea } from '../src/core/module.ts';

type Who = 'anonymous' | 'MEMBER' | 'STAFF' | 'ACCOUNTANT' | 'ADMIN';
const EVERYONE: Who[] = ['anonymous', 'MEMBER', 'STAFF', 'ACCOUNTANT', 'ADMIN'];
const MATRIX: [RegExp, Who[]][] = [
  [/^\/compte(\/|$)/, ['MEMBER', 'STAFF', 'ACCOUNTANT', 'ADMIN']],
  [/^\/gestion(\/|$)/, ['STAFF', 'ADMIN']],
  [/^\/comptabilite(\/|$)/, ['ACCOUNTANT', 'ADMIN']],
  [/^\/admin(\/|$)/, ['ADMIN']],
  // The checkout: a members' page at the address issue 10 gives it, guarded inside its public router.
  [/^\/commande$/, ['MEMBER', 'STAFF', 'ACCOUNTANT', 'ADMIN']],
];
const MEMBER_PAGES_AT_ROOT = ['/commande'];
const allowed = (path: string): Who[] => MATRIX.find(([re]) => re.test(path))?.[1] ?? EVERYONE;
const concrete = (path: string) => path.replace(/:[a-zA-Z]+/g, '00000000-0000-4000-8000-000000000000');

let t: TestApp;
const agents = new Map<Who, { agent: ReturnType<typeof request.agent>; token: string }>();
beforeAll(async () => {
  t = await createTestApp();
  for (const who of EVERYONE) {
    if (who === 'anonymous') {
      const agent = request.agent(t.app);
      agents.set(who, { agent, token: csrfOf((await agent.get('/connexion')).text) });
      continue;
    }
    const m = await createMember(t.deps, {}, { role: who });
    const agent = await loginAgent(t.app, m.email, m.password);
    agents.set(who, { agent, token: csrfOf((await agent.get('/compte')).text) });
  }
});
afterAll(() => t.close());

describe('role matrix', () => {
  it('the route table covers every area', () => {
    const paths = routeTable(t.app).map((r) => r.path);
    for (const prefix of ['/compte', '/gestion', '/admin', '/connexion', '/confidentialite']) {
      expect(paths.some((p) => p.startsWith(prefix)), prefix).toBe(true);
    }
  });

  it('each route sits behind the guard of the area its module declared, under that area\'s prefix', () => {
    const table = routeTable(t.app);
    // The guard each route sits behind lets in the roles this test's matrix expects for its path.
    for (const r of table.filter((x) => x.area !== 'public')) expect([...AREA_ROLES[r.area as GuardedArea]].sort(), r.path).toEqual([...allowed(r.path)].sort());
    for (const r of table.filter((x) => x.area !== 'public')) expect(r.path.startsWith(AREA_PREFIX[r.area as GuardedArea]), r.path).toBe(true);
    // No public route is mounted under a guarded prefix: the areas are mounted first (app.ts), such a
    // route would never be reached.
    for (const r of table.filter((x) => x.area === 'public' && !MEMBER_PAGES_AT_ROOT.includes(x.path))) expect(allowed(r.path), r.path).toEqual(EVERYONE);
    // Every module's declared areas appear in the table.
    for (const m of t.deps.registry.modules) {
      for (const area of Object.keys(m.routes ?? {})) expect(table.some((r) => r.area === area), `${m.name} ${area}`).toBe(true);
    }
  });

  it('every route lets in exactly the roles the matrix allows', async () => {
    const routes = routeTable(t.app).filter((r) => !['/deconnexion'].includes(r.path));
    const failures: string[] = [];
    let checked = 0;
    for (const route of routes) {
      const ok = allowed(route.path);
      for (const who of EVERYONE) {
        const { agent, token } = agents.get(who)!;
        const url = concrete(route.path);
        const res = route.method === 'GET' ? await agent.get(url) : await agent.post(url).type('form').send({ _csrf: token });
        checked++;
        const sentToLogin = res.status === 303 && String(res.headers.location).startsWith('/connexion');
        const refused = res.status === 403 || sentToLogin;
        if (ok.includes(who) && refused) failures.push(`${route.method} ${route.path} refused ${who} (${res.status})`);
        if (!ok.includes(who)) {
          const expected = who === 'anonymous' ? sentToLogin : res.status === 403;
          if (!expected) failures.push(`${route.method} ${route.path} let ${who} in (${res.status})`);
        }
        if (res.status >= 500) failures.push(`${route.method} ${route.path} as ${who}: ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });
});
