// Gapless numbering: concurrent transactions get consecutive numbers; a rolled-back one gives its number back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, onPostgres } from './helpers/db.ts';
import type { TestDatabase } from './helpers/db.ts';
import { nextNumber } from '../src/db/counter.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database?.close());

describe('nextNumber', () => {
  it('starts at 1 per sequence and counts up', async () => {
    const db = database.prisma;
    expect(await db.$transaction((tx) => nextNumber(tx, 'a'))).toBe(1);
    expect(await db.$transaction((tx) => nextNumber(tx, 'a'))).toBe(2);
    expect(await db.$transaction((tx) => nextNumber(tx, 'b'))).toBe(1);
  });

  it('a rolled-back transaction leaves no gap', async () => {
    const db = database.prisma;
    await db
      .$transaction(async (tx) => {
        await nextNumber(tx, 'c');
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(await db.$transaction((tx) => nextNumber(tx, 'c'))).toBe(1);
  });

  // Only PostgreSQL runs these transactions concurrently.
  it.runIf(onPostgres)('40 concurrent transactions, every third rolled back: the committed numbers are exactly 1..n', async () => {
    const db = database.prisma;
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        db.$transaction(async (tx) => {
          const n = await nextNumber(tx, 'race');
          await tx.$executeRaw`SELECT pg_sleep(0.005)`;
          if (i % 3 === 0) throw new Error('rollback');
          return n;
        }),
      ),
    );
    const committed = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])).sort((x, y) => x - y);
    expect(committed).toEqual(Array.from({ length: committed.length }, (_, i) => i + 1));
    expect(committed.length).toBe(26);
  });
});
