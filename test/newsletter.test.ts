// The newsletter through (the local fake) Mailchimp: what the fake holds after each change, the
// outage, 429 Retry-After, permanent errors, the webhook, the unsubscribe link, the admins' page.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { loginAgent, postForm } from './helpers/app.ts';
import { createMailchimpTestApp, WEBHOOK_SECRET } from './helpers/mailchimp.ts';
import type { MailchimpTestApp } from './helpers/mailchimp.ts';
import { lastMailTo, linkIn } from './helpers/mail.ts';
import { createMember } from '../src/dev/factories.ts';
import { confirmEmail, requestEmailChange, updateContact } from '../src/accounts/service.ts';
import { setNewsletter } from '../src/newsletter/service.ts';
import { mailchimpOf, subscriberHash } from '../src/newsletter/mailchimp.ts';
import { unsubscribeToken } from '../src/newsletter/token.ts';
import { eraseMember } from '../src/privacy/eraser.ts';
import { queueInitialSync, SyncPayload } from '../src/newsletter/sync.ts';
import { registryHandlers, registryOrderedKinds, Worker } from '../src/jobs/worker.ts';

let t: MailchimpTestApp;
beforeAll(async () => {
  t = await createMailchimpTestApp();
});
afterAll(() => t.close());
beforeEach(() => t.fake.reset());

const contactOf = (email: string) => t.fake.members.get(subscriberHash(email));
const statePage = async (agent: ReturnType<typeof request.agent>) => /data-newsletter-state="([^"]+)"/.exec((await agent.get('/compte/newsletter')).text)?.[1];
const contact = (m: { firstName: string | null; lastName: string | null; addressLine1: string | null; addressLine2: string | null; postcode: string | null; city: string | null; country: string | null; phone: string | null }) => ({
  firstName: m.firstName ?? '', lastName: m.lastName ?? '', addressLine1: m.addressLine1 ?? '', addressLine2: m.addressLine2, postcode: m.postcode ?? '',
  city: m.city ?? '', country: 'FR' as const, phone: m.phone,
});

/** A confirmed change of address (the sync it queues is left to run). */
async function changeEmail(member: Awaited<ReturnType<typeof createMember>>['member'], password: string, next: string) {
  await requestEmailChange(t.deps, member, next, password);
  const link = linkIn((await lastMailTo(t, next))?.text);
  expect(await confirmEmail(t.deps, link.split('jeton=')[1])).toBe(true);
}

/** Drains the queue, moving the clock past every backoff, until nothing is left to run. */
async function settle(maxRounds = 50) {
  for (let i = 0; i < maxRounds; i++) {
    await t.worker.drain(100_000);
    const open = await t.deps.db.job.count({ where: { status: { in: ['PENDING', 'RUNNING'] } } });
    if (!open) return;
    t.clock.advance(6 * 3600_000);
  }
  throw new Error('jobs still open');
}

describe('sync to Mailchimp', () => {
  it('subscribe, rename, change address, unsubscribe: the fake holds exactly the expected state', async () => {
    const { member, email, password } = await createMember(t.deps, { firstName: 'Léa', lastName: 'Durand' });
    const agent = await loginAgent(t.app, email, password);
    expect(await statePage(agent)).toBe('désinscrit');

    expect((await postForm(agent, '/compte/newsletter', '/compte/lettre', { newsletter: 'on' })).status).toBe(303);
    expect(await statePage(agent)).toBe('en attente de confirmation');
    expect(t.fake.members.size).toBe(0);
    await settle();
    expect(await statePage(agent)).toBe('inscrit');
    expect(contactOf(email)).toMatchObject({ email_address: email, status: 'subscribed', merge_fields: {} });

    // Mailchimp holds no name: a rename sends it nothing.
    const calls = t.fake.calls.length;
    await updateContact(t.deps, member.id, { ...contact(member), lastName: 'Durand-Petit' });
    await settle();
    expect(t.fake.calls.length).toBe(calls);

    const next = `nouvelle-${email}`;
    await requestEmailChange(t.deps, member, next, password);
    const link = linkIn((await lastMailTo(t, next))?.text);
    expect(await confirmEmail(t.deps, link.split('jeton=')[1])).toBe(true);
    await settle();
    expect(contactOf(email)).toBeUndefined();
    expect(contactOf(next)).toMatchObject({ email_address: next, status: 'subscribed' });
    expect(t.fake.members.size).toBe(1);

    expect((await postForm(agent, '/compte/newsletter', '/compte/lettre', {})).status).toBe(303);
    await settle();
    expect(contactOf(next)!.status).toBe('unsubscribed');
    expect(await statePage(agent)).toBe('désinscrit');
    expect(t.fake.members.size).toBe(1);

    // The export says what was handed to Mailchimp, and when.
    const data = JSON.parse((await agent.get('/compte/donnees/telecharger')).text) as {
      lettre_information: { etat: string; statut_chez_mailchimp: string };
      transmissions_a_des_tiers: { destinataire: string; donnees: string; date: string }[];
    };
    expect(data.lettre_information).toMatchObject({ etat: 'désinscrit', statut_chez_mailchimp: 'unsubscribed' });
    const toMailchimp = data.transmissions_a_des_tiers.filter((d) => d.destinataire.startsWith('Mailchimp'));
    expect(toMailchimp.map((d) => d.donnees)).toEqual([
      'inscription (adresse)',
      'changement d’adresse (ancienne et nouvelle adresse)',
      'désinscription (adresse)',
    ]);
    expect(toMailchimp.every((d) => /^\d{4}-\d{2}-\d{2}T/.test(d.date))).toBe(true);
    const handovers = await t.deps.db.newsletterHandover.findMany({ where: { memberId: member.id }, orderBy: { at: 'asc' } });
    expect(handovers.map((h) => h.action)).toEqual(['address-subscribe', 'address-change', 'unsubscribe']);
  });

  it('Mailchimp receives the address and the status only: no names, no link holding the member id', async () => {
    const { member, email, password } = await createMember(t.deps, { firstName: 'Prénomsecret', lastName: 'Nomsecret' });
    await setNewsletter(t.deps, member, true);
    await settle();
    expect(contactOf(email)).toMatchObject({ email_address: email, status: 'subscribed' });
    expect(contactOf(email)!.merge_fields).toEqual({});
    const next = `autre-${email}`;
    await changeEmail(member, password, next);
    await settle();
    await setNewsletter(t.deps, member, false);
    await setNewsletter(t.deps, member, true);
    await settle();
    expect(contactOf(next)).toMatchObject({ email_address: next, status: 'subscribed', merge_fields: {} });
    // Every request the site made: its body has no other field than the address and the status.
    expect(t.fake.calls.length).toBeGreaterThanOrEqual(4);
    const fields = new Set(t.fake.calls.flatMap((c) => Object.keys((c.body ?? {}) as object)));
    expect([...fields].sort()).toEqual(['email_address', 'status', 'status_if_new']);
    const sent = JSON.stringify(t.fake.calls);
    for (const secret of ['Prénomsecret', 'Nomsecret', member.id, 'desinscription']) expect(sent).not.toContain(secret);
    // A job queued before this change still runs: the names it carries are dropped.
    const old = SyncPayload.parse({ memberId: member.id, version: 9, status: 'subscribed', email: next, firstName: 'Prénomsecret', lastName: 'Nomsecret' });
    expect(old).toEqual({ memberId: member.id, version: 9, status: 'subscribed', email: next });
  });

  it('a member Mailchimp never knew is not sent there (name change, opt-out)', async () => {
    const { member } = await createMember(t.deps);
    await updateContact(t.deps, member.id, { ...contact(member), firstName: 'Autre' });
    expect(await t.deps.db.job.count({ where: { memberId: member.id, kind: 'newsletter.sync' } })).toBe(0);
    await settle();
    expect(t.fake.calls).toEqual([]);
  });

  it('a contact synced before decision 0076 loses its names and link at its next sync', async () => {
    const legacy = async (m: Awaited<ReturnType<typeof createMember>>) => {
      await setNewsletter(t.deps, m.member, true);
      await settle();
      // What the site used to send: the names and its own unsubscribe link, holding the member's id.
      const merge_fields = { FNAME: 'Ancien', LNAME: 'Envoi', UNSUBURL: `http://club.test/newsletter/desinscription/${unsubscribeToken(t.deps, m.member.id)}` };
      await mailchimpOf(t.deps.config)!.updateMember(subscriberHash(m.email), { merge_fields });
      expect(contactOf(m.email)!.merge_fields).toEqual(merge_fields);
    };
    const stays = await createMember(t.deps);
    const leaves = await createMember(t.deps);
    await legacy(stays);
    await legacy(leaves);
    t.fake.calls.length = 0;
    await setNewsletter(t.deps, leaves.member, false);
    await queueInitialSync(t.deps, { all: true }); // the admins' "resync everyone"
    await settle();
    const emptied = { FNAME: '', LNAME: '', UNSUBURL: '' };
    expect(contactOf(stays.email)).toMatchObject({ status: 'subscribed', merge_fields: emptied });
    expect(contactOf(leaves.email)).toMatchObject({ status: 'unsubscribed', merge_fields: emptied });
    // A contact without them costs no extra request.
    const before = t.fake.calls.length;
    await setNewsletter(t.deps, stays.member, false);
    await settle();
    expect(t.fake.calls.length).toBe(before + 1);
  });

  it('an address not yet confirmed waits; its confirmation subscribes it', async () => {
    const agent = request.agent(t.app);
    const email = `attente-${process.pid}@exemple.fr`;
    await postForm(agent, '/inscription', '/inscription', {
      firstName: 'Nina', lastName: 'Roy', addressLine1: '1 rue A', postcode: '75011', city: 'Paris', country: 'FR', email,
      password: 'une phrase de passe solide', newsletter: 'on', acceptTerms: 'on',
    });
    const token = linkIn((await lastMailTo(t, email))?.text).split('jeton=')[1];
    expect(t.fake.members.size).toBe(0);
    expect(await confirmEmail(t.deps, token)).toBe(true);
    await settle();
    expect(contactOf(email)).toMatchObject({ email_address: email, status: 'subscribed', merge_fields: {} });
  });

  it('erasure deletes the contact permanently (not archived); nothing about the member stays in the fake', async () => {
    const { member, email } = await createMember(t.deps, { firstName: 'Effacée' });
    await setNewsletter(t.deps, member, true);
    await settle();
    expect(contactOf(email)).toBeDefined();
    await eraseMember(t.deps, member.id, { reason: 'admin-request' });
    const job = await t.deps.db.job.findFirstOrThrow({ where: { kind: 'newsletter.forget' }, orderBy: { id: 'desc' } });
    expect(JSON.stringify(job.payload)).not.toContain(email);
    expect(job.payload).toEqual({ hashes: [subscriberHash(email)] });
    await settle();
    expect(t.fake.members.size).toBe(0);
    expect(t.fake.dump().toLowerCase()).not.toContain(email);
    expect(t.fake.dump()).not.toContain('Effacée');
    expect(t.fake.calls.some((c) => c.path.endsWith('/actions/delete-permanent') && c.status === 204)).toBe(true);
    expect(t.fake.calls.some((c) => c.method === 'DELETE')).toBe(false);
    expect(await t.deps.db.newsletterSync.count({ where: { memberId: member.id } })).toBe(0);
  });

  it('erasure after a change to an address Mailchimp already held deletes both contacts', async () => {
    const { member, email, password } = await createMember(t.deps, { firstName: 'Ancienne' });
    await setNewsletter(t.deps, member, true);
    await settle();
    // The new address is already a contact (subscribed through a Mailchimp form, say): the old
    // contact cannot be moved to it and is left unsubscribed.
    const next = `deja-contact-${email}`;
    await mailchimpOf(t.deps.config)!.setMember(subscriberHash(next), { email_address: next, status_if_new: 'subscribed', status: 'subscribed' });
    await changeEmail(member, password, next);
    await settle();
    expect(contactOf(email)?.status).toBe('unsubscribed');
    expect(contactOf(next)?.status).toBe('subscribed');

    await eraseMember(t.deps, member.id, { reason: 'self', forfeitConfirmed: true });
    const job = await t.deps.db.job.findFirstOrThrow({ where: { kind: 'newsletter.forget' }, orderBy: { id: 'desc' } });
    expect(JSON.stringify(job.payload)).not.toContain(email);
    await settle();
    expect(contactOf(email)).toBeUndefined();
    expect(contactOf(next)).toBeUndefined();
    expect(t.fake.members.size).toBe(0);
    expect(t.fake.dump().toLowerCase()).not.toContain(email);
  });

  it('erasure while an address change is still queued deletes the contact under the old address', async () => {
    const { member, email, password } = await createMember(t.deps);
    await setNewsletter(t.deps, member, true);
    await settle();
    const next = `en-cours-${email}`;
    await changeEmail(member, password, next);
    // The sync moving the contact to the new address has not run: the eraser deletes it with the member's jobs.
    expect(await t.deps.db.job.count({ where: { memberId: member.id, kind: 'newsletter.sync', status: 'PENDING' } })).toBe(1);
    await eraseMember(t.deps, member.id, { reason: 'self', forfeitConfirmed: true });
    await settle();
    expect(contactOf(email)).toBeUndefined();
    expect(t.fake.members.size).toBe(0);
  });

  it('erasure on a process without the Mailchimp configuration still queues the permanent delete', async () => {
    const { member, email } = await createMember(t.deps);
    await setNewsletter(t.deps, member, true);
    await settle();
    expect(contactOf(email)?.status).toBe('subscribed');
    // The key removed since the member was synced, or missing on the instance that handles the request.
    await eraseMember({ ...t.deps, config: { ...t.deps.config, mailchimp: null } }, member.id, { reason: 'self', forfeitConfirmed: true });
    await settle();
    expect(contactOf(email)).toBeUndefined();
    expect(t.fake.members.size).toBe(0);
  });

  it('a permanent error (400 Forgotten Email Not Subscribed) is recorded, shown to admins, not retried', async () => {
    const first = await createMember(t.deps);
    await setNewsletter(t.deps, first.member, true);
    await settle();
    await eraseMember(t.deps, first.member.id, { reason: 'admin-request' });
    await settle();
    // The same address registers again: Mailchimp refuses to re-add a permanently deleted address.
    const again = await createMember(t.deps, { email: first.email });
    await setNewsletter(t.deps, again.member, true);
    await settle();
    const jobs = await t.deps.db.job.findMany({ where: { memberId: again.member.id, kind: 'newsletter.sync' } });
    expect(jobs.map((j) => [j.status, j.attempts])).toEqual([['DEAD', 1]]);
    const row = await t.deps.db.newsletterSync.findUniqueOrThrow({ where: { memberId: again.member.id } });
    expect(row.lastError).toContain('Forgotten Email Not Subscribed');
    expect(row.lastError).not.toContain(first.email);
    const admin = await createMember(t.deps, {}, { role: 'ADMIN' });
    const page = await (await loginAgent(t.app, admin.email, admin.password)).get('/admin/newsletter?erreurs=1');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Forgotten Email Not Subscribed');
    expect(page.text).toContain(`/admin/membres/${again.member.id}`);
  });

  it('429: the job waits for Retry-After without using up its attempts', async () => {
    const { member, email } = await createMember(t.deps);
    t.fake.rateLimit = { remaining: 3, retryAfter: 30 };
    await setNewsletter(t.deps, member, true);
    for (let i = 0; i < 3; i++) {
      await t.worker.drain();
      const job = await t.deps.db.job.findFirstOrThrow({ where: { memberId: member.id, kind: 'newsletter.sync' } });
      expect(job.status).toBe('PENDING');
      expect(job.attempts).toBe(0);
      expect(job.runAt.getTime() - t.clock.now().getTime()).toBe(30_000);
      t.clock.advance(29_000);
      expect(await t.worker.drain()).toBe(0);
      t.clock.advance(1_000);
    }
    await t.worker.drain();
    expect(contactOf(email)?.status).toBe('subscribed');
  });

  it('fake down during 100 changes: once it is back every change is applied, in order, none lost, none duplicated', async () => {
    const members = await Promise.all(Array.from({ length: 10 }, () => createMember(t.deps)));
    for (const m of members) await setNewsletter(t.deps, m.member, true);
    await settle();
    t.fake.calls.length = 0;

    // A worker as in production (backoff from 5 s, doubling, at most 6 h).
    const worker = new Worker({ db: t.deps.db, clock: t.clock, logger: t.deps.logger, handlers: registryHandlers(t.deps), orderedKinds: registryOrderedKinds(t.deps) });
    t.fake.failWith = 503;
    const started = t.clock.now().getTime();
    // 100 changes (each member opts out, in, out … ten times), interleaved between members; the
    // worker keeps trying (and failing) meanwhile.
    const statusAt = (round: number) => (round % 2 === 0 ? 'unsubscribed' : 'subscribed');
    for (let round = 0; round < 10; round++) {
      for (const m of members) await setNewsletter(t.deps, m.member, statusAt(round) === 'subscribed');
      await worker.drain();
      t.clock.advance(60_000);
    }
    expect(await t.deps.db.job.count({ where: { kind: 'newsletter.sync', status: 'PENDING' } })).toBe(100);
    expect(t.fake.members.size).toBe(10);
    expect([...t.fake.members.values()].every((c) => c.status === 'subscribed')).toBe(true);

    t.fake.failWith = null;
    const back = t.clock.now().getTime();
    const wall = performance.now();
    // The worker polls as in production; the clock moves 10 s between polls while jobs wait for their backoff.
    while (await t.deps.db.job.count({ where: { kind: 'newsletter.sync', status: { in: ['PENDING', 'RUNNING'] }, memberId: { in: members.map((m) => m.member.id) } } })) {
      if (!(await worker.drain(100_000))) t.clock.advance(10_000);
    }
    const recoveryMs = performance.now() - wall;
    const waitedMs = t.clock.now().getTime() - back;
    for (const m of members) {
      const applied = t.fake.calls.filter((c) => c.status === 200 && c.path.endsWith(subscriberHash(m.email)));
      expect(applied.map((c) => (c.body as { status: string }).status)).toEqual(Array.from({ length: 10 }, (_, r) => statusAt(r)));
      expect(contactOf(m.email)!.status).toBe('subscribed');
    }
    expect(await t.deps.db.job.count({ where: { kind: 'newsletter.sync', memberId: { in: members.map((m) => m.member.id) }, status: { not: 'DONE' } } })).toBe(0);
    const rows = await t.deps.db.newsletterSync.findMany({ where: { memberId: { in: members.map((m) => m.member.id) } } });
    expect(rows.every((r) => r.applied === r.queued && r.queued === 11 && r.lastError === null)).toBe(true);
    process.stderr.write(
      `newsletter: outage of ${Math.round((back - started) / 60_000)} min (test clock); after the fake came back, ` +
        `${Math.round(waitedMs / 1000)} s of backoff (test clock) then the 100 changes applied in ${(recoveryMs / 1000).toFixed(2)} s\n`,
    );
  });

  it('measures jobs per second through the fake', async () => {
    const members = await Promise.all(Array.from({ length: 20 }, () => createMember(t.deps)));
    for (const m of members) await setNewsletter(t.deps, m.member, true);
    for (let r = 0; r < 9; r++) for (const m of members) await setNewsletter(t.deps, m.member, r % 2 === 1);
    const n = await t.deps.db.job.count({ where: { kind: 'newsletter.sync', status: 'PENDING' } });
    expect(n).toBe(200);
    const wall = performance.now();
    await settle();
    const s = (performance.now() - wall) / 1000;
    expect(t.fake.members.size).toBe(20);
    process.stderr.write(`newsletter: ${n} jobs through the fake in ${s.toFixed(2)} s = ${(n / s).toFixed(0)} jobs/s\n`);
  });

  it('first run: members who opted in before Mailchimp was configured are queued once', async () => {
    const { member, email } = await createMember(t.deps, { newsletter: true });
    expect(await queueInitialSync(t.deps)).toBeGreaterThanOrEqual(1);
    expect(await queueInitialSync(t.deps)).toBe(0);
    await settle();
    expect(contactOf(email)?.status).toBe('subscribed');
    expect(await t.deps.db.job.count({ where: { memberId: member.id, kind: 'newsletter.sync' } })).toBe(1);
  });
});

describe('webhook from Mailchimp', () => {
  const url = (secret = WEBHOOK_SECRET) => `/webhooks/mailchimp/${secret}`;
  const fire = (type: string, data: Record<string, string>, secret?: string) => {
    const form: Record<string, string> = { type, fired_at: '2009-03-26 21:35:57', 'data[list_id]': 'list1234' };
    for (const [k, v] of Object.entries(data)) form[`data[${k}]`] = v;
    return request(t.app).post(url(secret)).type('form').send(form);
  };

  it('answers the validation GET with the right secret only', async () => {
    expect((await request(t.app).get(url())).status).toBe(200);
    expect((await request(t.app).get(url('wrong-secret-0123456789'))).status).toBe(404);
    expect((await request(t.app).get(url())).headers['set-cookie']).toBeUndefined();
    expect(t.logs.filter((l) => l.includes(WEBHOOK_SECRET))).toEqual([]);
  });

  it('unsubscribe flows back to the member; a wrong secret is refused and changes nothing', async () => {
    const { member, email, password } = await createMember(t.deps);
    await setNewsletter(t.deps, member, true);
    await settle();
    expect((await fire('unsubscribe', { email, reason: 'manual' }, 'wrong-secret-0123456789')).status).toBe(404);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).newsletterOptIn).toBe(true);

    const jobsBefore = await t.deps.db.job.count({ where: { memberId: member.id } });
    const res = await fire('unsubscribe', { email, reason: 'manual', action: 'unsub' });
    expect(res.status).toBe(200);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).newsletterOptIn).toBe(false);
    const consent = await t.deps.db.consent.findFirstOrThrow({ where: { memberId: member.id, kind: 'newsletter' } });
    expect(consent.withdrawnAt).not.toBeNull();
    // Nothing is sent back to Mailchimp: it made the change.
    expect(await t.deps.db.job.count({ where: { memberId: member.id } })).toBe(jobsBefore);
    expect(await statePage(await loginAgent(t.app, email, password))).toBe('désinscrit');
  });

  it('cleaned and upemail flow back; profile (names) and unknown addresses are ignored', async () => {
    const { member, email, password } = await createMember(t.deps, { firstName: 'Avant' });
    await setNewsletter(t.deps, member, true);
    await settle();
    // Mailchimp holds no names: those of its preferences form do not overwrite the account's.
    expect((await fire('profile', { email, 'merges][FNAME': 'Après', 'merges][LNAME': 'Nouveau' })).status).toBe(200);
    expect(await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).toMatchObject({ firstName: 'Avant', lastName: member.lastName });
    const other = `autre-${email}`;
    expect((await fire('upemail', { old_email: email, new_email: other, new_id: 'x' })).status).toBe(200);
    expect(await t.deps.db.newsletterSync.findUniqueOrThrow({ where: { memberId: member.id } })).toMatchObject({
      remoteHash: subscriberHash(other),
      knownHashes: [subscriberHash(email), subscriberHash(other)],
    });
    expect((await fire('cleaned', { email: other, reason: 'hard' })).status).toBe(200);
    const page = await (await loginAgent(t.app, email, password)).get('/compte/newsletter');
    expect(page.text).toContain('data-newsletter-state="désinscrit"');
    expect(page.text).toContain('retirée de la liste');
    expect((await fire('unsubscribe', { email: 'inconnu@exemple.fr' })).status).toBe(200);
  });
});

describe('unsubscribe link', () => {
  it('GET only shows a confirmation; the POST unsubscribes without login; a bad token is refused', async () => {
    const { member } = await createMember(t.deps);
    await setNewsletter(t.deps, member, true);
    await settle();
    const path = `/newsletter/desinscription/${unsubscribeToken(t.deps, member.id)}`;
    const agent = request.agent(t.app);
    const page = await agent.get(path);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Me désinscrire');
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).newsletterOptIn).toBe(true);
    expect((await request(t.app).post(path).type('form').send({})).status).toBe(403);
    const res = await postForm(agent, path, path, {});
    expect(res.status).toBe(200);
    expect(res.text).toContain('Vous êtes désinscrit');
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).newsletterOptIn).toBe(false);
    await settle();
    expect([...t.fake.members.values()][0].status).toBe('unsubscribed');
    const forged = path.slice(0, -3) + (path.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await request(t.app).get(forged)).status).toBe(404);
    expect((await request(t.app).get('/newsletter/desinscription/nimportequoi')).status).toBe(404);
    // The token opens the member's unsubscription: the access log writes the path without it.
    const token = path.split('/').pop()!;
    expect(t.logs.some((l) => l.includes('/newsletter/desinscription/…'))).toBe(true);
    expect(t.logs.filter((l) => l.includes(token) || l.includes(member.id))).toEqual([]);
  });
});

describe('admins', () => {
  it('see counts and resync everyone', async () => {
    const a = await createMember(t.deps);
    await setNewsletter(t.deps, a.member, true);
    await settle();
    t.fake.reset();
    const admin = await createMember(t.deps, {}, { role: 'ADMIN' });
    const agent = await loginAgent(t.app, admin.email, admin.password);
    const page = await agent.get('/admin/newsletter');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Membres inscrits sur le site');
    const res = await postForm(agent, '/admin/newsletter', '/admin/newsletter/resynchroniser', {});
    expect(res.status).toBe(303);
    await settle();
    expect(contactOf(a.email)?.status).toBe('subscribed');
    // Mailchimp's status in French, its code kept in the markup.
    const after = (await agent.get('/admin/newsletter')).text;
    expect(after).toContain('<data value="subscribed">inscrit</data>');
    expect(after).not.toMatch(/<td>subscribed<\/td>/);
    const member = await createMember(t.deps);
    expect((await (await loginAgent(t.app, member.email, member.password)).get('/admin/newsletter')).status).toBe(403);
  });

  it('count the newsletter’s abandoned jobs, not those of other kinds', async () => {
    const admin = await createMember(t.deps, {}, { role: 'ADMIN' });
    const agent = await loginAgent(t.app, admin.email, admin.password);
    const shown = async () => /Tâches Mailchimp abandonnées : (\d+)/.exec((await agent.get('/admin/newsletter')).text)?.[1];
    const before = Number(await shown());
    const at = t.clock.now();
    const dead = (kind: string) => ({ kind, payload: {}, status: 'DEAD' as const, runAt: at, createdAt: at, finishedAt: at });
    const created = await Promise.all(
      [dead('newsletter.sync'), dead('newsletter.forget'), dead('email'), dead('newsletter-like'), { ...dead('newsletter.sync'), status: 'DONE' as const }].map((data) =>
        t.deps.db.job.create({ data }),
      ),
    );
    try {
      expect(Number(await shown())).toBe(before + 2);
    } finally {
      await t.deps.db.job.deleteMany({ where: { id: { in: created.map((j) => j.id) } } });
    }
  });
});

describe('the count of members who want the newsletter', () => {
  it('is kept by the database as members opt in, out, are created in bulk and erased; it equals a count of the table', async () => {
    const db = t.deps.db;
    const kept = async () => (await db.newsletterOptInCount.findUniqueOrThrow({ where: { id: 1 } })).members;
    const counted = () => db.member.count({ where: { newsletterOptIn: true, erasedAt: null } });
    expect(await kept()).toBe(await counted());
    const before = await kept();
    const a = await createMember(t.deps, { newsletter: true });
    const b = await createMember(t.deps, { newsletter: false });
    expect(await kept()).toBe(before + 1);
    await setNewsletter(t.deps, b.member, true);
    await setNewsletter(t.deps, a.member, false);
    expect(await kept()).toBe(before + 1);
    // A statement that changes many rows at once, and one that changes none of the standing.
    const at = t.clock.now();
    await db.member.createMany({
      data: Array.from({ length: 5 }, (_, i) => ({ email: `lot${i}@example.test`, newsletterOptIn: i % 2 === 0, createdAt: at, lastActiveAt: at })),
    });
    expect(await kept()).toBe(before + 1 + 3);
    await db.member.updateMany({ where: { email: { startsWith: 'lot' } }, data: { lastActiveAt: at } });
    await db.member.updateMany({ where: { email: { startsWith: 'lot' } }, data: { newsletterOptIn: true } });
    expect(await kept()).toBe(before + 1 + 5);
    await eraseMember(t.deps, b.member.id, { reason: 'self', forfeitConfirmed: true });
    expect(await kept()).toBe(before + 5);
    await db.member.deleteMany({ where: { email: { in: ['lot0@example.test', 'lot1@example.test'] } } });
    expect(await kept()).toBe(before + 3);
    expect(await kept()).toBe(await counted());
  });
});
