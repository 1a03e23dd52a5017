// The direct statements' own connection on PostgreSQL (src/db/direct.ts): pipelined, each answer
// goes to its own statement, a failing statement fails alone, a closed one refuses statements.
import { describe, expect, it } from 'vitest';
import { onPostgres, openTestDatabase } from './helpers/db.ts';
import { pgPipelinedSql } from '../src/db/direct.ts';
import { connectionFailure } from '../src/db/connection-failure.ts';

/** A scratch database and the pipelined connection to it, both closed after `run`. */
async function withDirect(run: (direct: ReturnType<typeof pgPipelinedSql>) => Promise<void>): Promise<void> {
  const base = await openTestDatabase();
  const direct = pgPipelinedSql(base.url!);
  try {
    await run(direct);
  } finally {
    await direct.close();
    await base.close();
  }
}

describe.runIf(onPostgres)('direct statements pipelined on one connection', () => {
  it('gives each of 300 concurrent statements its own rows, in its own types', async () => {
    await withDirect(async (direct) => {
      const n = Array.from({ length: 300 }, (_, i) => i);
      const got = await Promise.all(
        n.map((i) =>
          direct.rows<{ n: number; big: bigint; at: Date }>(
            "SELECT $1::int AS n, $1::bigint * 1000000000000 AS big, TIMESTAMP '2030-01-01 00:00:00' + $1::int * INTERVAL '1 second' AS at",
            [String(i)],
          ),
        ),
      );
      expect(got.map(([row]) => row.n)).toEqual(n);
      expect(got[7][0].big).toBe(7_000_000_000_000n);
      // Timestamps without a zone hold UTC (as Prisma writes them).
      expect(got[7][0].at.toISOString()).toBe('2030-01-01T00:00:07.000Z');
    });
  });

  it('fails a statement alone: the ones before and after it in the pipeline are answered', async () => {
    await withDirect(async (direct) => {
      const results = await Promise.allSettled(
        [1, 2, 0, 4, 5].map((d) => direct.rows<{ q: number }>('SELECT 100 / $1::int AS q', [String(d)])),
      );
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: '22012' });
      expect((results[4] as PromiseFulfilledResult<{ q: number }[]>).value).toEqual([{ q: 20 }]);
      // And the connection goes on.
      expect(await direct.rows('SELECT 1 AS one', [])).toEqual([{ one: 1 }]);
    });
  });

  it('after close(), a statement fails at once, as after the pool was ended (an error, not an outage)', async () => {
    await withDirect(async (direct) => {
      expect(await direct.rows('SELECT 1 AS one', [])).toEqual([{ one: 1 }]);
      await direct.close();
      const err = await direct.rows('SELECT 1 AS one', []).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(connectionFailure(err)).toBeNull();
    });
  });

  it('a server that cannot be reached is a connection failure (ECONNREFUSED)', async () => {
    const base = await openTestDatabase();
    const url = new URL(base.url!);
    url.port = '1'; // nothing listens there
    const unreachable = pgPipelinedSql(url.toString());
    try {
      const err = await unreachable.rows('SELECT 1 AS one', []).catch((e: unknown) => e);
      expect(connectionFailure(err)).toBe('ECONNREFUSED');
    } finally {
      await unreachable.close();
      await base.close();
    }
  });
});
