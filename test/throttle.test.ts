// Failed logins are throttled per account and source: an attacker cannot lock the owner out, and a
// distributed attack still meets a ceiling per account (docs/decisions/0013).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, formToken } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { lastMailTo, linkIn } from './helpers/mail.ts';
import { createMember } from '../src/dev/factories.ts';
import { LIMITS, sourceOf } from '../src/core/rate-limit.ts';

let t: TestApp;
beforeAll(async () => {
  // Behind a proxy that sets X-Forwarded-For: each test request says which address it comes from.
  t = await createTestApp({ config: { TRUST_PROXY: 'true' } });
});
afterAll(() => t.close());

async function login(from: string, email: string, password: string) {
  const agent = request.agent(t.app);
  const token = await formToken(agent, '/connexion');
  return agent.post('/connexion').set('X-Forwarded-For', from).type('form').send({ _csrf: token, email, password });
}

async function burst(from: string, email: string, n: number) {
  const agents = await Promise.all(
    Array.from({ length: n }, async () => {
      const agent = request.agent(t.app);
      return { agent, token: await formToken(agent, '/connexion') };
    }),
  );
  const res = await Promise.all(
    agents.map(({ agent, token }) =>
      agent
        .post('/connexion')
        .set('X-Forwarded-For', from)
        .type('form')
        .send({ _csrf: token, email, password: 'une devinette de plus' }),
    ),
  );
  return res.map((r) => r.status);
}

/** The owner's way back in: "mot de passe oublié", the link from their mailbox, a new password. */
async function resetThroughMail(from: string, email: string, newPassword: string) {
  const owner = request.agent(t.app);
  const forgot = await formToken(owner, '/mot-de-passe-oublie');
  await owner.post('/mot-de-passe-oublie').set('X-Forwarded-For', from).type('form').send({ _csrf: forgot, email });
  const link = linkIn((await lastMailTo(t, email, 'Réinitialisation de votre mot de passe'))?.text);
  const page = await owner.get(link);
  const token = new URL(link, 'http://club.test').searchParams.get('jeton')!;
  const done = await owner
    .post('/mot-de-passe/reinitialiser')
    .set('X-Forwarded-For', from)
    .type('form')
    .send({ _csrf: csrfOf(page.text), token, password: newPassword, passwordConfirm: newPassword });
  expect(done.status).toBe(303);
  return owner;
}

async function loginAs(agent: ReturnType<typeof request.agent>, from: string, email: string, password: string) {
  const token = await formToken(agent, '/connexion');
  return agent.post('/connexion').set('X-Forwarded-For', from).type('form').send({ _csrf: token, email, password });
}

const checked = (statuses: number[]) => statuses.filter((s) => s === 422).length;

describe('login throttling', () => {
  it('the owner logs in from another address while an attacker’s address is held back', async () => {
    const { email, password } = await createMember(t.deps);
    const attack = await burst('203.0.113.66', email, 40);
    expect(checked(attack)).toBeLessThanOrEqual(LIMITS.loginPerAccountAndSource.max);
    expect(attack.filter((s) => s === 429).length).toBeGreaterThanOrEqual(40 - LIMITS.loginPerAccountAndSource.max);
    // Even the right password is not checked from the attacker's address for now…
    expect((await login('203.0.113.66', email, password)).status).toBe(429);
    // …while the owner, elsewhere, gets in at once, after a typo.
    expect((await login('198.51.100.7', email, 'une faute de frappe')).status).toBe(422);
    const owner = await login('198.51.100.7', email, password);
    expect(owner.status).toBe(303);
    expect(owner.headers.location).toBe('/compte');
  });

  it('addresses of one IPv6 /64 network count as one source', async () => {
    const { email, password } = await createMember(t.deps);
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++)
      statuses.push((await login(`2001:db8:aa:bb::${i.toString(16)}`, email, `devinette ${i}`)).status);
    expect(checked(statuses)).toBe(LIMITS.loginPerAccountAndSource.max);
    expect((await login('2001:db8:aa:bb:1:2:3:4', email, password)).status).toBe(429);
    expect((await login('2001:db8:aa:cc::1', email, password)).status).toBe(303);
  });

  it('a distributed attack meets a ceiling per account; the owner gets in again by resetting the password', async () => {
    const { email, password } = await createMember(t.deps);
    const ceiling = LIMITS.loginPerAccount.max;
    const perSource = LIMITS.loginPerAccountAndSource.max;
    const sources = Math.ceil(ceiling / perSource) + 3;
    let guesses = 0;
    for (let s = 0; s < sources; s++) {
      const statuses = await burst(`10.66.${s}.1`, email, perSource);
      guesses += checked(statuses);
    }
    expect(guesses).toBe(ceiling);
    // Past the ceiling, no address is checked, the owner's neither…
    expect(await burst('10.77.0.1', email, 3)).toEqual([429, 429, 429]);
    const refused = await login('192.0.2.10', email, password);
    expect(refused.status).toBe(429);
    expect(refused.text).toContain('réinitialisez votre mot de passe');

    // …until they reset the password through the link sent to their mailbox: that browser may log in.
    const newPassword = 'une toute nouvelle phrase de passe';
    const owner = await resetThroughMail('192.0.2.10', email, newPassword);
    const afterReset = await loginAs(owner, '192.0.2.10', email, newPassword);
    expect(afterReset.status).toBe(303);
    expect(afterReset.headers.location).toBe('/compte');
    // The attackers are still held back, with the new password as with the old one.
    expect((await login('10.77.0.3', email, newPassword)).status).toBe(429);
    expect((await login('192.0.2.10', email, newPassword)).status).toBe(429);
  });

  it('an owner who used up their own attempts logs in right after resetting the password', async () => {
    const { email } = await createMember(t.deps);
    for (let i = 0; i < 5; i++) expect((await login('192.0.2.20', email, `ancien mot de passe ${i}`)).status).toBe(422);
    expect((await login('192.0.2.20', email, 'encore un essai raté')).status).toBe(429);
    const owner = await resetThroughMail('192.0.2.20', email, 'la phrase retrouvée du membre');
    // Another browser at the same address is still held back; the one that reset the password is not.
    expect((await login('192.0.2.20', email, 'la phrase retrouvée du membre')).status).toBe(429);
    expect((await loginAs(owner, '192.0.2.20', email, 'la phrase retrouvée du membre')).status).toBe(303);
  });

  it('one address cannot use up the ceiling of an account by itself', async () => {
    const { email, password } = await createMember(t.deps);
    for (let round = 0; round < 4; round++) await burst('203.0.113.99', email, 20);
    expect((await login('198.51.100.99', email, password)).status).toBe(303);
  });
});

describe('sources', () => {
  it('an IPv4 address is its own source, an IPv6 address counts by its /64 network', () => {
    expect(sourceOf('203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(sourceOf('2001:db8:aa:bb::1')).toBe(sourceOf('2001:0db8:00aa:00bb:ffff:1:2:3'));
    expect(sourceOf('2001:db8:aa:bb::1')).not.toBe(sourceOf('2001:db8:aa:bc::1'));
    expect(sourceOf('::1')).toBe(sourceOf('::2'));
    expect(sourceOf('fe80::1%eth0')).toBe(sourceOf('fe80::2'));
    expect(sourceOf(undefined)).toBe('unknown');
    expect(sourceOf(sourceOf('2001:db8:aa:bb::1'))).toBe(sourceOf('2001:db8:aa:bb::1'));
  });
});
