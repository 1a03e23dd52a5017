// The admins' audit journal: keyset pages, filters kept in the links, bad input said on the form.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import { createTestApp, loginAgent } from './helpers/app.ts';
import { walkBack, walkForward } from './helpers/keyset.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { formatDateTime, nextDay, parisDay, parisDayStart } from '../src/core/dates.ts';
import { memberNumber } from '../src/core/member-number.ts';
import { describeDetails } from '../src/audit/service.ts';
import { Prisma } from '../src/generated/prisma/client.ts';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let members: Awaited<ReturnType<typeof createMember>>['member'][];
/** The Paris day whose boundaries the date filter is tested on, and the ids of its edge events. */
let day: string;
const edge: Record<'before' | 'first' | 'last' | 'after', bigint> = { before: 0n, first: 0n, last: 0n, after: 0n };

const ACTIONS = ['role.changed', 'password.changed', 'member.registered', 'personal-data.viewed'];
const MINUTE = 60_000;
const ids = (html: string) => [...html.matchAll(/<tr data-id="(\d+)">/g)].map((m) => BigInt(m[1]));
/** The events the journal should list for a filter, newest first on (at, id). */
const expected = async (where: Prisma.AuditEventWhereInput = {}) =>
  (await t.deps.db.auditEvent.findMany({ where, orderBy: [{ at: 'desc' }, { id: 'desc' }], select: { id: true } })).map((e) => e.id);

/** Walks the journal from `start` by its "Page suivante" links, then back by "Page précédente". */
async function walk(start: string) {
  const { pages, hrefs } = await walkForward(agent, start, ids);
  const back = await walkBack(agent, hrefs[hrefs.length - 1], ids);
  return { pages, back, hrefs };
}

beforeAll(async () => {
  t = await createTestApp();
  const admin = await createMember(t.deps, {}, { role: 'ADMIN' });
  members = [admin.member];
  for (let i = 0; i < 3; i++) members.push((await createMember(t.deps)).member);
  agent = await loginAgent(t.app, admin.email, admin.password);
  // 276 events over about three days before the test clock's now, three at each instant (the
  // pages of 50 end in the middle of a tie), across actions and members, as actor or subject.
  const now = t.clock.now().getTime();
  const data: Prisma.AuditEventCreateManyInput[] = [];
  for (let i = 0; i < 270; i++) {
    data.push({
      at: new Date(now - 60 * MINUTE - Math.floor(i / 3) * 47 * MINUTE),
      action: ACTIONS[i % ACTIONS.length],
      actorMemberId: i % 5 === 0 ? null : members[i % 4].id,
      subjectMemberId: i % 7 === 0 ? null : members[(i + 1) % 4].id,
      details: { id: `e${i}` },
    });
  }
  // A member acting on their own account: one event, listed once under their number.
  for (let i = 0; i < 6; i++) data.push({ at: new Date(now - 30 * MINUTE - i * 400 * MINUTE), action: 'password.changed', actorMemberId: members[2].id, subjectMemberId: members[2].id });
  await t.deps.db.auditEvent.createMany({ data });
  // The edges of a Paris day: its last millisecond's neighbours on both sides.
  day = parisDay(new Date(now - 2 * 24 * 60 * MINUTE));
  const start = parisDayStart(day).getTime();
  const end = parisDayStart(nextDay(day)).getTime();
  for (const [k, at] of [['before', start - 1], ['first', start], ['last', end - 1], ['after', end]] as const) {
    edge[k] = (await t.deps.db.auditEvent.create({ data: { at: new Date(at), action: 'role.changed', subjectMemberId: members[1].id } })).id;
  }
});
afterAll(() => t.close());

describe('audit journal', () => {
  it('walking the pages forward then back lists each event once, newest first, 50 a page', async () => {
    const all = await expected();
    expect(all.length).toBeGreaterThan(270);
    const { pages, back } = await walk('/admin/journal');
    expect(pages.length).toBe(Math.ceil(all.length / 50));
    expect(pages.slice(0, -1).every((p) => p.length === 50)).toBe(true);
    expect(pages.flat()).toEqual(all);
    expect(back).toEqual(pages);
  });

  it('viewing the journal is not itself audited (it holds numbers and ids only)', async () => {
    const before = await t.deps.db.auditEvent.count();
    await agent.get('/admin/journal');
    await agent.get(`/admin/journal?membre=${memberNumber(members[1].number)}`);
    expect(await t.deps.db.auditEvent.count()).toBe(before);
  });

  it('filters by action, with the French labels in the select; the filter stays in the page links', async () => {
    const page = await agent.get('/admin/journal');
    expect(page.text).toContain('<option value="role.changed" >Rôle changé</option>');
    const want = await expected({ action: 'role.changed' });
    expect(want.length).toBeGreaterThan(50);
    const { pages, back, hrefs } = await walk('/admin/journal?action=role.changed');
    expect(pages.flat()).toEqual(want);
    expect(back).toEqual(pages);
    expect(hrefs.slice(1).every((h) => h.includes('action=role.changed'))).toBe(true);
    const second = await agent.get(hrefs[1]);
    expect(second.text).toContain('<option value="role.changed" selected>');
  });

  it('filters by member number, as actor or subject, in any spelling', async () => {
    const m = members[2];
    const want = await expected({ OR: [{ actorMemberId: m.id }, { subjectMemberId: m.id }] });
    expect(want.length).toBeGreaterThan(100);
    const { pages, back, hrefs } = await walk(`/admin/journal?membre=m${m.number}`);
    expect(pages.flat()).toEqual(want);
    expect(back).toEqual(pages);
    expect(hrefs.slice(1).every((h) => h.includes(`membre=${memberNumber(m.number)}`))).toBe(true);
    const page = await agent.get(`/admin/journal?membre=${m.number}`);
    expect(page.text).toContain(`value="${memberNumber(m.number)}"`);
    // The rows read for a member are whole events: their dates and details as on the unfiltered journal.
    const newest = await t.deps.db.auditEvent.findFirstOrThrow({ where: { OR: [{ actorMemberId: m.id }, { subjectMemberId: m.id }], details: { not: Prisma.AnyNull } }, orderBy: [{ at: 'desc' }, { id: 'desc' }] });
    const row = new RegExp(`<tr data-id="${newest.id}">[\\s\\S]*?</tr>`).exec(page.text)?.[0] ?? '';
    expect(row).toContain(describeDetails(newest.details));
    expect(row).toContain(formatDateTime(newest.at));
  });

  it('filters by Paris days, from the first millisecond of the first to the last of the last', async () => {
    const from = parisDayStart(day);
    const until = parisDayStart(nextDay(day));
    const want = await expected({ at: { gte: from, lt: until } });
    const { pages, hrefs } = await walk(`/admin/journal?du=${day}&au=${day}`);
    const got = pages.flat();
    expect(got).toEqual(want);
    expect(got).toContain(edge.first);
    expect(got).toContain(edge.last);
    expect(got).not.toContain(edge.before);
    expect(got).not.toContain(edge.after);
    expect(hrefs.slice(1).every((h) => h.includes(`du=${day}`) && h.includes(`au=${day}`))).toBe(true);
    // From a day only, to a day only.
    expect((await walk(`/admin/journal?du=${day}`)).pages.flat()).toEqual(await expected({ at: { gte: from } }));
    expect((await walk(`/admin/journal?au=${day}`)).pages.flat()).toEqual(await expected({ at: { lt: until } }));
  });

  it('combines the filters, and keeps them all in the links', async () => {
    const m = members[1];
    const first = parisDay(new Date(t.clock.now().getTime() - 2 * 24 * 60 * MINUTE));
    const want = await expected({
      action: 'role.changed',
      OR: [{ actorMemberId: m.id }, { subjectMemberId: m.id }],
      at: { gte: parisDayStart(first), lt: parisDayStart(nextDay(parisDay(t.clock.now()))) },
    });
    expect(want.length).toBeGreaterThan(0);
    const { pages, hrefs } = await walk(`/admin/journal?action=role.changed&membre=${memberNumber(m.number)}&du=${first}&au=${parisDay(t.clock.now())}`);
    expect(pages.flat()).toEqual(want);
    for (const h of hrefs.slice(1)) expect(h).toMatch(/action=role\.changed&membre=M\d{6}&du=\d{4}-\d\d-\d\d&au=\d{4}-\d\d-\d\d&avant=\d+_\d+$/);
  });

  it('bad input gives the form again (422) with a French message and what was typed, never a 500', async () => {
    const cases: [string, string, string?][] = [
      ['avant=abc', 'Ce lien de page n’est pas valide'],
      ['avant=123', 'Ce lien de page n’est pas valide'],
      ['apres=1_x', 'Ce lien de page n’est pas valide'],
      ['avant=99999999999999999_1', 'Ce lien de page n’est pas valide'],
      ['avant=1_2&apres=1_2', 'Ce lien de page n’est pas valide'],
      // An instant in or after the year 10000: no ISO text a database takes (it gave a 500 on the member filter).
      [`avant=999999999999999_1&membre=${memberNumber(members[2].number)}`, 'Ce lien de page n’est pas valide'],
      ['apres=253402300800000_1', 'Ce lien de page n’est pas valide'],
      ['avant=1_2&avant=3_4', 'Ce lien de page n’est pas valide'],
      ['du=2026-02-30', 'Du : cette date n’existe pas.', 'value="2026-02-30"'],
      ['du=demain', 'Du : date invalide.', 'value="demain"'],
      ['au=1850-01-01', 'Au : une année entre', 'value="1850-01-01"'],
      ['du=2026-03-10&au=2026-03-01', 'Au : la date de fin précède la date de début.', 'value="2026-03-01"'],
      ['membre=X12', 'Numéro de membre : M suivi de chiffres, par exemple M000123.', 'value="X12"'],
      ['membre=M999999', 'aucun membre ne porte le numéro M999999', 'value="M999999"'],
      ['membre=M99999999999', 'Numéro de membre : M suivi de chiffres', 'value="M99999999999"'],
      ['action=nimporte.quoi', 'Action : choisissez une action de la liste.'],
      ['action=a&action=b', 'Une seule valeur par champ du formulaire.'],
      ['action=role.changed&membre=X12', 'Numéro de membre : M suivi de chiffres', '<option value="role.changed" selected>'],
    ];
    for (const [q, message, typed] of cases) {
      const res = await agent.get(`/admin/journal?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.text, q).toContain(message);
      if (typed) expect(res.text, q).toContain(typed);
      expect(ids(res.text), q).toEqual([]);
    }
  });
});

describe('the details of an event', () => {
  it('are written in French: the hand-over’s recipient is the carrier or the supplier, not their codes', () => {
    const { auditDetailLabels, auditDetailValues } = t.deps.registry;
    expect(describeDetails({ what: 'carrier', count: 2 }, auditDetailLabels, auditDetailValues)).toBe('objet : transporteur · nombre : 2');
    expect(describeDetails({ what: 'supplier', count: 1 }, auditDetailLabels, auditDetailValues)).toBe('objet : fournisseur · nombre : 1');
  });
});
