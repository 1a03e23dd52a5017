// An erasure on written request keeps the request's reference in the audit log, never personal data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type request from 'supertest';
import { createTestApp, loginAgent, postForm } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createMember } from '../src/dev/factories.ts';
import { eraseMember } from '../src/privacy/eraser.ts';

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
    expect((await erase(member.id, '  DPO-014  ')).status).toBe(303);
    const ev = await t.deps.db.auditEvent.findFirstOrThrow({
      where: { action: 'member.erased', subjectMemberId: member.id },
    });
    expect(ev.actorMemberId).toBe(adminId);
    expect(ev.details).toEqual({ reason: 'admin-request', requestRef: 'DPO-014' });
    expect((await agent.get('/admin/journal')).text).toContain('DPO-014');
  });

  it('tells the admin, in words for the admin, which orders hold the erasure back', async () => {
    const { member } = await createMember(t.deps);
    const now = t.clock.now();
    const tag = member.id.slice(0, 8);
    await t.deps.db.order.create({
      data: {
        reference: `E${tag}`, memberId: member.id, status: 'PAID', idempotencyKey: `admin-veto-${tag}`, goodsCents: 1000, shippingCents: 0, totalCents: 1000,
        creditUsedCents: 1000, dueCents: 0, paymentMethod: 'credit', invoiceNumber: 800_000_000 + (Number.parseInt(tag.slice(0, 6), 16) % 1_000_000),
        recipientName: 'Destinataire', createdAt: now, updatedAt: now,
      },
    });
    const res = await erase(member.id, 'DPO-015');
    expect(res.status).toBe(409);
    expect(res.text).toContain(`Ce compte a des commandes en cours (E${tag})`);
    expect(res.text).not.toContain('Votre compte');
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).erasedAt).toBeNull();
  });

  it('refuses a reference that can hold a name, says why in French, keeps what was typed, and erases nothing', async () => {
    const { member } = await createMember(t.deps);
    for (const ref of ['Mme Dupont 12', 'DUPONT-12', 'Courrier du 20/11/2026', 'Dupont', 'M.Dupont.2026', '12', 'x'.repeat(41)]) {
      const res = await erase(member.id, ref);
      expect(res.status, ref).toBe(422);
      expect(res.text, ref).toMatch(/Référence de la demande : (le numéro du courrier ou du dossier, sans espace|40 caractères au maximum)|Indiquez la référence/);
      expect(res.text, ref).toContain(`value="${ref}"`);
    }
    const page = await erase(member.id, 'Mme Dupont 12');
    expect(page.text).toContain('Référence de la demande : le numéro du courrier ou du dossier, sans espace, par exemple DPO-014 ou 2026/118');
    expect(page.text).toContain('jamais de nom ni d’adresse électronique');
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).erasedAt).toBeNull();
    expect(await t.deps.db.auditEvent.count({ where: { action: 'member.erased', subjectMemberId: member.id } })).toBe(0);
    // The service refuses it too, whoever calls it.
    await expect(eraseMember(t.deps, member.id, { reason: 'admin-request', requestRef: 'Mme Dupont 12' })).rejects.toThrow(/jamais un nom/);
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).erasedAt).toBeNull();
  });

  it('accepts the usual forms of a letter or file number', async () => {
    for (const ref of ['DPO-014', '2026/118', 'LRAR.2026.07', 'AR-2026-1A']) {
      const { member } = await createMember(t.deps);
      expect((await erase(member.id, ref)).status, ref).toBe(303);
      const ev = await t.deps.db.auditEvent.findFirstOrThrow({ where: { action: 'member.erased', subjectMemberId: member.id } });
      expect(ev.details).toEqual({ reason: 'admin-request', requestRef: ref });
    }
  });

  it('refuses a reference that looks like an e-mail address, and erases nothing', async () => {
    const { member, email } = await createMember(t.deps);
    for (const ref of [email, `Courriel de ${email}`, 'jean.dupont＠exemple.fr']) {
      const res = await erase(member.id, ref);
      expect(res.status, ref).toBe(422);
      expect(res.text).toContain('jamais de nom ni d’adresse électronique');
    }
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } })).erasedAt).toBeNull();
    expect(await t.deps.db.auditEvent.count({ where: { action: 'member.erased', subjectMemberId: member.id } })).toBe(
      0,
    );
  });
});
