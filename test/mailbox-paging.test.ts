// The staff's mailbox (/gestion/courriels): keyset pages newest first, each listing audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import { createTestApp, loginAgent } from './helpers/app.ts';
import { walkBack, walkForward } from './helpers/keyset.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let staffId: string;
const MINUTE = 60_000;
const ids = (html: string) => [...html.matchAll(/href="\/gestion\/courriels\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
/** The audit lines of the staff member's mailbox listings, oldest first. */
const listings = async () =>
  (await t.deps.db.auditEvent.findMany({ where: { action: 'personal-data.viewed', actorMemberId: staffId }, orderBy: { id: 'asc' } }))
    .map((e) => e.details as { what: string; hits: number })
    .filter((d) => d.what === 'mailbox');

beforeAll(async () => {
  t = await createTestApp();
  const staff = await createMember(t.deps, {}, { role: 'STAFF' });
  staffId = staff.member.id;
  agent = await loginAgent(t.app, staff.email, staff.password);
  // 130 kept messages, three at each instant, so a page of 50 ends inside a tie (random ids: the tie
  // is broken by the uuid order).
  const now = t.clock.now().getTime();
  await t.deps.db.mailMessage.createMany({
    data: Array.from({ length: 130 }, (_, i) => ({
      id: randomUUID(),
      to: `destinataire-${i}@exemple.fr`,
      subject: `Message ${i}`,
      text: 'Bonjour',
      createdAt: new Date(now - 10 * MINUTE - Math.floor(i / 3) * 13 * MINUTE),
    })),
  });
});
afterAll(() => t.close());

describe('staff mailbox', () => {
  it('walking the pages forward then back lists each message once, newest first; each page is audited with its hits', async () => {
    const all = (await t.deps.db.mailMessage.findMany({ orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], select: { id: true } })).map((m) => m.id);
    expect(all.length).toBeGreaterThanOrEqual(130);
    const before = (await listings()).length;
    const { pages, hrefs } = await walkForward(agent, '/gestion/courriels', ids, 20);
    expect(pages.length).toBe(Math.ceil(all.length / 50));
    expect(pages.slice(0, -1).every((p) => p.length === 50)).toBe(true);
    expect(pages.flat()).toEqual(all);
    expect(hrefs.slice(1).every((h) => /^\/gestion\/courriels\?avant=\d+_[0-9a-f-]{36}$/.test(h))).toBe(true);
    expect((await listings()).slice(before).map((d) => d.hits)).toEqual(pages.map((p) => p.length));

    const back = await walkBack(agent, hrefs[hrefs.length - 1], ids, 20);
    expect(back).toEqual(pages);
  });

  it('a malformed page link says so (422), lists and audits nothing, never a 500', async () => {
    const before = (await listings()).length;
    for (const q of ['avant=abc', 'avant=123', 'apres=1_zz', 'avant=1_0000', 'avant=1_2&apres=1_2', 'avant=1_2&avant=3_4']) {
      const res = await agent.get(`/gestion/courriels?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.text, q).toContain('Ce lien de page n’est pas valide.');
      expect(ids(res.text), q).toEqual([]);
    }
    expect((await listings()).length).toBe(before);
  });
});
