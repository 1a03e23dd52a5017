import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { DONE_COUNT_CAP } from '../src/jobs/service.ts';

let t: TestApp;
let admin: Awaited<ReturnType<typeof createMember>>;
let agent: ReturnType<typeof request.agent>;
beforeAll(async () => {
  t = await createTestApp();
  admin = await createMember(t.deps, {}, { role: 'ADMIN' });
  agent = await loginAgent(t.app, admin.email, admin.password);
});
afterAll(() => t.close());

describe('admin', () => {
  it('finds an account by member number or e-mail; the search is audited', async () => {
    const { member, email } = await createMember(t.deps);
    const num = `M${String(member.number).padStart(6, '0')}`;
    for (const q of [num, num.toLowerCase(), String(member.number), email.toUpperCase()]) {
      const res = await agent.get(`/admin?q=${encodeURIComponent(q)}`);
      expect(res.text, q).toContain(`/admin/membres/${member.id}`);
    }
    expect((await agent.get('/admin?q=personne%40exemple.fr')).text).toContain('Aucun compte trouvé.');
    expect(await t.deps.db.auditEvent.count({ where: { action: 'personal-data.viewed', actorMemberId: admin.member.id } })).toBeGreaterThanOrEqual(5);
  });

  it('changes a role: audited, and the member’s sessions end', async () => {
    const m = await createMember(t.deps);
    const theirs = await loginAgent(t.app, m.email, m.password);
    const res = await postForm(agent, `/admin/membres/${m.member.id}`, `/admin/membres/${m.member.id}/role`, { role: 'STAFF' });
    expect(res.status).toBe(303);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: m.member.id } })).role).toBe('STAFF');
    expect((await theirs.get('/compte')).status).toBe(303);
    const staffAgain = await loginAgent(t.app, m.email, m.password);
    expect((await staffAgain.get('/gestion')).status).toBe(200);
    const ev = await t.deps.db.auditEvent.findFirstOrThrow({ where: { action: 'role.changed', subjectMemberId: m.member.id } });
    expect(ev.details).toEqual({ from: 'MEMBER', to: 'STAFF' });
  });

  it('cannot remove their own admin role', async () => {
    const res = await postForm(agent, `/admin/membres/${admin.member.id}`, `/admin/membres/${admin.member.id}/role`, { role: 'MEMBER' });
    expect(res.status).toBe(422);
    expect(res.text).toContain('Vous ne pouvez pas retirer votre propre rôle');
  });

  it('erases an account on a written request, with its reference', async () => {
    const m = await createMember(t.deps);
    const none = await postForm(agent, `/admin/membres/${m.member.id}`, `/admin/membres/${m.member.id}/effacer`, { requestRef: '' });
    expect(none.status).toBe(422);
    expect(none.text).toContain('Indiquez la référence de la demande écrite');
    const ok = await postForm(agent, `/admin/membres/${m.member.id}`, `/admin/membres/${m.member.id}/effacer`, { requestRef: 'DPO-2026-11-20' });
    expect(ok.status).toBe(303);
    const page = await agent.get(`/admin/membres/${m.member.id}`);
    expect(page.text).toContain('Compte effacé le');
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: m.member.id } })).email).toBeNull();
    const ev = await t.deps.db.auditEvent.findFirstOrThrow({ where: { action: 'member.erased', subjectMemberId: m.member.id } });
    expect(ev.actorMemberId).toBe(admin.member.id);
  });

  it('the audit log shows member numbers, never personal data', async () => {
    const res = await agent.get('/admin/journal');
    expect(res.status).toBe(200);
    // In a row of the journal (the action filter's select lists every action).
    expect(res.text).toContain('<data value="member.erased">');
    expect(res.text).not.toMatch(/@exemple\.fr/);
  });

  it('lists failed and dead jobs', async () => {
    await t.deps.db.job.create({ data: { kind: 'email', payload: {}, status: 'DEAD', attempts: 8, lastError: 'Error: boom', runAt: t.clock.now(), createdAt: t.clock.now() } });
    const res = await agent.get('/admin/taches');
    expect(res.text).toContain('Error: boom');
    expect(res.text).toContain('DEAD');
  });

  it('counts the jobs by status, the finished ones up to a cap', async () => {
    const at = t.clock.now();
    const shown = async () => {
      const text = (await agent.get('/admin/taches')).text;
      return Object.fromEntries([...text.matchAll(/<data value="(\w+)">[^<]*<\/data> : ([^<]+)<\/li>/g)].map((m) => [m[1], m[2]]));
    };
    const before = await shown();
    const done = (n: number) =>
      t.deps.db.job.createMany({ data: Array.from({ length: n }, () => ({ kind: 'test.count', payload: {}, status: 'DONE' as const, runAt: at, createdAt: at, finishedAt: at })) });
    try {
      const finished = await t.deps.db.job.count({ where: { status: 'DONE' } });
      expect(finished).toBeLessThan(DONE_COUNT_CAP);
      expect(before.DONE).toBe(String(finished));
      await t.deps.db.job.create({ data: { kind: 'test.count', payload: {}, status: 'PENDING', runAt: new Date(at.getTime() + 3_600_000), createdAt: at } });
      await done(DONE_COUNT_CAP - finished);
      const atCap = await shown();
      expect(atCap.DONE).toBe(String(DONE_COUNT_CAP));
      expect(atCap.PENDING).toBe(String(Number(before.PENDING ?? 0) + 1));
      await done(1);
      expect((await shown()).DONE).toBe('plus de 1\u202f000');
    } finally {
      await t.deps.db.job.deleteMany({ where: { kind: 'test.count' } });
    }
  });
});

describe('errors', () => {
  it('an unexpected failure shows a French 500 page with a request id and no stack trace', async () => {
    const t2 = await createTestApp();
    const m = await createMember(t2.deps);
    const a = await loginAgent(t2.app, m.email, m.password);
    await t2.close();
    const res = await a.get('/compte');
    expect(res.status).toBe(500);
    expect(res.text).toContain('Une erreur est survenue');
    const id = res.headers['x-request-id'];
    expect(res.text).toContain(id);
    expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    const logged = t2.logs.map((l) => JSON.parse(l)).find((l) => l.msg === 'unhandled error');
    expect(logged.req?.id ?? logged.reqId).toBeDefined();
  });
});
