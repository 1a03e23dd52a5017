// Named prepared statements for the embedded database's queries outside transactions.
// PGlite's `query()` sends Parse, Describe, Bind, Describe, Execute and Sync as six calls into
// PostgreSQL, with an unnamed statement parsed and planned again each time: a point read by
// primary key costs 0.6–1.3 ms on its thread. Prisma sends the same SQL text for the same query
// shape, so each text is prepared once under a name, and later runs send Bind, Execute and Sync in
// one call (0.25–0.35 ms). The columns of the result are described once, when the statement is
// prepared, not on every run: PGlite decoded each column's name from the bytes again, a third of
// its thread's time on the account page's statement (decision 0024). Results are parsed by PGlite's own parser, with the
// caller's options, as `query()` does (docs/decisions/0022-logged-in-request.md).
// Plain JavaScript: the database's thread loads it without a TypeScript loader (pglite-worker.mjs).
import { parse, protocol } from '@electric-sql/pglite';

const { serialize, messages } = protocol;

/** Statements kept prepared; the least recently used one is closed beyond this. */
export const PREPARED_MAX = 500;

// Statement names are unique in the process: two wrappers of one PGlite never take the same.
let named = 0;

function concat(parts) {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * `pglite` with `query()` running on named prepared statements, and `exec()` forgetting them
 * (a script may change the tables a statement reads). Transactions are PGlite's own.
 */
export function withPreparedStatements(pglite, max = PREPARED_MAX) {
  const statements = new Map(); // SQL text -> { name, types, columns }

  // PGlite parses the messages of each call as they come out of PostgreSQL: execProtocol hands
  // them over (parsing the bytes again cost as much as running the statement), and starts a new
  // list each time (execProtocolRawSync alone would leave them on a list that only grows).
  const run = async (parts) =>
    (await pglite.execProtocol(concat(parts), { syncToFs: false, throwOnError: false })).messages;
  const failure = (out, sql, params, options) => {
    const error = out.find((m) => m instanceof messages.DatabaseError);
    if (!error) return undefined;
    return Object.assign(error, { query: sql, params, queryOptions: options });
  };

  const prepare = async (sql, params, options) => {
    const name = `club_${++named}`;
    const out = await run([
      serialize.parse({ name, text: sql, types: options?.paramTypes }),
      serialize.describe({ type: 'S', name }),
      serialize.sync(),
    ]);
    const error = failure(out, sql, params, options);
    if (error) throw error;
    // The result's columns (RowDescription; none for a statement without rows: NoData), as every
    // run of the statement returns them: text format, the only one this file binds.
    const columns = out.find((m) => m.name === 'rowDescription');
    const statement = { name, types: parse.parseDescribeStatementResults(out), columns };
    statements.set(sql, statement);
    if (statements.size > max) {
      const [oldest, { name: closed }] = statements.entries().next().value;
      statements.delete(oldest);
      await run([serialize.close({ type: 'S', name: closed }), serialize.sync()]);
    }
    return statement;
  };

  const execute = async (sql, params, options) => {
    let statement = statements.get(sql);
    if (statement) {
      statements.delete(sql); // most recently used last
      statements.set(sql, statement);
    } else {
      statement = await prepare(sql, params, options);
    }
    const values = params.map((param, i) => {
      if (param === null || param === undefined) return null;
      const oid = statement.types[i];
      const serializer = options?.serializers?.[oid] ?? pglite.serializers[oid];
      return serializer ? serializer(param) : param.toString();
    });
    const out = await run([serialize.bind({ statement: statement.name, values }), serialize.execute({}), serialize.sync()]);
    if (statement.columns) out.unshift(statement.columns);
    return { out, error: failure(out, sql, params, options), statement };
  };

  // parseResults copies PGlite's ~300 parsers and the caller's into a new object on every call:
  // here once per parsers object (the adapter passes one constant object), on top of PGlite's own
  // through the prototype, so that array types PGlite adds later are still found.
  const merged = new WeakMap();
  const parsersFor = (options) => {
    if (!options?.parsers) return pglite.parsers;
    let all = merged.get(options.parsers);
    if (!all) merged.set(options.parsers, (all = Object.assign(Object.create(pglite.parsers), options.parsers)));
    return all;
  };

  const query = async (sql, params = [], options = undefined) => {
    await pglite._checkReady();
    return pglite._runExclusiveTransaction(() =>
      pglite._runExclusiveQuery(async () => {
        let { out, error, statement } = await execute(sql, params, options);
        // A table changed under a statement whose result columns it fixed: prepare it again once.
        if (error?.code === '0A000' && statements.get(sql) === statement) {
          statements.delete(sql);
          await run([serialize.close({ type: 'S', name: statement.name }), serialize.sync()]);
          ({ out, error } = await execute(sql, params, options));
        }
        if (error) throw error;
        await pglite.syncToFs();
        return parse.parseResults(out, parsersFor(options), options && { ...options, parsers: undefined })[0];
      }),
    );
  };

  const exec = async (...args) => {
    try {
      return await pglite.exec(...args);
    } finally {
      // Forgotten and deallocated in one turn of the query lock: a query waiting for the lock
      // must not prepare a statement between the two (DEALLOCATE would then drop it unseen).
      await pglite._runExclusiveQuery(async () => {
        if (!statements.size) return;
        statements.clear();
        await pglite.execProtocol(serialize.query('DEALLOCATE ALL'), { syncToFs: false });
      });
    }
  };

  return new Proxy(pglite, {
    get(target, key) {
      if (key === 'query') return query;
      if (key === 'exec') return exec;
      // PGlite keeps private state keyed by the instance: methods run on the instance itself.
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
