// The embedded database on its own thread (src/db/pglite-remote.ts, decision 0018): the app's
// event loop turns while a query runs, errors reach Prisma as from PostgreSQL, transactions commit
// and roll back, and a stopped thread fails the pending calls instead of leaving them hanging.
import { describe, expect, it } from 'vitest';
import { Prisma } from '../src/generated/prisma/client.ts';
import { openPgliteThread } from '../src/db/connect.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { onPostgres } from './helpers/db.ts';
import { testClockStart } from './helpers/app.ts';

describe.skipIf(onPostgres)('PGlite on its own thread', () => {
  it('the app’s event loop keeps turning while a long query runs', async () => {
    const db = await openPgliteThread({ options: {} });
    try {
      await db.prisma.$queryRaw`SELECT 1`;
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const started = performance.now();
      // A query that keeps PGlite busy for a while (hundreds of ms of WebAssembly).
      const [{ n }] = await db.prisma.$queryRaw<
        { n: bigint }[]
      >`SELECT count(*) AS n FROM generate_series(1, 3000000) g WHERE g % 7 = 0`;
      const elapsed = performance.now() - started;
      clearInterval(timer);
      expect(n).toBe(428571n);
      // On the app's thread the timer could not fire before the query's end (0 or 1 tick).
      expect(elapsed).toBeGreaterThan(50);
      expect(ticks).toBeGreaterThan(Math.floor(elapsed / 5 / 4));
    } finally {
      await db.close();
    }
  }, 60_000);

  it('maps errors, commits and rolls back transactions, and orders queries as one connection', async () => {
    const db = await openPgliteThread({ options: {} });
    try {
      await applyMigrations(db.factory);
      const at = testClockStart();
      await db.prisma.member.create({ data: { email: 'a@example.test', createdAt: at, lastActiveAt: at } });
      // A unique violation is Prisma's P2002, as through @prisma/adapter-pg.
      const dup = await db.prisma.member
        .create({ data: { email: 'a@example.test', createdAt: at, lastActiveAt: at } })
        .catch((e: unknown) => e);
      expect(dup).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
      expect((dup as Prisma.PrismaClientKnownRequestError).code).toBe('P2002');

      await expect(
        db.prisma.$transaction(async (tx) => {
          await tx.member.create({ data: { email: 'b@example.test', createdAt: at, lastActiveAt: at } });
          throw new Error('abandon');
        }),
      ).rejects.toThrow('abandon');
      await db.prisma.$transaction(async (tx) => {
        await tx.member.create({ data: { email: 'c@example.test', createdAt: at, lastActiveAt: at } });
      });
      const emails = (await db.prisma.member.findMany({ select: { email: true }, orderBy: { email: 'asc' } })).map(
        (m) => m.email,
      );
      expect(emails).toEqual(['a@example.test', 'c@example.test']);

      // Dates and big integers cross the thread boundary both ways.
      const [row] = await db.prisma.$queryRaw<
        { t: Date; b: bigint }[]
      >`SELECT ${at}::timestamptz AS t, 9007199254740993::bigint AS b`;
      expect(row.t.toISOString()).toBe(at.toISOString());
      expect(row.b).toBe(9007199254740993n);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('close lets the queries already sent finish; later calls fail instead of hanging', async () => {
    const db = await openPgliteThread({ options: {} });
    // A Prisma query starts when it is awaited or then()-ed: started here, sent well before close().
    const pending = Promise.resolve(
      db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM generate_series(1, 300000)`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await db.close();
    expect((await pending)[0].n).toBe(300000n);
    await expect(db.prisma.$queryRaw`SELECT 1`).rejects.toThrow(/arrêtée/);
  }, 60_000);
});
