// A client's mistake is never a 500: malformed input gets a French 4xx page (or the form again with
// its message and the values kept), and the log says at most a warning.
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createBatchWithCodes, createMember } from '../src/dev/factories.ts';

type Agent = ReturnType<typeof request.agent>;

let t: TestApp;
let member: { agent: Agent; token: string };
let staff: { agent: Agent; token: string; id: string };
let admin: { agent: Agent; token: string };
let anonymous: { agent: Agent; token: string };

async function as(role: 'MEMBER' | 'STAFF' | 'ADMIN') {
  const m = await createMember(t.deps, {}, { role });
  const agent = await loginAgent(t.app, m.email, m.password);
  return { agent, token: csrfOf((await agent.get('/compte')).text), id: m.member.id };
}

beforeAll(async () => {
  t = await createTestApp();
  member = await as('MEMBER');
  staff = await as('STAFF');
  admin = await as('ADMIN');
  const agent = request.agent(t.app);
  anonymous = { agent, token: csrfOf((await agent.get('/inscription')).text) };
});
afterAll(() => t.close());

const levels = (from: number) => t.logs.slice(from).map((l) => JSON.parse(l) as { level: number; msg: string });

/** Runs a request and checks the log lines it wrote: nothing at error level or above. */
async function quietly(send: () => PromiseLike<request.Response>) {
  const from = t.logs.length;
  const res = await send();
  const errors = levels(from).filter((l) => l.level >= 50);
  expect(errors, JSON.stringify(errors)).toEqual([]);
  return { res, lines: levels(from) };
}

const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();

const signup = (overrides: Record<string, string> = {}): [string, string][] =>
  Object.entries({
    firstName: 'Inès',
    lastName: 'Durand',
    addressLine1: '4 rue Oberkampf',
    postcode: '75011',
    city: 'Paris',
    country: 'FR',
    email: `ines-${randomUUID()}@exemple.fr`,
    password: 'cerf-volant au-dessus des toits',
    acceptTerms: 'on',
    ...overrides,
  });

const post = (who: { agent: Agent; token: string }, url: string, fields: [string, string][]) =>
  who.agent
    .post(url)
    .type('form')
    .send(form([['_csrf', who.token], ...fields]));

/** Sends bytes as they are (supertest would re-serialize a Buffer sent as a form). */
function raw(req: request.Test, bytes: Buffer): request.Test {
  req.set('Content-Length', String(bytes.length));
  req.write(bytes);
  return req;
}

function expectFrenchPage(res: request.Response, status: number, text: RegExp) {
  expect(res.status).toBe(status);
  expect(res.type).toBe('text/html');
  expect(res.text).toContain('<html lang="fr">');
  expect(res.text).toMatch(text);
}

describe('a NUL byte in a text field', () => {
  const REFUSED = /caractère nul/;

  it('in the registration form: a 400 French page, no account', async () => {
    const fields = signup({ city: 'Pa\0ris' });
    const { res } = await quietly(() => post(anonymous, '/inscription', fields));
    expectFrenchPage(res, 400, REFUSED);
    const email = fields.find(([k]) => k === 'email')![1];
    expect(await t.deps.db.member.count({ where: { email } })).toBe(0);
  });

  it('in the member’s contact details', async () => {
    const { res } = await quietly(() =>
      post(member, '/compte', [
        ['firstName', 'A\0'],
        ['lastName', 'B'],
        ['addressLine1', '1 rue'],
        ['postcode', '75001'],
        ['city', 'Paris'],
        ['country', 'FR'],
      ]),
    );
    expectFrenchPage(res, 400, REFUSED);
  });

  it('in a coupon batch label and in a credit adjustment reason', async () => {
    const batch = await quietly(() =>
      post(staff, '/gestion/coupons', [
        ['label', 'Lot\0 test'],
        ['value', '5'],
        ['quantity', '3'],
        ['validFrom', '2026-12-01'],
        ['validUntil', '2026-12-31'],
      ]),
    );
    expectFrenchPage(batch.res, 400, REFUSED);
    const credit = await quietly(() =>
      post(staff, '/gestion/credit', [
        ['memberNumber', 'M1'],
        ['amount', '5'],
        ['reason', 'geste\0 commercial'],
        ['nonce', crypto.randomUUID()],
      ]),
    );
    expectFrenchPage(credit.res, 400, REFUSED);
  });

  it('in the admin search query and in a path', async () => {
    const { res } = await quietly(() => admin.agent.get('/admin?q=a%00b@x.fr'));
    expectFrenchPage(res, 400, REFUSED);
    const path = await quietly(() => admin.agent.get('/admin/membres/%00'));
    expectFrenchPage(path.res, 400, REFUSED);
  });

  it('is logged as a warning, without the value', async () => {
    const { lines } = await quietly(() => admin.agent.get('/admin?q=secret%00@x.fr'));
    const warn = lines.find((l) => l.level === 40);
    expect(warn).toBeDefined();
    expect(JSON.stringify(lines)).not.toContain('secret');
  });
});

describe('a malformed percent-encoding in a path', () => {
  for (const path of ['/gestion/coupons/%', '/admin/membres/%ZZ', '/compte/%E9']) {
    it(`${path}: a 400 French page, for anonymous visitors as well, before the login check`, async () => {
      const anon = await quietly(() => request(t.app).get(path));
      expectFrenchPage(anon.res, 400, /adresse de la page est mal formée/);
      expect(anon.lines.some((l) => l.level === 40)).toBe(true);
      const logged = await quietly(() => admin.agent.get(path));
      expectFrenchPage(logged.res, 400, /adresse de la page est mal formée/);
      const posted = await quietly(() => post(staff, path, [['reason', 'un motif assez long']]));
      expect(posted.res.status).toBe(400);
    });
  }
});

describe('a body the server cannot read', () => {
  const body = () =>
    form([
      ['_csrf', member.token],
      ['newsletter', 'on'],
    ]);

  it('an unsupported charset: 415', async () => {
    const { res } = await quietly(() =>
      member.agent
        .post('/compte/lettre')
        .set('Content-Type', 'application/x-www-form-urlencoded; charset=koi8-r')
        .send(body()),
    );
    expectFrenchPage(res, 415, /jeu de caractères/);
  });

  it('an unknown Content-Encoding: 415', async () => {
    const { res } = await quietly(() =>
      member.agent.post('/compte/lettre').type('form').set('Content-Encoding', 'x-pigeon').send(body()),
    );
    expectFrenchPage(res, 415, /compression/);
  });

  for (const encoding of ['gzip', 'br', 'deflate']) {
    it(`a corrupt ${encoding} body: 400`, async () => {
      const { res } = await quietly(() =>
        raw(
          member.agent.post('/compte/lettre').type('form').set('Content-Encoding', encoding),
          Buffer.from('ceci n’est pas compressé'),
        ),
      );
      expectFrenchPage(res, 400, /n’a pas pu être lu/);
    });
  }

  it('a valid gzip body is still accepted', async () => {
    const res = await raw(
      member.agent.post('/compte/lettre').type('form').set('Content-Encoding', 'gzip'),
      gzipSync(body()),
    );
    expect(res.status).toBe(303);
  });

  it('a body of another type than a form: 415, even with the CSRF token in a header', async () => {
    for (const [type, bytes] of [
      ['application/json', '{"code":"ABCD"}'],
      ['text/plain', 'code=ABCD'],
    ]) {
      const { res } = await quietly(() =>
        raw(
          member.agent.post('/compte/coupons').set('Content-Type', type).set('X-CSRF-Token', member.token),
          Buffer.from(bytes),
        ),
      );
      expectFrenchPage(res, 415, /n’accepte que des formulaires/);
    }
  });

  it('no body at all is an empty form: the handler answers, it does not crash', async () => {
    const { res } = await quietly(() =>
      anonymous.agent.post('/inscription/confirmer').set('X-CSRF-Token', anonymous.token),
    );
    expectFrenchPage(res, 400, /n’est plus valable/);
    const coupons = await quietly(() => member.agent.post('/compte/coupons').set('X-CSRF-Token', member.token));
    expect(coupons.res.status).toBe(422);
    expect(coupons.res.text).toContain('Saisissez le code imprimé sur votre coupon.');
  });

  it('a body too large: 413, logged as a warning', async () => {
    const { res, lines } = await quietly(() => post(anonymous, '/inscription', signup({ city: 'x'.repeat(200_000) })));
    expectFrenchPage(res, 413, /trop volumineux/);
    expect(lines.some((l) => l.level === 40)).toBe(true);
  });

  it('too many fields: 413, logged as a warning', async () => {
    const many = Array.from({ length: 1500 }, (_, i) => [`f${i}`, 'x'] as [string, string]);
    const { res, lines } = await quietly(() => post(anonymous, '/inscription', many));
    expectFrenchPage(res, 413, /trop de champs/);
    expect(lines.some((l) => l.level === 40)).toBe(true);
  });
});

describe('a field sent twice', () => {
  it('a checkbox sent twice: the account page again with a French message', async () => {
    const { res } = await quietly(() =>
      post(member, '/compte/lettre', [
        ['newsletter', 'on'],
        ['newsletter', 'on'],
      ]),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Lettre d’information : ce champ a été envoyé plusieurs fois.');
  });

  it('a registration field sent twice: the form again, its message, the other values kept', async () => {
    const fields = signup();
    fields.push(['city', 'Lyon']);
    const { res } = await quietly(() => post(anonymous, '/inscription', fields));
    expect(res.status).toBe(422);
    expect(res.text).toContain('Ville : ce champ a été envoyé plusieurs fois.');
    expect(res.text).toContain('value="4 rue Oberkampf"');
  });

  it('a coupon batch field sent twice', async () => {
    const { res } = await quietly(() =>
      post(staff, '/gestion/coupons', [
        ['label', 'Lot de test'],
        ['value', '5'],
        ['value', '6'],
        ['quantity', '3'],
        ['validFrom', '2026-12-01'],
        ['validUntil', '2026-12-31'],
      ]),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Valeur : ce champ a été envoyé plusieurs fois.');
    expect(res.text).toContain('value="Lot de test"');
  });

  it('an admin search sent twice', async () => {
    const { res } = await quietly(() => admin.agent.get('/admin?q=M1&q=M2'));
    expect(res.status).toBe(422);
    expect(res.text).toContain('ce champ a été envoyé plusieurs fois');
  });
});

describe('numbers and dates out of range', () => {
  for (const q of ['99999999999999999999', 'M2147483648', 'm0000000000000000000000000000000000001234567890123']) {
    it(`admin search ?q=${q}: the search form again with a French message and the value kept`, async () => {
      const { res } = await quietly(() => admin.agent.get(`/admin?q=${q}`));
      expect(res.status).toBe(422);
      expect(res.text).toContain('Numéro de membre invalide');
      expect(res.text).toContain(`value="${q}"`);
    });
  }

  it('a member number in range is still found', async () => {
    const m = await t.deps.db.member.findFirstOrThrow({ where: { role: 'MEMBER' } });
    const res = await admin.agent.get(`/admin?q=M${String(m.number).padStart(6, '0')}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(`/admin/membres/${m.id}`);
  });

  it('year 0000 in a coupon batch date: the form again with a French message', async () => {
    const { res } = await quietly(() =>
      post(staff, '/gestion/coupons', [
        ['label', 'Lot an zéro'],
        ['value', '5'],
        ['quantity', '3'],
        ['validFrom', '0000-01-01'],
        ['validUntil', '2026-12-31'],
      ]),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Début de validité : une année entre 2000 et 2099.');
    expect(res.text).toContain('value="Lot an zéro"');
    expect(await t.deps.db.couponBatch.count({ where: { label: 'Lot an zéro' } })).toBe(0);
  });

  it('a quantity far too large: the form again', async () => {
    const { res } = await quietly(() =>
      post(staff, '/gestion/coupons', [
        ['label', 'Lot énorme'],
        ['value', '5'],
        ['quantity', '99999999999999999999'],
        ['validFrom', '2026-12-01'],
        ['validUntil', '2026-12-31'],
      ]),
    );
    expect(res.status).toBe(422);
    expect(res.text).toContain('Quantité : 100 000 au maximum.');
  });
});

describe('route parameters', () => {
  it('a real batch with a void reason containing a NUL byte is refused, the batch stays active', async () => {
    const { batch } = await createBatchWithCodes(t.deps, staff.id);
    const { res } = await quietly(() =>
      post(staff, `/gestion/coupons/${batch.id}/annuler`, [['reason', 'erreur\0 d’impression']]),
    );
    expectFrenchPage(res, 400, /caractère nul/);
    expect((await t.deps.db.couponBatch.findUniqueOrThrow({ where: { id: batch.id } })).voidedAt).toBeNull();
  });
});
