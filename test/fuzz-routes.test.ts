// Walks the app's whole route table (every route, every method it accepts, anonymous and logged in
// as each role) and sends each class of malformed input: NUL bytes, repeated fields, numbers and
// dates out of range, malformed percent-encodings, unreadable bodies, too large or too many fields.
// A client's mistake must never be a 5xx nor an error-level log line. New routes, new forms and new
// query parameters are covered by construction: routes come from routeTable(app), field names from
// the forms the pages show, query parameter names from the handlers' source.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { batchInput, createBatchWithCodes, createMember } from '../src/dev/factories.ts';
import { createBatch } from '../src/coupons/service.ts';
import { issueToken } from '../src/accounts/tokens.ts';
import { routeTable } from '../src/http/route-table.ts';
import type { RouteEntry } from '../src/http/route-table.ts';

type Who = 'anonymous' | 'MEMBER' | 'STAFF' | 'ACCOUNTANT' | 'ADMIN';
const EVERYONE: Who[] = ['anonymous', 'MEMBER', 'STAFF', 'ACCOUNTANT', 'ADMIN'];
type Agent = ReturnType<typeof request.agent>;
type Fields = [string, string][];

let t: TestApp;
const sessions = new Map<Who, { agent: Agent; token: string; stale: boolean }>();
const credentials = new Map<Who, { email: string; password: string }>();
let realIds: string[] = [];
let victimNumber = 'M1';
let resetToken = '';

async function openSession(who: Who) {
  if (who === 'anonymous') {
    const agent = request.agent(t.app);
    sessions.set(who, { agent, token: csrfOf((await agent.get('/connexion')).text), stale: false });
    return;
  }
  const { email, password } = credentials.get(who)!;
  const agent = await loginAgent(t.app, email, password);
  sessions.set(who, { agent, token: csrfOf((await agent.get('/compte')).text), stale: false });
}

async function session(who: Who) {
  if (sessions.get(who)!.stale) await openSession(who);
  return sessions.get(who)!;
}

beforeAll(async () => {
  t = await createTestApp();
  for (const who of EVERYONE) {
    if (who !== 'anonymous') {
      const m = await createMember(t.deps, {}, { role: who });
      credentials.set(who, { email: m.email, password: m.password });
    }
    await openSession(who);
  }
  const staff = await t.deps.db.member.findFirstOrThrow({ where: { role: 'STAFF' } });
  const victim = await createMember(t.deps);
  victimNumber = `M${String(victim.member.number).padStart(6, '0')}`;
  const { batch } = await createBatchWithCodes(t.deps, staff.id);
  const fresh = await createBatch(t.deps, staff.id, batchInput(t.deps)); // codes not issued yet: its page shows that form
  await t.deps.mailer.send({ to: victim.email, subject: 'Bienvenue', text: 'Bonjour', memberId: victim.member.id });
  const mail = await t.deps.db.mailMessage.findFirstOrThrow();
  realIds = [batch.id, fresh.id, mail.id, victim.member.id];
  resetToken = await issueToken(t.deps.db, victim.member.id, 'RESET_PASSWORD', t.deps.clock.now()); // shows the reset form
});
afterAll(() => t.close());

// Plausible values, so that one malformed field at a time reaches as deep as it can.
const PLAUSIBLE: Record<string, string> = {
  email: 'fuzz-inconnu@exemple.fr',
  password: 'une phrase de passe solide',
  passwordConfirm: 'une phrase de passe solide',
  currentPassword: 'pas le bon mot de passe',
  firstName: 'Camille',
  lastName: 'Martin',
  addressLine1: '12 rue des Lilas',
  addressLine2: '',
  postcode: '69003',
  city: 'Lyon',
  country: 'FR',
  phone: '06 12 34 56 78',
  newsletter: 'on',
  acceptTerms: 'on',
  confirmForfeit: 'on',
  label: 'Lot du fuzz',
  value: '5,00',
  quantity: '3',
  validFrom: '2026-12-01',
  validUntil: '2026-12-31',
  perMemberLimit: '2',
  reason: 'Motif de test automatique',
  amount: '1,00',
  nonce: '11111111-2222-4333-8444-555555555555',
  code: 'ABCD-EFGH-JKLM-N',
  role: 'STAFF',
  requestRef: 'DPO-2026-118',
  token: 'x'.repeat(43),
  jeton: 'x'.repeat(43),
  retour: '/compte',
  q: 'M000001',
  avant: '2',
};
const plausible = (name: string) => (name === 'memberNumber' ? victimNumber : (PLAUSIBLE[name] ?? 'valeur de test'));

// Field-value mutations: each is sent in every field (and query parameter) at once; the first
// seven also in one field at a time, the others fields keeping plausible values.
const VALUE_CLASSES: Record<string, (v: string) => string[]> = {
  nul: (v) => [`${v.slice(0, 1)}\0${v.slice(1)}`],
  repeated: (v) => [v, v],
  'big number': () => ['99999999999999999999'],
  'int4 overflow': () => ['M2147483648'],
  'year 0000': () => ['0000-01-01'],
  'malformed date': () => ['2026-1-1'],
  long: () => ['é'.repeat(5000)],
  'negative number': () => ['-2147483649'],
  'impossible date': () => ['2026-02-30'],
  'bad percent': () => ['%E9%ZZ%'],
  'lone surrogate': () => ['\ud800x'],
};
const PER_FIELD_CLASSES = Object.keys(VALUE_CLASSES).slice(0, 7);

// Lone surrogates cannot go through encodeURIComponent: they are sent as the (invalid) UTF-8 bytes of one.
const encode = (v: string) => encodeURIComponent(v.replace(/[\ud800-\udfff]/g, '\u0001')).replace(/%01/g, '%ED%A0%80');
const encodeFields = (fields: Fields) => fields.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
const plausibleFields = (names: string[]): Fields => names.map((n) => [n, plausible(n)]);

function mutate(names: string[], cls: string, only?: string): Fields {
  const out: Fields = [];
  for (const name of names) {
    if (only && name !== only) out.push([name, plausible(name)]);
    else for (const v of VALUE_CLASSES[cls](plausible(name))) out.push([name, v]);
  }
  return out;
}

// Whole-body classes: how the body itself is sent.
const tooMany: Fields = Array.from({ length: 1100 }, (_, i) => [`champ${i}`, 'x']);
interface BodyCase {
  name: string;
  headers: Record<string, string>;
  body: (form: string) => Buffer;
}
const BODY_CLASSES: BodyCase[] = [
  {
    name: 'koi8-r charset',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=koi8-r' },
    body: (f) => Buffer.from(f),
  },
  {
    name: 'unknown charset',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=x-martien' },
    body: (f) => Buffer.from(f),
  },
  {
    name: 'unknown encoding',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'x-pigeon' },
    body: (f) => Buffer.from(f),
  },
  {
    name: 'corrupt gzip',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'gzip' },
    body: (f) => Buffer.from(f),
  },
  {
    name: 'corrupt br',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Encoding': 'br' },
    body: (f) => Buffer.from(f),
  },
  {
    name: 'too large',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: (f) => Buffer.from(`${f}&filler=${'x'.repeat(150_000)}`),
  },
  {
    name: 'too many fields',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: (f) => Buffer.from(`${f}&${encodeFields(tooMany)}`),
  },
  {
    name: 'invalid utf-8',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: (f) => Buffer.concat([Buffer.from(`${f}&city=`), Buffer.from([0xc3, 0x28, 0xff])]),
  },
  { name: 'json body', headers: { 'Content-Type': 'application/json' }, body: () => Buffer.from('{"email":"a@b.fr"}') },
  { name: 'text body', headers: { 'Content-Type': 'text/plain' }, body: (f) => Buffer.from(f) },
  { name: 'no body', headers: {}, body: () => Buffer.alloc(0) },
];

/** Field names of the forms the pages show: POST forms by action (ids replaced by :id), and GET forms. */
async function discoverForms(routes: RouteEntry[]) {
  const byAction = new Map<string, Set<string>>();
  const all = new Set<string>();
  const getFields = new Set<string>();
  const { agent } = await session('ADMIN');
  const pages = routes
    .filter((r) => r.method === 'GET')
    .flatMap((r) =>
      r.path.includes(':') ? realIds.map((id) => withParams(r.path, id)) : [r.path, `${r.path}?jeton=${resetToken}`],
    );
  for (const url of pages) {
    for (const a of [agent, request(t.app)]) {
      const html = (await a.get(url)).text;
      for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
        const names = [...m[2].matchAll(/name="([^"]+)"/g)].map((n) => n[1]).filter((n) => n !== '_csrf');
        if (!/method="post"/i.test(m[1])) {
          for (const n of names) getFields.add(n);
          continue;
        }
        const action = (/action="([^"]*)"/.exec(m[1])?.[1] ?? url).replace(
          /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g,
          ':id',
        );
        const set = byAction.get(action) ?? new Set<string>();
        for (const n of names) {
          set.add(n);
          all.add(n);
        }
        byAction.set(action, set);
      }
    }
  }
  return { byAction, all, getFields };
}

/** Names the handlers read straight from req.query or req.body (req.query.x, req.body.x). */
function handlerNames(from: 'query' | 'body'): string[] {
  const names = new Set<string>();
  const dir = path.resolve(import.meta.dirname, '../src');
  const re = new RegExp(`req\\.${from}\\.(\\w+)|req\\.${from}\\[['"](\\w+)['"]\\]`, 'g');
  for (const file of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.startsWith('generated')) continue;
    for (const m of readFileSync(path.join(dir, file), 'utf8').matchAll(re)) names.add(m[1] ?? m[2]);
  }
  return [...names];
}

const withParams = (routePath: string, value: string) => routePath.replace(/:[A-Za-z]+/g, value);
const MALFORMED_PARAMS = ['%', '%ZZ', '%E9', '%00', 'a%00b', '..%2F..%2Fetc', '%ED%A0%80', 'x'.repeat(2000)];
const FAKE_ID = '00000000-0000-4000-8000-000000000000';

describe('every route, every malformed input', () => {
  it('never answers 5xx nor logs an error', { timeout: 900_000 }, async () => {
    const routes = routeTable(t.app);
    expect(routes.length).toBeGreaterThan(30);
    const { byAction, all, getFields } = await discoverForms(routes);
    expect(all.size).toBeGreaterThan(20);
    const queryNames = [...new Set([...handlerNames('query'), ...getFields, ...all])];
    expect(queryNames).toEqual(expect.arrayContaining(['q', 'jeton', 'retour', 'avant']));
    expect(byAction.get('/mot-de-passe/reinitialiser')).toBeDefined();
    // A POST route whose form no page showed gets every known field at once, and one at a time the fields handlers read directly.
    const bodyNames = handlerNames('body');

    const failures: string[] = [];
    let sent = 0;
    const logStart = t.logs.length;

    const send = async (
      who: Who,
      method: string,
      url: string,
      what: string,
      body?: { headers: Record<string, string>; bytes: Buffer },
    ) => {
      const s = await session(who);
      const req = method === 'GET' ? s.agent.get(url) : method === 'HEAD' ? s.agent.head(url) : s.agent.post(url);
      if (body) {
        for (const [k, v] of Object.entries(body.headers)) req.set(k, v);
        // The token also travels in the header, so bodies the form parser does not read still reach the handlers.
        req.set('X-CSRF-Token', s.token).set('Content-Length', String(body.bytes.length));
        if (body.bytes.length) req.write(body.bytes);
      }
      const label = `${method} ${url.slice(0, 100)} as ${who} [${what}]`;
      let res: request.Response;
      try {
        res = await req;
      } catch (err) {
        failures.push(`${label}: ${(err as Error).message}`);
        return { status: 0, location: '' };
      }
      sent++;
      if (res.status >= 500) failures.push(`${label}: ${res.status}`);
      const location = String(res.headers.location ?? '');
      // A logout ends the session (and its CSRF token): the next request opens a fresh one.
      if ((method === 'POST' && url === '/deconnexion') || (who !== 'anonymous' && location.startsWith('/connexion')))
        s.stale = true;
      return { status: res.status, location };
    };

    const formBody = (who: Who, fields: Fields) => ({
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      bytes: Buffer.from(encodeFields([['_csrf', sessions.get(who)!.token], ...fields])),
    });

    // Every role gets the malformed paths, the plain request on every concrete URL and each class
    // once. The first role let in (the "deep" one) also gets each class on every URL it can open,
    // and one field at a time, so that a single bad value meets plausible ones and goes deep.
    const refused = (r: { status: number; location: string }) =>
      r.status === 403 || r.location.startsWith('/connexion');
    // A role refused by a route never reaches its handler: only the classes caught before the login check.
    const classesFor = (plain: { status: number; location: string }) =>
      refused(plain) ? ['nul', 'repeated'] : Object.keys(VALUE_CLASSES);
    const fieldsOf = (route: RouteEntry) => [...(byAction.get(withParams(route.path, ':id')) ?? all)];
    const deep = new Map<string, Who>();
    for (const route of routes) {
      const url = route.path.includes(':') ? withParams(route.path, realIds[0]) : route.path;
      for (const who of EVERYONE) {
        const r = await send(
          who,
          route.method,
          url,
          'plain',
          route.method === 'POST' ? formBody(who, plausibleFields(fieldsOf(route))) : undefined,
        );
        if (!refused(r)) {
          deep.set(`${route.method} ${route.path}`, who);
          break;
        }
      }
    }

    const walk = async (who: Who) => {
      for (const route of routes) {
        const isDeep = deep.get(`${route.method} ${route.path}`) === who;
        const hasParams = route.path.includes(':');
        const concrete = hasParams ? [FAKE_ID, ...realIds].map((id) => withParams(route.path, id)) : [route.path];
        const malformedUrls = hasParams
          ? MALFORMED_PARAMS.map((p) => withParams(route.path, p))
          : [`${route.path}/%`, `${route.path}%00`, `${route.path}/%ZZ`];
        if (route.method === 'GET') {
          for (const url of malformedUrls) await send(who, 'GET', url, 'malformed path');
          await send(who, 'HEAD', malformedUrls[0], 'malformed path');
          for (const [i, url] of concrete.entries()) {
            const plain = await send(who, 'GET', url, 'plain');
            await send(who, 'HEAD', url, 'plain');
            if (plain.status === 404 || (!isDeep && i > 0)) continue;
            await send(who, 'GET', `${url}?q=%&jeton=%ZZ&retour=%E9&avant=%00`, 'raw bad percent in query');
            for (const cls of classesFor(plain))
              await send(who, 'GET', `${url}?${encodeFields(mutate(queryNames, cls))}`, `query ${cls}`);
          }
          continue;
        }
        const names = fieldsOf(route);
        const oneByOne = byAction.has(withParams(route.path, ':id')) ? names : bodyNames;
        for (const url of malformedUrls) await send(who, 'POST', url, 'malformed path', formBody(who, []));
        for (const [i, url] of concrete.entries()) {
          const plain = await send(who, 'POST', url, 'plausible', formBody(who, plausibleFields(names)));
          if (plain.status === 404 || (!isDeep && i > 0)) continue;
          for (const c of BODY_CLASSES) {
            const { token } = await session(who);
            await send(who, 'POST', url, c.name, {
              headers: c.headers,
              bytes: c.body(encodeFields([['_csrf', token], ...plausibleFields(names)])),
            });
          }
          for (const cls of classesFor(plain))
            await send(who, 'POST', url, `all fields ${cls}`, formBody(who, mutate(names, cls)));
          if (!isDeep) continue;
          for (const cls of PER_FIELD_CLASSES) {
            for (const name of oneByOne)
              await send(
                who,
                'POST',
                url,
                `${name} ${cls}`,
                formBody(who, mutate(names.includes(name) ? names : [...names, name], cls, name)),
              );
          }
        }
      }
    };
    await Promise.all(EVERYONE.map((who) => walk(who)));

    const errors = t.logs
      .slice(logStart)
      .map(
        (l) =>
          JSON.parse(l) as {
            level: number;
            msg: string;
            req?: { method: string; url: string };
            err?: { message?: string };
          },
      )
      .filter((l) => l.level >= 50)
      .map((l) => `${l.req?.method} ${l.req?.url?.slice(0, 100)}: ${l.msg} ${l.err?.message?.slice(0, 300) ?? ''}`);
    console.info(`fuzz: ${sent} requests, ${failures.length} 5xx or failed, ${errors.length} error log lines`);
    expect(failures).toEqual([]);
    expect(errors).toEqual([]);
    expect(sent).toBeGreaterThan(2500);
  });
});
