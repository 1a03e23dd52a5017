// No one gains access to an account that is not theirs through the site: staff read the mailbox of
// the development mode, which holds every e-mail the site sends (docs/decisions/0012).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, csrfOf, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { lastMailTo, linkIn } from './helpers/mail.ts';
import { createMember } from '../src/dev/factories.ts';
import { hashToken } from '../src/accounts/tokens.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const RESET_SUBJECT = 'Réinitialisation de votre mot de passe';

/** Every reset token-like string in a page: whatever follows `jeton=` in a link. */
const tokensIn = (html: string) => [...html.matchAll(/jeton=([^\s"<&]+)/g)].map((m) => decodeURIComponent(m[1]));

describe('an insider reading the mailbox', () => {
  it('staff who ask a reset for the admin and open the mail cannot set the admin’s password', async () => {
    const admin = await createMember(t.deps, {}, { role: 'ADMIN' });
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const insider = await loginAgent(t.app, staff.email, staff.password);
    await t.worker.drain(); // the accounts' confirmation e-mails went out
    t.clock.advance(60_000); // the attack comes a minute later

    // 1. Ask a password reset for the admin's address (anyone may).
    expect(
      (await postForm(insider, '/mot-de-passe-oublie', '/mot-de-passe-oublie', { email: admin.email })).status,
    ).toBe(200);
    await t.worker.drain();

    // 2. Open the mailbox and the reset e-mail sent to the admin.
    const list = await insider.get('/gestion/courriels');
    expect(list.status).toBe(200);
    const row =
      new RegExp(`<tr>(?:(?!</tr>).)*${admin.email.replace(/\./g, '\\.')}(?:(?!</tr>).)*</tr>`, 's').exec(
        list.text,
      )?.[0] ?? '';
    const href = /href="(\/gestion\/courriels\/[0-9a-f-]{36})"/.exec(row)?.[1];
    expect(href, 'the mailbox lists the reset e-mail').toBeDefined();
    const mail = await insider.get(href!);
    expect(mail.status).toBe(200);
    expect(mail.text).toContain(RESET_SUBJECT);
    expect(mail.text).toContain('/mot-de-passe/reinitialiser');

    // 3. Use whatever the page offers as a link to set a new password…
    const newPassword = 'la phrase de passe de l’intrus';
    const offered = [...tokensIn(list.text), ...tokensIn(mail.text)];
    for (const token of offered) {
      const page = await insider.get(`/mot-de-passe/reinitialiser?jeton=${encodeURIComponent(token)}`);
      expect(page.text).not.toContain('name="password"');
      const res = await insider
        .post('/mot-de-passe/reinitialiser')
        .type('form')
        .send({ _csrf: csrfOf(page.text), token, password: newPassword, passwordConfirm: newPassword });
      expect(res.status).not.toBe(303);
    }

    // 4. …and log in as the admin with it: refused; the admin's password is unchanged.
    expect(
      (await postForm(request.agent(t.app), '/connexion', '/connexion', { email: admin.email, password: newPassword }))
        .status,
    ).toBe(422);
    expect(
      await t.deps.db.auditEvent.count({ where: { action: 'password.reset', subjectMemberId: admin.member.id } }),
    ).toBe(0);
    const adminAgent = await loginAgent(t.app, admin.email, admin.password);
    expect((await adminAgent.get('/admin')).status).toBe(200);

    // The real link exists, outside the site (where the development mailer delivers): the token the
    // database knows is in it, and in no page staff can open.
    const delivered = await lastMailTo(t, admin.email, RESET_SUBJECT);
    const real = new URL(linkIn(delivered?.text), 'http://club.test').searchParams.get('jeton')!;
    expect(
      await t.deps.db.memberToken.count({
        where: { memberId: admin.member.id, purpose: 'RESET_PASSWORD', tokenHash: hashToken(real) },
      }),
    ).toBe(1);
    expect(list.text).not.toContain(real);
    expect(mail.text).not.toContain(real);
  });

  it('no page of the mailbox shows a confirmation link that works either', async () => {
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const insider = await loginAgent(t.app, staff.email, staff.password);
    // A newcomer registers with an address: staff must not be able to confirm it for them.
    const newcomer = await createMember(t.deps, {}, { confirmed: false });
    await t.worker.drain();
    const messages = await t.deps.db.mailMessage.findMany({ where: { to: newcomer.email } });
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) {
      const page = await insider.get(`/gestion/courriels/${m.id}`);
      for (const token of tokensIn(page.text)) {
        const res = await postForm(
          insider,
          `/inscription/confirmer?jeton=${encodeURIComponent(token)}`,
          '/inscription/confirmer',
          { jeton: token },
        );
        expect(res.status).not.toBe(303);
      }
    }
    expect(
      (await t.deps.db.member.findUniqueOrThrow({ where: { id: newcomer.member.id } })).emailConfirmedAt,
    ).toBeNull();
  });
});
