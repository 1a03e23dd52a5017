// Real SMTP: nodemailer sends to an SMTP server started by the test on 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { createTestApp, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createSmtpMailer } from '../src/mail/mailer.ts';
import { createMember } from '../src/dev/factories.ts';
import request from 'supertest';
import { postForm } from './helpers/app.ts';

function decodeQuotedPrintable(s: string): string {
  const bytes = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

interface Received { from: string; to: string[]; raw: string }
let server: SMTPServer;
let port: number;
const received: Received[] = [];
let failNext = 0;

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, cb) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        if (failNext > 0) {
          failNext--;
          const err = new Error('Service temporairement indisponible') as Error & { responseCode: number };
          err.responseCode = 451;
          return cb(err);
        }
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('e-mail through SMTP', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      config: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'Club <club@clubpetitesstars.example>' },
      mailer: (deps) => createSmtpMailer(deps.config.smtpUrl!, deps.config.mailFrom),
    });
  });
  afterAll(() => t.close());

  it('the registration e-mail goes out by SMTP, and is not kept in the database', async () => {
    const agent = request.agent(t.app);
    await postForm(agent, '/inscription', '/inscription', {
      firstName: 'Jules', lastName: 'Roux', addressLine1: '2 quai Saint-Michel', postcode: '75005', city: 'Paris', country: 'FR',
      email: 'jules@exemple.fr', password: 'le petit prince et la rose', acceptTerms: 'on',
    });
    await t.worker.drain();
    const msg = received.find((m) => m.to.includes('jules@exemple.fr'));
    expect(msg?.from).toBe('club@clubpetitesstars.example');
    const body = decodeQuotedPrintable(msg!.raw.split(/\r?\n\r?\n/).slice(1).join('\n\n'));
    expect(msg?.raw).toMatch(/^Subject: =\?UTF-8\?Q\?Confirmez_votre_adresse_/m);
    expect(msg?.raw).toMatch(/^Content-Type: text\/plain; charset=utf-8/m);
    expect(body).toContain('Bonjour Jules,');
    expect(body).toMatch(/http:\/\/club\.test\/inscription\/confirmer\?jeton=[\w-]{43}/);
    expect(await t.deps.db.mailMessage.count()).toBe(0);
  });

  it('a temporary SMTP failure is retried and the message is not lost', async () => {
    failNext = 1;
    const before = received.length;
    const { email } = await createMember(t.deps, { email: 'retry@exemple.fr' }, { confirmed: false });
    await t.worker.runOnce();
    expect(received.length).toBe(before);
    const job = await t.deps.db.job.findFirstOrThrow({ where: { memberId: { not: null }, lastError: { not: null } } });
    expect(job.status).toBe('PENDING');
    t.clock.advance(60_000);
    await t.worker.drain();
    expect(received.some((m) => m.to.includes(email))).toBe(true);
    t.clock.advance(-60_000);
  });
});

describe('the development mailbox', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('keeps messages when no SMTP server is configured, shown to staff only, views audited', async () => {
    const { member } = await createMember(t.deps, { email: 'boite@exemple.fr' }, { confirmed: false });
    await t.worker.drain();
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const agent = await loginAgent(t.app, staff.email, staff.password);
    const list = await agent.get('/gestion/courriels');
    expect(list.text).toContain('boite@exemple.fr');
    const id = /href="\/gestion\/courriels\/([0-9a-f-]{36})"/.exec(list.text)![1];
    const one = await agent.get(`/gestion/courriels/${id}`);
    expect(one.text).toContain('/inscription/confirmer?jeton=');
    expect(await t.deps.db.auditEvent.count({ where: { action: 'personal-data.viewed', actorMemberId: staff.member.id, subjectMemberId: member.id } })).toBe(1);
    const m = await createMember(t.deps);
    const asMember = await loginAgent(t.app, m.email, m.password);
    expect((await asMember.get('/gestion/courriels')).status).toBe(403);
  });
});
