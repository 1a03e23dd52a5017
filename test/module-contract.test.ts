// The module contract: the registry refuses two modules claiming the same thing, and the eraser
// follows rows owned through a parent and per-row rules on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRegistry } from '../src/core/registry.ts';
import type { Classification, DomainModule } from '../src/core/module.ts';
import { MODULES } from '../src/modules.ts';
import { erasureStatements } from '../src/privacy/eraser.ts';
import { openTestDatabase } from './helpers/db.ts';
import type { TestDatabase } from './helpers/db.ts';

describe('the registry', () => {
  it('lists every table, job kind, audit action and export key once, and nav entries per area', () => {
    const r = buildRegistry(MODULES);
    expect(Object.keys(r.tableOwner).sort()).toEqual(Object.keys(r.classification).sort());
    expect(r.tableOwner.CreditLine).toBe('credit');
    expect(Object.keys(r.jobs).sort()).toEqual(['contest-close', 'contests-close-due', 'contests-retention', 'email', 'newsletter.forget', 'newsletter.sync', 'orders.auto-cancel', 'password-reset', 'retention']);
    expect(r.auditLabels['credit.adjusted']).toBe('Crédit ajusté');
    expect(r.nav('staff').map((n) => n.href)).toContain('/gestion/coupons');
    expect(new Set(r.exports.map((e) => e.key)).size).toBe(r.exports.length);
    expect(Object.keys(r.memberFacts)).toEqual(['balanceCents']);
  });

  it('refuses two modules that classify the same table, declare the same job, audit action, export key or member fact', () => {
    const [credit] = MODULES.filter((m) => m.name === 'credit');
    const thief = (extra: Partial<DomainModule>): DomainModule => ({ name: 'thief', ...extra });
    expect(() => buildRegistry([credit, thief({ classification: { CreditLine: credit.classification!.CreditLine } })])).toThrow(/CreditLine/);
    expect(() => buildRegistry([credit, thief({ audit: { 'credit.adjusted': 'x' } })])).toThrow(/credit\.adjusted/);
    expect(() => buildRegistry([credit, thief({ exports: [{ key: 'credit', title: 'x', description: 'x', table: 'CreditLine' }] })])).toThrow(/credit/);
    expect(() => buildRegistry([credit, thief({ memberFacts: { balanceCents: '0' } })])).toThrow(/balanceCents/);
    expect(() => buildRegistry([credit, thief({ memberFacts: { 'a"b': '0' } })])).toThrow(/a"b/);
    expect(() => buildRegistry([credit, credit])).toThrow(/twice/);
  });
});

describe('erasure driven by the classification', () => {
  let db: TestDatabase;
  const alice = '00000000-0000-4000-8000-00000000000a';
  const bob = '00000000-0000-4000-8000-00000000000b';
  beforeAll(async () => {
    db = await openTestDatabase();
    await db.prisma.$executeRawUnsafe(`CREATE TABLE "XOrder" (id text PRIMARY KEY, "memberId" uuid, recipient text, total int)`);
    await db.prisma.$executeRawUnsafe(`CREATE TABLE "XLine" (id text PRIMARY KEY, "orderId" text, note text, qty int)`);
    await db.prisma.$executeRawUnsafe(`CREATE TABLE "XLabel" (id text PRIMARY KEY, "lineId" text, address text)`);
    await db.prisma.$executeRawUnsafe(`CREATE TABLE "XEntry" (id text PRIMARY KEY, "memberId" uuid, published boolean, answer text)`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO "XOrder" VALUES ('o1', '${alice}', 'Alice A', 10), ('o2', '${bob}', 'Bob B', 20)`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO "XLine" VALUES ('l1', 'o1', 'pour Alice', 1), ('l2', 'o2', 'pour Bob', 2)`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO "XLabel" VALUES ('b1', 'l1', '1 rue Alice'), ('b2', 'l2', '2 rue Bob')`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO "XEntry" VALUES ('e1', '${alice}', false, 'Alice répond'), ('e2', '${alice}', true, 'Alice gagne'), ('e3', '${bob}', false, 'Bob répond')`);
  });
  afterAll(() => db.close());

  it('erases rows owned through a parent (two levels) and applies per-row rules, leaving other members alone', async () => {
    // Test tables, not Prisma models: the shape is the contract's, the names are made up.
    const classification = {
      XOrder: { owner: 'memberId', onErase: 'scrub', fields: { id: 'operational', memberId: 'pseudonymous-id', recipient: 'personal', total: 'accounting' } },
      XLine: { owner: { via: 'XOrder', key: 'orderId' }, onErase: 'scrub', fields: { id: 'operational', orderId: 'operational', note: 'personal', qty: 'accounting' } },
      XLabel: { owner: { via: 'XLine', key: 'lineId' }, onErase: 'delete', fields: { id: 'operational', lineId: 'operational', address: 'personal' } },
      XEntry: {
        owner: 'memberId',
        onErase: { deleteWhere: 'NOT "published"', otherwise: 'scrub' },
        fields: { id: 'operational', memberId: { class: 'personal', erasedValue: 'NULL' }, published: 'operational', answer: 'personal' },
      },
    } as unknown as Classification;
    const statements = erasureStatements(classification);
    // Rows owned through a parent go first (the label before its line, the line before its order).
    const position = (t: string) => statements.findIndex((s) => s.startsWith(`DELETE FROM "${t}" `) || s.startsWith(`UPDATE "${t}" `));
    expect(position('XLabel')).toBeGreaterThanOrEqual(0);
    expect(position('XLabel')).toBeLessThan(position('XLine'));
    expect(position('XLine')).toBeLessThan(position('XOrder'));
    await db.prisma.$transaction(async (tx) => {
      for (const sql of statements) await tx.$executeRawUnsafe(sql, alice);
    });
    const rows = async (sql: string) => db.prisma.$queryRawUnsafe<Record<string, unknown>[]>(sql);
    expect(await rows(`SELECT id, recipient, total FROM "XOrder" ORDER BY id`)).toEqual([{ id: 'o1', recipient: null, total: 10 }, { id: 'o2', recipient: 'Bob B', total: 20 }]);
    expect(await rows(`SELECT id, note, qty FROM "XLine" ORDER BY id`)).toEqual([{ id: 'l1', note: null, qty: 1 }, { id: 'l2', note: 'pour Bob', qty: 2 }]);
    expect(await rows(`SELECT id FROM "XLabel" ORDER BY id`)).toEqual([{ id: 'b2' }]);
    // The open contest's entry is deleted; the published one stays, anonymised.
    expect(await rows(`SELECT id, "memberId", answer FROM "XEntry" ORDER BY id`)).toEqual([
      { id: 'e2', memberId: null, answer: null },
      { id: 'e3', memberId: bob, answer: 'Bob répond' },
    ]);
  });
});
