// Attacks the review found, each replayed against the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, formToken, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { lastMailTo, linkIn } from './helpers/mail.ts';
import { createBatchWithCodes, createMember } from '../src/dev/factories.ts';
import { redeemCoupon } from '../src/coupons/service.ts';
import { adjustCredit } from '../src/credit/service.ts';
import { eraseMember } from '../src/privacy/eraser.ts';
import { hashCode, parseCode } from '../src/coupons/codes.ts';
import { BatchSchema } from '../src/coupons/schema.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('rate limits hold under parallel bursts', () => {
  it('40 parallel wrong passwords for one account: at most 5 are checked, the rest get 429', async () => {
    const { email } = await createMember(t.deps);
    const agents = await Promise.all(Array.from({ length: 40 }, async () => {
      const agent = request.agent(t.app);
      return { agent, token: await formToken(agent, '/connexion') };
    }));
    const res = await Promise.all(agents.map(({ agent, token }) => agent.post('/connexion').type('form').send({ _csrf: token, email, password: 'devinette numéro un' })));
    const statuses = res.map((r) => r.status);
    expect(statuses.filter((s) => s === 422).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(35);
  });

  it('a stolen session cannot guess the password through the account forms (5 per 15 minutes)', async () => {
    const { email, password } = await createMember(t.deps);
    const agent = await loginAgent(t.app, email, password);
    for (let i = 0; i < 5; i++) {
      const r = await postForm(agent, '/compte/suppression', '/compte/suppression', { currentPassword: `essai ${i}` });
      expect(r.text).toContain('Mot de passe actuel incorrect.');
    }
    const blocked = await postForm(agent, '/compte/suppression', '/compte/suppression', { currentPassword: password });
    expect(blocked.text).toContain('Trop de mots de passe erronés');
  });

  it('confirmation e-mails cannot be used to flood an address (5 per hour)', async () => {
    const { email, password } = await createMember(t.deps, {}, { confirmed: false });
    const agent = await loginAgent(t.app, email, password);
    for (let i = 0; i < 8; i++) await postForm(agent, '/compte', '/compte/confirmation', {});
    await t.worker.drain();
    const sent = await t.deps.db.mailMessage.count({ where: { to: email, subject: 'Confirmez votre adresse électronique' } });
    expect(sent).toBe(1 + 5); // registration + 5 resends
  });
});

describe('account enumeration through the reset form', () => {
  it('answers known and unknown addresses with the same work: one queued job, no lookup', async () => {
    const { email } = await createMember(t.deps);
    await t.worker.drain();
    const before = await t.deps.db.job.count();
    await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email });
    await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email: 'absent@exemple.fr' });
    const jobs = await t.deps.db.job.findMany({ where: { kind: 'password-reset' }, orderBy: { id: 'asc' } });
    expect(await t.deps.db.job.count()).toBe(before + 2);
    expect(jobs.slice(-2).map((j) => j.status)).toEqual(['PENDING', 'PENDING']);
    expect(await lastMailTo(t, email, 'Réinitialisation de votre mot de passe')).not.toBeNull();
    expect(await lastMailTo(t, 'absent@exemple.fr')).toBeNull();
    // Done jobs keep no address.
    const done = await t.deps.db.job.findMany({ where: { kind: 'password-reset' } });
    expect(done.every((j) => j.status === 'DONE' && JSON.stringify(j.payload) === '{}')).toBe(true);
  });
});

describe('sessions', () => {
  it('a session written back after a password reset (a request that was in flight) is still refused', async () => {
    const { email, password, member } = await createMember(t.deps);
    const thief = await loginAgent(t.app, email, password);
    expect((await thief.get('/compte')).status).toBe(200);
    const stolen = await t.deps.db.session.findFirstOrThrow({ where: { memberId: member.id } });
    t.clock.advance(60_000); // the reset comes a minute after that login
    await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email });
    const link = linkIn((await lastMailTo(t, email, 'Réinitialisation de votre mot de passe'))?.text);
    const owner = request.agent(t.app);
    const resetPage = await owner.get(link);
    const token = /name="token" value="([^"]+)"/.exec(resetPage.text)![1];
    await owner.post('/mot-de-passe/reinitialiser').type('form').send({ _csrf: csrfOf(resetPage.text), token, password: 'la nouvelle phrase du vrai membre', passwordConfirm: 'la nouvelle phrase du vrai membre' });
    expect(await t.deps.db.session.count({ where: { sid: stolen.sid } })).toBe(0);
    // What the store's upsert does when a request that loaded the session before the reset ends after it:
    await t.deps.db.session.create({ data: stolen });
    expect((await thief.get('/compte')).status).toBe(303);
  });

  it('a login expires after 12 hours even when used', async () => {
    const { member } = await createMember(t.deps);
    const agent = await loginAgent(t.app, (await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).email!, 'une phrase de passe solide');
    const row = (await t.deps.db.session.findFirstOrThrow({ where: { memberId: member.id } }));
    const data = JSON.parse(row.data);
    data.authAt = t.clock.now().getTime() - 12 * 3600_000 - 1000;
    await t.deps.db.session.update({ where: { sid: row.sid }, data: { data: JSON.stringify(data) } });
    expect((await agent.get('/compte')).status).toBe(303);
  });

  it('the cookie lasts 30 minutes and is renewed by activity; personal pages are not cached', async () => {
    const { email, password } = await createMember(t.deps);
    const agent = await loginAgent(t.app, email, password);
    const res = await agent.get('/compte');
    const cookie = res.headers['set-cookie']![0];
    const expires = new Date(/Expires=([^;]+)/.exec(cookie)![1]).getTime();
    expect(Math.abs(expires - Date.now() - 30 * 60_000)).toBeLessThan(5000);
    expect(res.headers['cache-control']).toBe('no-store');
    // Nothing to revalidate: no ETag; the length and type are those of the page, HEAD has no body.
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.text).toContain('Mon compte');
    const head = await agent.head('/compte');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(res.headers['content-length']);
    expect(head.text).toBeUndefined();
  });
});

describe('taking an account over through a pending e-mail change', () => {
  it('a password reset cancels a change of address requested before it; the old address is told of a change', async () => {
    // The attacker registers the victim's address and asks to move the account to theirs.
    const victimEmail = 'victime@exemple.fr';
    const agent = request.agent(t.app);
    await postForm(agent, '/inscription', '/inscription', { firstName: 'A', lastName: 'B', addressLine1: '1 rue', postcode: '75001', city: 'Paris', country: 'FR', email: victimEmail, password: 'mot de passe de l’intrus', acceptTerms: 'on' });
    const intruder = await loginAgent(t.app, victimEmail, 'mot de passe de l’intrus');
    await postForm(intruder, '/compte', '/compte/email', { email: 'intrus@exemple.fr', currentPassword: 'mot de passe de l’intrus' });
    const changeLink = linkIn((await lastMailTo(t, 'intrus@exemple.fr'))?.text);
    // The victim takes the account back with a reset.
    await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email: victimEmail });
    const link = linkIn((await lastMailTo(t, victimEmail, 'Réinitialisation de votre mot de passe'))?.text);
    const v = request.agent(t.app);
    const page = await v.get(link);
    await v.post('/mot-de-passe/reinitialiser').type('form').send({ _csrf: csrfOf(page.text), token: /name="token" value="([^"]+)"/.exec(page.text)![1], password: 'le vrai mot de passe de la victime', passwordConfirm: 'le vrai mot de passe de la victime' });
    // The attacker's confirmation link is dead.
    const a2 = request.agent(t.app);
    const cpage = await a2.get(changeLink);
    const res = await a2.post('/inscription/confirmer').type('form').send({ _csrf: csrfOf(cpage.text), jeton: /name="jeton" value="([^"]+)"/.exec(cpage.text)![1] });
    expect(res.status).toBe(400);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { email: victimEmail } })).email).toBe(victimEmail);
  });

  it('a confirmed member is told at the old address when the address changes', async () => {
    const { email, password } = await createMember(t.deps);
    const agent = await loginAgent(t.app, email, password);
    await postForm(agent, '/compte', '/compte/email', { email: 'deplace@exemple.fr', currentPassword: password });
    const link = linkIn((await lastMailTo(t, 'deplace@exemple.fr'))?.text);
    const page = await agent.get(link);
    await agent.post('/inscription/confirmer').type('form').send({ _csrf: csrfOf(page.text), jeton: /name="jeton" value="([^"]+)"/.exec(page.text)![1] });
    expect(await lastMailTo(t, email, 'L’adresse de votre compte a été changée')).not.toBeNull();
  });
});

describe('erasure leaves nothing to match', () => {
  it('a coupon used by an erased member keeps only the month of its use', async () => {
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const { codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 1 });
    const { member } = await createMember(t.deps);
    await redeemCoupon(t.deps, member, codes[0], '10.1.1.1');
    await eraseMember(t.deps, member.id, { reason: 'self' });
    const coupon = await t.deps.db.coupon.findFirstOrThrow({ where: { codeHash: hashCode(t.deps.config.codeHmacSecret, (parseCode(codes[0]) as { code: string }).code) } });
    expect(coupon.redeemedById).toBeNull();
    expect(coupon.redeemedAt!.toISOString()).toMatch(/-01T00:00:00\.000Z$/);
    const line = await t.deps.db.creditLine.findFirstOrThrow({ where: { memberId: member.id, kind: 'COUPON' } });
    expect(line.createdAt.getTime()).not.toBe(coupon.redeemedAt!.getTime());
    const kept = await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect(kept.lastActiveAt.getTime()).toBe(kept.createdAt.getTime());
  });

  it('a redemption that started before the erasure cannot credit the erased account', async () => {
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const { codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 1 });
    const { member } = await createMember(t.deps);
    await eraseMember(t.deps, member.id, { reason: 'self' });
    await expect(redeemCoupon(t.deps, member, codes[0], '10.1.1.2')).rejects.toThrow('Ce compte n’existe plus.');
    expect(await t.deps.db.creditLine.count({ where: { memberId: member.id, kind: 'COUPON' } })).toBe(0);
  });

  it('a staff member cannot credit their own account', async () => {
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    await expect(adjustCredit(t.deps, staff.member.id, { memberNumber: staff.member.number, amountCents: 1000, reason: 'Pour moi', nonce: crypto.randomUUID() })).rejects.toThrow('votre propre crédit');
  });
});

describe('coupon batch dates (Europe/Paris)', () => {
  const parse = (validFrom: string, validUntil: string) => BatchSchema.safeParse({ label: 'Lot', value: '5', quantity: '1', validFrom, validUntil });
  it('ends at the last millisecond of the last day, also on clock-change days', () => {
    const spring = parse('2026-03-01', '2026-03-29');
    const autumn = parse('2026-10-01', '2026-10-25');
    expect(spring.success && spring.data.validUntil.toISOString()).toBe('2026-03-29T21:59:59.999Z');
    expect(autumn.success && autumn.data.validUntil.toISOString()).toBe('2026-10-25T22:59:59.999Z');
    expect(spring.success && spring.data.validFrom.toISOString()).toBe('2026-02-28T23:00:00.000Z');
  });
  it('refuses impossible dates', () => {
    const r = parse('2026-02-30', '2026-03-10');
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toBe('Début de validité : cette date n’existe pas.');
  });
});

describe('newsletter', () => {
  it('a member can unsubscribe; the consent keeps when it was given and withdrawn', async () => {
    const { email, password, member } = await createMember(t.deps, { newsletter: true });
    const agent = await loginAgent(t.app, email, password);
    expect((await agent.get('/compte')).text).toContain('Vous êtes inscrit à la lettre');
    expect((await postForm(agent, '/compte', '/compte/lettre', {})).status).toBe(303);
    const m = await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect(m.newsletterOptIn).toBe(false);
    const consent = await t.deps.db.consent.findFirstOrThrow({ where: { memberId: member.id, kind: 'newsletter' } });
    expect(consent.withdrawnAt).not.toBeNull();
    await postForm(agent, '/compte', '/compte/lettre', { newsletter: 'on' });
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).newsletterOptIn).toBe(true);
  });
});
