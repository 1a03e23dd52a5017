// The embedded database's queries outside transactions run on named prepared statements
// (src/db/pglite-prepared.mjs): same results and errors as PGlite's own query(), a bounded number
// of statements, and a statement whose table changed is prepared again.
import { execFileSync } from 'node:child_process';
import { PGlite, messages } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPreparedStatements } from '../src/db/pglite-prepared.mjs';
import { onPostgres } from './helpers/db.ts';

describe.skipIf(onPostgres)('PGlite queries on prepared statements', () => {
  let pglite: PGlite;
  beforeAll(async () => {
    pglite = new PGlite();
    await pglite.exec(`CREATE TABLE t (id text PRIMARY KEY, n int, at timestamp(3), doc jsonb, ok boolean);
      INSERT INTO t VALUES ('a', 1, '2026-01-02 03:04:05.678', '{"x": [1, 2]}', true), ('b', NULL, NULL, NULL, false)`);
  });
  afterAll(() => pglite.close());

  const prepared = async () =>
    Number((await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements')).rows[0].n);

  it('returns what query() returns, rows as objects or arrays, with the caller’s parsers', async () => {
    const client = withPreparedStatements(pglite);
    const sql =
      'SELECT * FROM t WHERE id = ANY($1::text[]) AND (n IS NULL OR n >= $2) AND doc IS DISTINCT FROM $3 ORDER BY id';
    const args = [['a', 'b'], 0, { y: 1 }];
    const custom = { parsers: { 1114: (v: string) => `ts:${v}` }, rowMode: 'array' as const };
    for (let i = 0; i < 3; i++) {
      expect(await client.query(sql, args)).toEqual(await pglite.query(sql, args));
      expect(await client.query(sql, args, custom)).toEqual(await pglite.query(sql, args, custom));
    }
    expect((await client.query<{ id: string }>(sql, args)).rows.map((r) => r.id)).toEqual(['a', 'b']);
    const insert = await client.query('INSERT INTO t (id, n) VALUES ($1, $2)', ['c', 3]);
    expect(insert.affectedRows).toBe(1);
    expect(await prepared()).toBe(2);
  });

  it('reads every kind of value as query() does: NULLs, accents and emoji, replies larger than PostgreSQL’s send buffer', async () => {
    // Replies of 40 KB and 3 MB come out of PGlite in pieces (PostgreSQL sends 8 KB at a time); the
    // second is larger than the buffer kept between queries.
    const client = withPreparedStatements(pglite);
    const sql = `SELECT $1::text AS s, NULL::int AS nothing, repeat($2::text, $3::int) AS long, $4::numeric AS amount,
      ARRAY['é', NULL, '{"q"}']::text[] AS list, '\\x00ff'::bytea AS bin, $5::date AS day, 'a'::"char" AS c`;
    for (const size of [1, 10_000, 1_000_000, 2]) {
      const args = ['Élodie 🎉 « forêt »', 'ça', size, '12.50', '2026-03-01'];
      for (const options of [undefined, { rowMode: 'array' as const }]) {
        expect(await client.query(sql, args, options)).toEqual(await pglite.query(sql, args, options));
      }
    }
    const rows = (await client.query<{ long: string }>(sql, ['x', 'ça', 1_000_000, '1', '2026-03-01'])).rows;
    expect(rows[0].long).toHaveLength(2_000_000);
  });

  it('a statement that also sends a notice, and one that returns nothing, give what query() gives', async () => {
    await pglite.exec(`CREATE FUNCTION noisy(x int) RETURNS int LANGUAGE plpgsql AS $$
      BEGIN RAISE NOTICE 'bruit %', x; RETURN x * 2; END $$`);
    const client = withPreparedStatements(pglite);
    for (let i = 0; i < 2; i++) {
      expect(await client.query('SELECT noisy($1) AS n', [21])).toEqual(
        await pglite.query('SELECT noisy($1) AS n', [21]),
      );
      expect(await client.query('UPDATE t SET n = n WHERE id = $1', ['zz'])).toEqual(
        await pglite.query('UPDATE t SET n = n WHERE id = $1', ['zz']),
      );
      expect(await client.query('DELETE FROM t WHERE id = $1 RETURNING id', ['zz'])).toEqual(
        await pglite.query('DELETE FROM t WHERE id = $1 RETURNING id', ['zz']),
      );
    }
  });

  it('gives what query() gives at the protocol’s edges: a byte-order mark, a column named __proto__, 40,000 parameters, an error after rows, a setting reported, an empty statement', async () => {
    const client = withPreparedStatements(pglite);
    const same = async (sql: string, args: unknown[] = [], options?: { rowMode: 'array' }) => {
      const mine = await client.query(sql, args, options).catch((e: unknown) => e);
      const theirs = await pglite.query(sql, args, options).catch((e: unknown) => e);
      if (theirs instanceof Error) {
        expect(mine).toBeInstanceOf(messages.DatabaseError);
        expect((mine as messages.DatabaseError).code).toBe((theirs as messages.DatabaseError).code);
      } else expect(mine).toEqual(theirs);
      return mine;
    };
    // pg-protocol's TextDecoder drops a leading byte-order mark; so must this reader.
    expect(((await same('SELECT $1::text AS s', ['\ufeffabc'])) as { rows: { s: string }[] }).rows[0].s).toBe('abc');
    await same('SELECT 1 AS "__proto__", NULL::int AS "constructor", 2 AS x');
    // Bind counts its parameters on 16 bits, unsigned: above 32,767 is allowed.
    const many = Array.from({ length: 40_000 }, (_, i) => i);
    const placeholders = many.map((i) => `$${i + 1}::int`).join(', ');
    expect(
      ((await same(`SELECT cardinality(ARRAY[${placeholders}]) AS n`, many)) as { rows: { n: number }[] }).rows[0].n,
    ).toBe(40_000);
    await same('SELECT 10 / (3 - g) AS q FROM generate_series(1, 5) g');
    await same("SELECT set_config('application_name', $1, false) AS v", ['club-test']);
    await same('SELECT $1::text AS s', ['']);
    await same('SELECT $1::text AS s', [null], { rowMode: 'array' });
    // Bytes a serializer leaves as bytes go in binary, as pg-protocol sends them.
    const binary = { serializers: { 17: (x: Uint8Array) => x } } as never;
    const sql = 'SELECT $1::bytea AS b, octet_length($1::bytea) AS n';
    const args = [new Uint8Array([0, 255, 1, 92])];
    expect(await client.query(sql, args, binary)).toEqual(await pglite.query(sql, args, binary));
    expect((await client.query<{ n: number }>(sql, args, binary)).rows[0].n).toBe(4);
  });

  it('refuses LISTEN: a notification in a reply would not reach the listener', async () => {
    const client = withPreparedStatements(pglite);
    await expect(client.listen('club', () => {})).rejects.toThrow(/LISTEN/);
  });

  it('throws the database error query() throws, and the next query runs', async () => {
    const client = withPreparedStatements(pglite);
    const error = await client.query('INSERT INTO t (id) VALUES ($1)', ['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(messages.DatabaseError);
    expect((error as messages.DatabaseError).code).toBe('23505');
    const syntax = await client.query('SELEC 1').catch((e: unknown) => e);
    expect((syntax as messages.DatabaseError).code).toBe('42601');
    expect((await client.query<{ id: string }>('SELECT id FROM t WHERE id = $1', ['a'])).rows).toEqual([{ id: 'a' }]);
  });

  it('keeps at most its bound of statements, and forgets them all after exec()', async () => {
    await pglite.exec('DEALLOCATE ALL');
    const client = withPreparedStatements(pglite, 2);
    for (const n of [1, 2, 3, 1, 2, 3]) await client.query(`SELECT ${n} AS n`);
    expect(await prepared()).toBe(2);
    await client.exec('SELECT 1');
    expect(await prepared()).toBe(0);
  });

  it('prepares a statement again when a change of its table changed its result', async () => {
    const client = withPreparedStatements(pglite);
    expect(Object.keys((await client.query('SELECT * FROM t WHERE id = $1', ['a'])).rows[0] as object)).not.toContain(
      'extra',
    );
    await pglite.exec('ALTER TABLE t ADD COLUMN extra text');
    expect(Object.keys((await client.query('SELECT * FROM t WHERE id = $1', ['a'])).rows[0] as object)).toContain(
      'extra',
    );
  });

  it('waits for a transaction in progress, as query() does', async () => {
    const client = withPreparedStatements(pglite);
    let inside = false;
    const seen: boolean[] = [];
    let reads: Promise<number | null>[] = [];
    const tx = pglite.transaction(async (t) => {
      inside = true;
      await t.query('UPDATE t SET n = 100 WHERE id = $1', ['b']);
      // Asked while the transaction is open: they must run after it, not inside it.
      reads = Array.from({ length: 5 }, () =>
        client.query<{ n: number | null }>('SELECT n FROM t WHERE id = $1', ['b']).then((r) => {
          seen.push(inside);
          return r.rows[0].n;
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      await t.query('UPDATE t SET n = NULL WHERE id = $1', ['b']);
      inside = false;
    });
    await tx;
    expect(await Promise.all(reads)).toEqual([null, null, null, null, null]);
    expect(seen).toEqual([false, false, false, false, false]);
  });

  it('a query that waited for a script keeps its statement: the script forgets the old ones only', async () => {
    const client = withPreparedStatements(pglite);
    await client.query('SELECT n FROM t WHERE id = $1', ['a']);
    // The script runs; a query asked meanwhile waits for it, then prepares its statement.
    const script = client.exec('CREATE TABLE IF NOT EXISTS u (x int)');
    const waiting = client.query('SELECT id FROM t WHERE n = $1', [1]);
    await Promise.all([script, waiting]);
    expect((await client.query('SELECT id FROM t WHERE n = $1', [1])).rows).toEqual([{ id: 'a' }]);
    expect((await client.query('SELECT n FROM t WHERE id = $1', ['a'])).rows).toEqual([{ n: 1 }]);
  });

  it('keeps nothing of a query once it has answered (the heap does not grow with the number of queries)', () => {
    // In a child process with the collector exposed: 10,000 reads of a 160-byte row. The messages of
    // every query used to stay on a PGlite list that only grows (about 1 KB per query: 10 MB here).
    const script = `
      import { PGlite } from '@electric-sql/pglite';
      import { withPreparedStatements } from './src/db/pglite-prepared.mjs';
      const pglite = new PGlite();
      const client = withPreparedStatements(pglite);
      await client.exec("CREATE TABLE r (id int PRIMARY KEY, a text, b text, c text); INSERT INTO r SELECT g, repeat('x', 50), repeat('y', 50), repeat('z', 50) FROM generate_series(1, 100) g");
      const read = (i) => client.query('SELECT * FROM r WHERE id = $1', [(i % 100) + 1], { rowMode: 'array' });
      for (let i = 0; i < 1000; i++) await read(i);
      globalThis.gc();
      const before = process.memoryUsage().heapUsed;
      for (let i = 0; i < 10000; i++) await read(i);
      globalThis.gc();
      process.stdout.write(String(process.memoryUsage().heapUsed - before));`;
    const grown = Number(
      execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' }),
    );
    expect(grown).toBeLessThan(3_000_000);
  }, 60_000);
});
