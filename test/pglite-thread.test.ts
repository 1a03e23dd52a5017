// The embedded database on its own thread (src/db/pglite-remote.ts, decision 0018): the app's
// event loop turns while a query runs, errors reach Prisma as from PostgreSQL, transactions commit
// and roll back, and a stopped thread fails the pending calls instead of leaving them hanging.
// The calls of one turn travel in one message and the replies a few per message (decision 0084):
// each call still gets its own answer or its own error.
import { Worker } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { Prisma } from '../src/generated/prisma/client.ts';
import { openPgliteThread } from '../src/db/connect.ts';
import { PGliteThread } from '../src/db/pglite-remote.ts';
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

  it('the calls of one turn go in one message, and each gets its own answer or error', async () => {
    const db = await openPgliteThread({ options: {} });
    const sent = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      const adapter = await db.factory.connect();
      const text = { scalarType: 'string', arity: 'scalar' } as const;
      const run = (on: typeof adapter | Awaited<ReturnType<typeof adapter.startTransaction>>, sql: string, i: number) =>
        on.queryRaw({ sql, args: [String(i)], argTypes: [text] }).then(
          (r) => r.rows[0][0],
          (e: unknown) => e,
        );
      sent.mockClear();
      // 60 statements in one turn, one of them failing.
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) => run(adapter, i === 31 ? 'SELECT 1 / ($1::int - 31) AS v' : 'SELECT $1::int * 2 AS v', i)),
      );
      expect(sent).toHaveBeenCalledTimes(1);
      for (let i = 0; i < 60; i++) {
        if (i === 31) expect(String(results[i])).toMatch(/division by zero/);
        else expect(results[i]).toBe(i * 2);
      }
      // Statements of a transaction sent in one turn run in their order, on the transaction.
      // Statements of a transaction sent in the same turn run on the transaction, which commits.
      await db.prisma.$executeRawUnsafe('CREATE TABLE t (v int)');
      const inTx = await db.prisma.$transaction(async (t) => {
        await Promise.all(Array.from({ length: 10 }, (_, i) => t.$executeRaw`INSERT INTO t VALUES (${i})`));
        return t.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM t`;
      });
      expect(inTx[0].n).toBe(10);
      const after = await adapter.queryRaw({ sql: 'SELECT $1::int AS v', args: ['7'], argTypes: [text] });
      expect(after.rows[0][0]).toBe(7);
    } finally {
      sent.mockRestore();
      await db.close();
    }
  }, 60_000);

  it('a transaction’s statements leave at once; other calls wait for the end of the turn', async () => {
    const thread = await PGliteThread.start({ options: {} });
    const sent = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      const query = { sql: 'SELECT 1 AS v', args: [], argTypes: [] };
      sent.mockClear();
      const plain = thread.call<{ rows: unknown[][] }>({ op: 'queryRaw', query });
      expect(sent).not.toHaveBeenCalled();
      // A statement of a transaction (here one the thread does not know) goes with the calls before it.
      const inTx = thread.call({ op: 'queryRaw', query, tx: 999 }).catch((e: unknown) => e);
      expect(sent).toHaveBeenCalledTimes(1);
      expect((sent.mock.calls[0]![0] as unknown[]).length).toBe(2);
      expect((await plain).rows).toEqual([[1]]);
      expect(String(await inTx)).toMatch(/Transaction 999 inconnue/);
    } finally {
      sent.mockRestore();
      await thread.close();
    }
  }, 60_000);

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
