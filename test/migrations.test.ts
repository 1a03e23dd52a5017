import { describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { applyMigrations, diffSchema } from '../src/db/migrations.ts';
import { openPglite } from '../src/db/connect.ts';
import { readFile } from 'node:fs/promises';
import { openTestDatabase } from './helpers/db.ts';
import { testClockStart } from './helpers/app.ts';
import { sortNameOf } from '../src/shop/search.ts';

describe('migrations through the WebAssembly schema engine', () => {
  it('the migrations folder and the Prisma schema agree (no pending schema change)', async () => {
    expect(await diffSchema()).toBe('');
  }, 240_000); // replays every migration into a shadow database: slow on a loaded machine

  it('applies the history to an empty database, records it, and is idempotent', async () => {
    const db = await openPglite(new PGlite('memory://'));
    try {
      const first = await applyMigrations(db.factory);
      expect(first.length).toBeGreaterThan(0);
      expect(await applyMigrations(db.factory)).toEqual([]);
      const rows = await db.prisma.$queryRaw<{ migration_name: string }[]>`SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`;
      expect(rows.map((r) => r.migration_name)).toEqual(first);
    } finally {
      await db.close();
    }
  });

  it('with every migration recorded, the engine is not loaded; a failed one still goes to it and is reported', async () => {
    const db = await openPglite(new PGlite('memory://'));
    try {
      const applied = await applyMigrations(db.factory);
      expect(await applyMigrations(db.factory)).toEqual([]);
      // A migration left half-applied (started, neither finished nor rolled back): the engine refuses to go on.
      await db.prisma.$executeRawUnsafe(
        `INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at, applied_steps_count) VALUES ('failed-1', 'x', '${applied.at(-1)}', now(), 0)`,
      );
      await expect(applyMigrations(db.factory)).rejects.toThrow(/failed/i);
    } finally {
      await db.close();
    }
  });

  it('the database enforces the append-only credit ledger', async () => {
    const db = await openTestDatabase();
    try {
      const at = new Date();
      const m = await db.prisma.member.create({ data: { createdAt: at, lastActiveAt: at } });
      const line = await db.prisma.creditLine.create({ data: { memberId: m.id, amountCents: 100, kind: 'ADJUSTMENT', label: 'x', idempotencyKey: 'k1', createdAt: at } });
      await expect(db.prisma.creditLine.update({ where: { id: line.id }, data: { amountCents: 200 } })).rejects.toThrow(/append-only/);
      await expect(db.prisma.creditLine.delete({ where: { id: line.id } })).rejects.toThrow(/append-only/);
      await expect(db.prisma.creditLine.create({ data: { memberId: m.id, amountCents: 0, kind: 'ADJUSTMENT', label: 'x', idempotencyKey: 'k2', createdAt: at } })).rejects.toThrow();
    } finally {
      await db.close();
    }
  });

  it('the sort-name migration gives the products already there the key the application writes', async () => {
    const sql = await readFile(new URL('../prisma/migrations/20261204210000_product_sort_name/migration.sql', import.meta.url), 'utf8');
    const update = /^UPDATE "Product"[\s\S]*?;$/m.exec(sql)?.[0];
    expect(update).toBeDefined();
    const db = await openTestDatabase();
    try {
      const at = testClockStart();
      const category = await db.prisma.category.create({ data: { slug: 'c', name: 'C', createdAt: at, updatedAt: at } });
      // Precomposed and decomposed accents (a pasted name may come either way), ligatures, letters
      // of other languages, superscripts, punctuation and spaces.
      const names = ['Écharpe rayée', 'E\u0301charpe de portage', 'ŒUF à la coque', 'Veilleuse « lune »', 'Jeu d’éveil : 2-4 ans', 'Cœur brodé', 'Ça pousse !', 'Noël en forêt', 'Straße', 'ÆSOPE', 'XIXᵉ siècle', 'Dvořák pour bébés', 'SMØRREBRØD', 'Ÿ et ÿ'];
      for (const [i, name] of names.entries())
        await db.prisma.product.create({ data: { slug: `p${i}`, name, sortName: '', categoryId: category.id, priceCents: 100, vatRateBp: 2000, createdAt: at, updatedAt: at } });
      await db.prisma.$executeRawUnsafe(update!);
      // Compared as bytes whatever the server's locale (a French or English one skips spaces).
      const [column] = await db.prisma.$queryRaw<{ collation: string | null }[]>`SELECT collation_name AS collation FROM information_schema.columns WHERE table_name = 'Product' AND column_name = 'sortName'`;
      expect(column.collation).toBe('C');
      const rows = await db.prisma.product.findMany({ select: { name: true, sortName: true } });
      expect(Object.fromEntries(rows.map((r) => [r.name, r.sortName]))).toEqual(Object.fromEntries(names.map((n) => [n, sortNameOf(n)])));
    } finally {
      await db.close();
    }
  });
});
