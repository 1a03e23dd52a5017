// What a careful reader of the code found could go wrong between two requests, replayed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { createBatchWithCodes, createMember, memberInput } from '../src/dev/factories.ts';
import { registerMember, updateContact } from '../src/accounts/service.ts';
import { setNewsletter } from '../src/newsletter/service.ts';
import { redeemCoupon } from '../src/coupons/service.ts';
import { eraseMember } from '../src/privacy/eraser.ts';
import { balanceOf } from '../src/credit/ledger.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('writes that arrive after an erasure', () => {
  it('a profile save or a newsletter choice that raced the erasure writes nothing back', async () => {
    const { member } = await createMember(t.deps);
    await eraseMember(t.deps, member.id, { reason: 'self', actorId: member.id });
    const contact = { firstName: 'Revenant', lastName: 'Fantôme', addressLine1: '1 rue du Retour', addressLine2: null, postcode: '75011', city: 'Paris', country: 'FR' as const, phone: null };
    await expect(updateContact(t.deps, member.id, contact)).rejects.toThrow('n’existe plus');
    await expect(setNewsletter(t.deps, member, !member.newsletterOptIn)).rejects.toThrow('n’existe plus');
    const row = await t.deps.db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect([row.firstName, row.lastName, row.addressLine1, row.city]).toEqual([null, null, null, null]);
    expect(row.newsletterOptIn).toBe(false);
  });
});

describe('credit the member did not agree to give up', () => {
  it('deleting one’s account without confirming the forfeit is refused under the lock when credit arrived meanwhile', async () => {
    const staff = await createMember(t.deps, {}, { role: 'STAFF' });
    const m = await createMember(t.deps);
    const { codes } = await createBatchWithCodes(t.deps, staff.member.id, { quantity: 1, valueCents: 700 });
    // The deletion form was sent with a zero balance (no box to tick); a coupon is redeemed in another tab first.
    await redeemCoupon(t.deps, m.member, codes[0], '10.1.2.3');
    await expect(eraseMember(t.deps, m.member.id, { reason: 'self', actorId: m.member.id, forfeitConfirmed: false })).rejects.toThrow('renoncez');
    expect((await t.deps.db.member.findUniqueOrThrow({ where: { id: m.member.id } })).erasedAt).toBeNull();
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(700);
    // Confirmed: erased, the credit forfeited in the ledger.
    expect(await eraseMember(t.deps, m.member.id, { reason: 'self', actorId: m.member.id, forfeitConfirmed: true })).toBe(true);
    expect(await balanceOf(t.deps.db, m.member.id)).toBe(0);
  });
});

describe('two registrations for one new address at once', () => {
  it('both are answered as a registration (one account), neither fails', async () => {
    const input = memberInput();
    const results = await Promise.all([registerMember(t.deps, input), registerMember(t.deps, input)]);
    expect(results.filter((id) => id !== null)).toHaveLength(1);
    expect(await t.deps.db.member.count({ where: { email: input.email } })).toBe(1);
  });
});

describe('identifiers that look like ids but are not', () => {
  it('36 characters of hex digits and dashes that are no UUID are a 404, not a 500', async () => {
    const admin = await createMember(t.deps, {}, { role: 'ADMIN' });
    const agent = await loginAgent(t.app, admin.email, admin.password);
    for (const bad of ['a'.repeat(36), '-'.repeat(36)]) {
      expect((await agent.get(`/admin/membres/${bad}`)).status, bad).toBe(404);
      expect((await agent.get(`/gestion/courriels/${bad}`)).status, bad).toBe(404);
    }
  });
});
