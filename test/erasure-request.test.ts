// An erasure on written request keeps the request's reference in the audit log, never personal data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import { createTestApp, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';

let t: TestApp;
let agent: ReturnType<typeof request.agent>;
let adminId: string;
beforeAll(async () => {
  t = await createTestApp();
  const admin = await createMember(t.deps, {}, { role: 'ADMIN' });
  adminId = admin.member.id;
  agent = await loginAgent(t.app, admin.email, admin.password);
});
afterAll(() => t.close());

const erase = (memberId: string, requestRef: string) =>
  postForm(agent, `/admin/membres/${memberId}`, `/admin/membres/${memberId}/effacer`, { requestRef });

describe('erasure on written request', () => {
  it('keeps the request reference in the audit entry', async () => {
    const { member } = await createMember(t.deps);
    expect((await erase(member.id, '  Courrier DPO-014  ')).status).toBe(303);
    const ev = await t.deps.db.auditEvent.findFirstOrThrow({
      where: { action: 'member.erased', subjectMemberId: member.id },
    });
    expect(ev.actorMemberId).toBe(adminId);
    expect(ev.details).toEqual({ reason: 'admin-request', requestRef: 'Courrier DPO-014' });
    expect((await agent.get('/admin/journal')).text).toContain('Courrier DPO-014');
  });

  it('refuses a reference that looks like an e-mail address, and erases nothing', async () => {
    const { member, email } = await createMember(t.deps);
    for (const ref of [email, `Courriel de ${email}`, 'jean.dupont＠exemple.fr']) {
      const res = await erase(member.id, ref);
      expect(res.status, ref).toBe(422);
      expect(res.text).toContain('pas d’adresse électronique');
    }
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).erasedAt).toBeNull();
    expect(await t.deps.db.auditEvent.count({ where: { action: 'member.erased', subjectMemberId: member.id } })).toBe(
      0,
    );
  });
});
