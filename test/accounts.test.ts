import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, formToken, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { lastMailTo, linkIn } from './helpers/mail.ts';
import { postCredit } from '../src/credit/ledger.ts';
import { POLICY_VERSION } from '../src/privacy/policy.ts';
import { createMember } from '../src/dev/factories.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const form = (email: string, overrides: Record<string, string> = {}) => ({
  firstName: 'Inès',
  lastName: 'Durand',
  addressLine1: '4 rue Oberkampf',
  addressLine2: '',
  postcode: '75011',
  city: 'Paris',
  country: 'FR',
  phone: '06 12 34 56 78',
  email,
  password: 'cerf-volant au-dessus des toits',
  acceptTerms: 'on',
  ...overrides,
});

async function register(email: string, overrides: Record<string, string> = {}) {
  const agent = request.agent(t.app);
  const res = await postForm(agent, '/inscription', '/inscription', form(email, overrides));
  return { agent, res };
}

describe('registration', () => {
  it('creates the account, stores the consent with the policy version, and e-mails a confirmation link', async () => {
    const { res } = await register('ines@exemple.fr');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/inscription/verifiez-vos-courriels');
    const m = await t.deps.db.member.findUniqueOrThrow({ where: { email: 'ines@exemple.fr' }, include: { consents: true } });
    expect(m.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(m.phone).toBe('0612345678');
    expect(m.newsletterOptIn).toBe(false);
    expect(m.emailConfirmedAt).toBeNull();
    expect(m.consents.map((c) => [c.kind, c.policyVersion])).toEqual([['terms-and-privacy', POLICY_VERSION]]);
    const mail = await lastMailTo(t, 'ines@exemple.fr');
    expect(mail?.subject).toBe('Confirmez votre adresse électronique');
    const token = await t.deps.db.memberToken.findFirstOrThrow({ where: { memberId: m.id } });
    expect(mail?.text).not.toContain(token.tokenHash); // only the hash is stored, the mail has the token
  });

  it('keeps what was typed and explains each error in French (422)', async () => {
    const { res } = await register('pas-une-adresse', { postcode: '7501', password: 'court', acceptTerms: '', firstName: '' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Code postal invalide : 5 chiffres');
    expect(res.text).toContain('Le mot de passe doit contenir au moins 12 caractères.');
    expect(res.text).toContain('Adresse électronique invalide');
    expect(res.text).toContain('Vous devez accepter les conditions');
    expect(res.text).toContain('Prénom : champ obligatoire.');
    expect(res.text).toContain('value="4 rue Oberkampf"');
    expect(res.text).toContain('value="pas-une-adresse"');
    expect(res.text).not.toContain('value="court"'); // passwords are never echoed
  });

  it('refuses a password from the list of most common passwords', async () => {
    const { res } = await register('commun@exemple.fr', { password: '1qaz2wsx3edc' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('fait partie des plus courants');
  });

  it('answers the same for an address that already has an account, and warns its owner', async () => {
    const { res } = await register('ines@exemple.fr', { firstName: 'Intrus' });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/inscription/verifiez-vos-courriels');
    expect(await t.deps.db.member.count({ where: { email: 'ines@exemple.fr' } })).toBe(1);
    const mail = await lastMailTo(t, 'ines@exemple.fr', 'Tentative d’inscription avec votre adresse');
    expect(mail).not.toBeNull();
  });

  it('confirms the address from the link, once', async () => {
    await register('confirme@exemple.fr');
    const link = linkIn((await lastMailTo(t, 'confirme@exemple.fr'))?.text);
    const agent = request.agent(t.app);
    const page = await agent.get(link);
    expect(page.text).toContain('Confirmer mon adresse');
    const jeton = /name="jeton" value="([^"]+)"/.exec(page.text)![1];
    const ok = await agent.post('/inscription/confirmer').type('form').send({ _csrf: csrfOf(page.text), jeton });
    expect(ok.status).toBe(303);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { email: 'confirme@exemple.fr' } })).emailConfirmedAt).not.toBeNull();
    const again = await agent.post('/inscription/confirmer').type('form').send({ _csrf: csrfOf(page.text), jeton });
    expect(again.status).toBe(400);
    expect(again.text).toContain('n’est plus valable');
  });

  it('refuses an expired confirmation link (24 h)', async () => {
    await register('tardif@exemple.fr');
    const link = linkIn((await lastMailTo(t, 'tardif@exemple.fr'))?.text);
    t.clock.advance(24 * 3600_000 + 1000);
    try {
      const agent = request.agent(t.app);
      const page = await agent.get(link);
      const jeton = /name="jeton" value="([^"]+)"/.exec(page.text)![1];
      const res = await agent.post('/inscription/confirmer').type('form').send({ _csrf: csrfOf(page.text), jeton });
      expect(res.status).toBe(400);
    } finally {
      t.clock.advance(-(24 * 3600_000 + 1000));
    }
  });
});

describe('login and logout', () => {
  it('lands each role in its own area', async () => {
    for (const [role, home] of [['MEMBER', '/compte'], ['STAFF', '/gestion'], ['ACCOUNTANT', '/comptabilite'], ['ADMIN', '/gestion']] as const) {
      const m = await createMember(t.deps, {}, { role });
      const res = await postForm(request.agent(t.app), '/connexion', '/connexion', { email: m.email, password: m.password });
      expect([role, res.status, res.headers.location]).toEqual([role, 303, home]);
    }
  });

  it('logs in on a new session id, and logs out', async () => {
    const { email, password } = await createMember(t.deps);
    const agent = request.agent(t.app);
    const first = await agent.get('/connexion');
    const before = first.headers['set-cookie']![0].split(';')[0];
    const res = await agent.post('/connexion').type('form').send({ _csrf: csrfOf(first.text), email, password });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/compte');
    const after = res.headers['set-cookie']![0].split(';')[0];
    expect(after).not.toBe(before);
    const account = await agent.get('/compte');
    expect(account.status).toBe(200);
    expect(account.text).toContain('Mon compte');
    const out = await agent.post('/deconnexion').type('form').send({ _csrf: csrfOf(account.text) });
    expect(out.status).toBe(303);
    expect((await agent.get('/compte')).status).toBe(303);
  });

  it('gives the same answer for an unknown address and a wrong password', async () => {
    const { email } = await createMember(t.deps);
    const a = await postForm(request.agent(t.app), '/connexion', '/connexion', { email: 'personne@exemple.fr', password: 'un mot de passe quelconque' });
    const b = await postForm(request.agent(t.app), '/connexion', '/connexion', { email, password: 'un mot de passe quelconque' });
    expect(a.status).toBe(422);
    expect(b.status).toBe(422);
    const msg = (html: string) => /<div class="flash flash-error[^"]*"[\s\S]*?<\/div>/.exec(html)![0];
    expect(msg(a.text)).toBe(msg(b.text));
  });

  it('rate-limits failed logins per account with a clear French message', async () => {
    const { email, password } = await createMember(t.deps);
    for (let i = 0; i < 5; i++) {
      const r = await postForm(request.agent(t.app), '/connexion', '/connexion', { email, password: 'mauvais mot de passe !' });
      expect(r.status).toBe(422);
    }
    const blocked = await postForm(request.agent(t.app), '/connexion', '/connexion', { email, password });
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Trop de tentatives de connexion. Réessayez dans 15 minutes');
    t.clock.advance(16 * 60_000);
    const later = await postForm(request.agent(t.app), '/connexion', '/connexion', { email, password });
    expect(later.status).toBe(303);
  });

  it('an unconfirmed member can log in', async () => {
    const { email, password } = await createMember(t.deps, {}, { confirmed: false });
    const agent = await loginAgent(t.app, email, password);
    const res = await agent.get('/compte');
    expect(res.text).toContain('n’est pas encore confirmée');
  });

  it('sends a guest to the login page, and back where they were going (local paths only)', async () => {
    const res = await request(t.app).get('/compte/coupons');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe('/connexion?retour=%2Fcompte%2Fcoupons');
    const { email, password } = await createMember(t.deps);
    const agent = request.agent(t.app);
    const token = await formToken(agent, '/connexion?retour=/compte/coupons');
    const ok = await agent.post('/connexion').type('form').send({ _csrf: token, email, password, retour: '/compte/coupons' });
    expect(ok.headers.location).toBe('/compte/coupons');
    const agent2 = request.agent(t.app);
    const token2 = await formToken(agent2, '/connexion');
    const evil = await agent2.post('/connexion').type('form').send({ _csrf: token2, email, password, retour: '//evil.example/' });
    expect(evil.headers.location).toBe('/compte');
  });
});

describe('forgotten password', () => {
  it('answers the same whether the address exists or not, and e-mails only existing members', async () => {
    const { email } = await createMember(t.deps);
    const a = await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email });
    const b = await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email: 'inconnu@exemple.fr' });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.text).toContain('Si un compte existe avec cette adresse');
    expect(b.text).toContain('Si un compte existe avec cette adresse');
    expect(await lastMailTo(t, email, 'Réinitialisation de votre mot de passe')).not.toBeNull();
    expect(await lastMailTo(t, 'inconnu@exemple.fr')).toBeNull();
  });

  it('resets the password from the link once, and closes every other session', async () => {
    const { email, password } = await createMember(t.deps);
    const other = await loginAgent(t.app, email, password);
    expect((await other.get('/compte')).status).toBe(200);
    await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email });
    const link = linkIn((await lastMailTo(t, email, 'Réinitialisation de votre mot de passe'))?.text);
    const agent = request.agent(t.app);
    const page = await agent.get(link);
    const token = /name="token" value="([^"]+)"/.exec(page.text)![1];
    const res = await agent.post('/mot-de-passe/reinitialiser').type('form').send({ _csrf: csrfOf(page.text), token, password: 'nouvelle phrase de passe', passwordConfirm: 'nouvelle phrase de passe' });
    expect(res.status).toBe(303);
    expect((await other.get('/compte')).status).toBe(303); // logged out
    await loginAgent(t.app, email, 'nouvelle phrase de passe');
    const reuse = await agent.post('/mot-de-passe/reinitialiser').type('form').send({ _csrf: csrfOf(page.text), token, password: 'encore une autre phrase', passwordConfirm: 'encore une autre phrase' });
    expect(reuse.status).toBe(400);
  });

  it('a reset link expires after one hour', async () => {
    const { email } = await createMember(t.deps);
    await postForm(request.agent(t.app), '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email });
    const link = linkIn((await lastMailTo(t, email, 'Réinitialisation de votre mot de passe'))?.text);
    t.clock.advance(3601_000);
    const page = await request(t.app).get(link);
    expect(page.text).toContain('Ce lien n’est plus valable');
  });
});

describe('my account', () => {
  it('edits the contact details, keeping the typed values on error', async () => {
    const { email, password, member } = await createMember(t.deps);
    const agent = await loginAgent(t.app, email, password);
    const bad = await postForm(agent, '/compte', '/compte', { ...form(email), city: 'Marseille', postcode: 'ABCDE' });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('value="Marseille"');
    const ok = await postForm(agent, '/compte', '/compte', { ...form(email), city: 'Marseille', postcode: '13001' });
    expect(ok.status).toBe(303);
    const m = await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect([m.city, m.postcode]).toEqual(['Marseille', '13001']);
  });

  it('changes the e-mail only after the password and a confirmation of the new address', async () => {
    const { email, password, member } = await createMember(t.deps);
    const agent = await loginAgent(t.app, email, password);
    const wrong = await postForm(agent, '/compte', '/compte/email', { email: 'nouvelle@exemple.fr', currentPassword: 'pas le bon mot de passe' });
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('Mot de passe actuel incorrect.');
    const ok = await postForm(agent, '/compte', '/compte/email', { email: 'nouvelle@exemple.fr', currentPassword: password });
    expect(ok.status).toBe(303);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).email).toBe(email);
    const link = linkIn((await lastMailTo(t, 'nouvelle@exemple.fr'))?.text);
    const page = await agent.get(link);
    const jeton = /name="jeton" value="([^"]+)"/.exec(page.text)![1];
    await agent.post('/inscription/confirmer').type('form').send({ _csrf: csrfOf(page.text), jeton });
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).email).toBe('nouvelle@exemple.fr');
  });

  it('asking for an address another member holds: same answer, a neutral notice to its holder, no link', async () => {
    const me = await createMember(t.deps);
    const holder = await createMember(t.deps, { firstName: 'Titulaire' });
    const agent = await loginAgent(t.app, me.email, me.password);
    const res = await postForm(agent, '/compte', '/compte/email', { email: holder.email, currentPassword: me.password });
    expect(res.status).toBe(303);
    const notice = await lastMailTo(t, holder.email, 'Demande d’utilisation de votre adresse');
    expect(notice).not.toBeNull();
    expect(notice?.text).not.toContain('jeton=');
    expect(notice?.text).not.toContain(me.member.firstName ?? 'Prénom absent');
    expect(notice?.memberId).toBe(holder.member.id);
    expect(await t.deps.db.memberToken.count({ where: { memberId: me.member.id, email: holder.email } })).toBe(0);
    // A free address gets a link worded for a change, not for a new account.
    await postForm(agent, '/compte', '/compte/email', { email: 'libre@exemple.fr', currentPassword: me.password });
    const link = await lastMailTo(t, 'libre@exemple.fr', 'Confirmez votre nouvelle adresse électronique');
    expect(link?.text).toContain('jeton=');
    expect(link?.text).not.toContain('activer votre compte');
  });

  it('changes the password with the current one and closes the other sessions', async () => {
    const { email, password } = await createMember(t.deps);
    const agent = await loginAgent(t.app, email, password);
    const other = await loginAgent(t.app, email, password);
    const res = await postForm(agent, '/compte', '/compte/mot-de-passe', { currentPassword: password, password: 'toute nouvelle phrase', passwordConfirm: 'toute nouvelle phrase' });
    expect(res.status).toBe(303);
    expect((await agent.get('/compte')).status).toBe(200);
    expect((await other.get('/compte')).status).toBe(303);
  });

  it('downloads everything the site holds about the member as JSON', async () => {
    const { email, password, member } = await createMember(t.deps, { newsletter: true });
    const agent = await loginAgent(t.app, email, password);
    await t.worker.drain();
    // A page in French, section by section, each from its domain, with the download on it.
    const page = await agent.get('/compte/donnees');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    for (const section of t.deps.registry.exports) expect(page.text).toContain(`id="s-${section.key}"`);
    for (const heading of ['Votre profil', 'Vos consentements', 'Transmissions à des tiers', 'Votre crédit', 'Coupons utilisés', 'Journal de sécurité']) {
      expect(page.text).toContain(heading);
    }
    expect(page.text).toContain(email);
    expect(page.text).toContain('href="/compte/donnees/telecharger"');
    const res = await agent.get('/compte/donnees/telecharger');
    expect(res.status).toBe(200);
    const parisDay = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris' }).format(t.clock.now());
    expect(res.headers['content-disposition']).toBe(`attachment; filename="mes-donnees-M${String(member.number).padStart(6, '0')}-${parisDay}.json"`);
    const data = JSON.parse(res.text);
    expect(data.profil.email).toBe(email);
    expect(data.profil.id).toBe(member.id);
    expect(data.profil.passwordHash).toBeUndefined();
    expect(data.consentements.map((c: { kind: string }) => c.kind).sort()).toEqual(['newsletter', 'terms-and-privacy']);
    expect(data.courriels[0].subject).toBe('Confirmez votre adresse électronique');
    expect(data.transmissions_a_des_tiers).toEqual([]);
    expect(JSON.stringify(data)).not.toMatch(/argon2|tokenHash/);
    // Only the download is audited, not the page.
    expect(await t.deps.db.auditEvent.count({ where: { action: 'data.exported', subjectMemberId: member.id } })).toBe(1);
  });

  it('the page shows the first 100 rows of a long history and says the file holds them all; the file has every row', async () => {
    const { email, password, member } = await createMember(t.deps);
    await t.deps.db.$transaction(async (tx) => {
      for (let i = 0; i < 130; i++) {
        await postCredit(tx, { memberId: member.id, amountCents: 10, kind: 'ADJUSTMENT', label: `Ligne ${i}`, idempotencyKey: `long-${member.id}-${i}`, at: t.clock.now() });
      }
    }, { timeout: 120_000 });
    const agent = await loginAgent(t.app, email, password);
    const page = await agent.get('/compte/donnees');
    expect(page.status).toBe(200);
    const credit = page.text.slice(page.text.indexOf('id="s-credit"'), page.text.indexOf('id="s-credit_solde_centimes"'));
    expect(credit.match(/<tr>/g)).toHaveLength(101); // the header row and 100 lines
    expect(credit).toContain('Les 100 premières lignes seulement');
    const data = JSON.parse((await agent.get('/compte/donnees/telecharger')).text);
    expect(data.credit).toHaveLength(130);
  });

  it("the export tells that the club's staff read the member's data, without saying which staff member", async () => {
    const { email, password, member } = await createMember(t.deps);
    const staff = await createMember(t.deps, {}, { role: 'ADMIN' });
    const admin = await loginAgent(t.app, staff.email, staff.password);
    expect((await admin.get(`/admin/membres/${member.id}`)).status).toBe(200);
    const agent = await loginAgent(t.app, email, password);
    const res = await agent.get('/compte/donnees/telecharger');
    const data = JSON.parse(res.text);
    const viewed = data.journal_de_securite.filter((e: { action: string }) => e.action === 'personal-data.viewed');
    expect(viewed).toHaveLength(1);
    expect(viewed[0].par).toBe('l’équipe du club');
    expect(viewed[0].libelle).toBe('Données personnelles consultées');
    expect(res.text).not.toContain(staff.member.id);
    expect(res.text).not.toContain(`M${String(staff.member.number).padStart(6, '0')}`);
  });
});
