// Named prepared statements for the embedded database's queries outside transactions.
// PGlite's `query()` sends Parse, Describe, Bind, Describe, Execute and Sync as six calls into
// PostgreSQL, with an unnamed statement parsed and planned again each time: a point read by
// primary key costs 0.6–1.3 ms on its thread. Prisma sends the same SQL text for the same query
// shape, so each text is prepared once under a name, and later runs send Bind, Execute and Sync in
// one call (0.25–0.35 ms). The columns of the result are described once, when the statement is
// prepared, not on every run: PGlite decoded each column's name from the bytes again, a third of
// its thread's time on the account page's statement (decision 0024). A run's reply is read from
// PostgreSQL's bytes straight into rows, with the caller's parsers and row mode, as `query()` and
// its parseResults give them; a reply with anything else in it (an error, a notice) is read by
// PGlite's own parser, as before (decisions 0022 and 0089).
// Plain JavaScript: the database's thread loads it without a TypeScript loader (pglite-worker.mjs).
import { parse, protocol } from '@electric-sql/pglite';

const { serialize, messages, Parser } = protocol;

/** Statements kept prepared; the least recently used one is closed beyond this. */
export const PREPARED_MAX = 500;
/** The buffer a run's reply is copied to, and the size beyond which it is not kept for the next. */
const RECEIVE_BUFFER = 64 * 1024;
const RECEIVE_BUFFER_KEPT = 1024 * 1024;

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
 * A parameter's bytes and format: NULL, bytes the serializers left as bytes (binary, as pg-protocol
 * sends them), or text.
 */
function param(v) {
  if (v === null || v === undefined) return { bytes: null, binary: 0 };
  if (ArrayBuffer.isView(v)) return { bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength), binary: 1 };
  if (v instanceof ArrayBuffer) return { bytes: Buffer.from(v), binary: 1 };
  return { bytes: Buffer.from(String(v), 'utf8'), binary: 0 };
}

/**
 * Bind (all parameters as text, or binary for bytes, as pg-protocol writes them), Execute and Sync
 * for a prepared statement, written in one buffer: pg-protocol's serializer took 10 µs for the three.
 */
function bindExecuteSync(statement, values) {
  const params = values.map(param);
  const name = Buffer.from(statement, 'utf8');
  let bindLength = 4 + 1 + name.length + 1 + 2 + 2 * params.length + 2 + 2;
  for (const p of params) bindLength += 4 + (p.bytes === null ? 0 : p.bytes.length);
  const out = Buffer.allocUnsafe(1 + bindLength + 10 + 5);
  let at = out.writeUInt8(0x42, 0); // Bind
  at = out.writeInt32BE(bindLength, at);
  at = out.writeUInt8(0, at); // the unnamed portal
  at += name.copy(out, at);
  at = out.writeUInt8(0, at);
  // The counts are unsigned: up to 65,535 parameters.
  at = out.writeUInt16BE(params.length, at);
  for (const p of params) at = out.writeInt16BE(p.binary, at);
  at = out.writeUInt16BE(params.length, at);
  for (const { bytes } of params) {
    at = out.writeInt32BE(bytes === null ? -1 : bytes.length, at);
    if (bytes !== null) at += bytes.copy(out, at);
  }
  at = out.writeInt16BE(0, at); // results in text
  at = out.writeUInt8(0x45, at); // Execute: the unnamed portal, all rows
  at = out.writeInt32BE(9, at);
  at = out.writeUInt8(0, at);
  at = out.writeInt32BE(0, at);
  at = out.writeUInt8(0x53, at); // Sync
  out.writeInt32BE(4, at);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The commands whose tag's count is rows written (PGlite's parseResults). */
const WRITES = new Set(['INSERT', 'UPDATE', 'DELETE', 'COPY', 'MERGE']);

/**
 * A value's text, as pg-protocol's TextDecoder gives it: UTF-8, a leading byte-order mark dropped.
 */
function text(bytes, start, end) {
  if (end - start >= 3 && bytes[start] === 0xef && bytes[start + 1] === 0xbb && bytes[start + 2] === 0xbf) start += 3;
  return bytes.toString('utf8', start, end);
}

/**
 * The result of one Bind/Execute/Sync, read from PostgreSQL's bytes as PGlite's parseResults
 * reads its messages: `undefined` when a message other than BindComplete, DataRow, NoData,
 * CommandComplete and ReadyForQuery came back (an error, a notice…), which PGlite's own parser then
 * reads. Text values go through the parsers by the column's type (PGlite's own when the caller's
 * have none for it), NULL stays null.
 */
function readResult(bytes, length, fields, parsers, defaults, rowMode) {
  const rows = [];
  let command;
  let affectedRows = 0;
  let rowCount = NaN;
  let at = 0;
  while (at < length) {
    const code = bytes[at];
    const end = at + 1 + bytes.readInt32BE(at + 1);
    let p = at + 5;
    switch (code) {
      case 0x32: // BindComplete
      case 0x6e: // NoData
      case 0x5a: // ReadyForQuery
        break;
      case 0x44: {
        // DataRow
        const count = bytes.readInt16BE(p);
        p += 2;
        const row = new Array(count);
        for (let i = 0; i < count; i++) {
          const size = bytes.readInt32BE(p);
          p += 4;
          let value = null;
          if (size !== -1) {
            const raw = text(bytes, p, p + size);
            p += size;
            const type = fields[i].dataTypeID;
            const parser = parsers[type] ?? defaults[type];
            value = parser ? parser(raw, type) : raw;
          }
          row[i] = value;
        }
        // Objects as parseResults makes them (Object.fromEntries: a column named __proto__ is one).
        rows.push(rowMode === 'array' ? row : Object.fromEntries(row.map((value, i) => [fields[i].name, value])));
        break;
      }
      case 0x43: {
        // CommandComplete: its tag, "SELECT 2", "UPDATE 3", "INSERT 0 5", "CREATE TABLE"
        if (command !== undefined) return undefined;
        const parts = text(bytes, p, end - 1).split(' ');
        command = parts[0];
        rowCount = parseInt(parts[parts.length - 1], 10);
        if (WRITES.has(command)) affectedRows += rowCount;
        break;
      }
      default:
        return undefined;
    }
    at = end;
  }
  if (command === undefined) return undefined;
  const result = { rows, fields, command, affectedRows };
  if (!Number.isNaN(rowCount)) result.rowCount = rowCount;
  return result;
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
    // Shared by the statement's results: frozen, so that no caller changes another's.
    const fields = Object.freeze(
      columns ? columns.fields.map((f) => Object.freeze({ name: f.name, dataTypeID: f.dataTypeID })) : [],
    );
    const statement = { name, types: parse.parseDescribeStatementResults(out), columns, fields };
    statements.set(sql, statement);
    if (statements.size > max) {
      const [oldest, { name: closed }] = statements.entries().next().value;
      statements.delete(oldest);
      await run([serialize.close({ type: 'S', name: closed }), serialize.sync()]);
    }
    return statement;
  };

  // PostgreSQL's bytes for one run, copied out of PGlite's memory as they come (a reply longer than
  // PostgreSQL's send buffer comes in pieces). Read before the query lock is released.
  let received = Buffer.allocUnsafe(RECEIVE_BUFFER);
  let receivedLength = 0;
  const onRawData = (chunk) => {
    if (receivedLength + chunk.length > received.length) {
      const bigger = Buffer.allocUnsafe(Math.max(received.length * 2, receivedLength + chunk.length));
      received.copy(bigger, 0, 0, receivedLength);
      received = bigger;
    }
    received.set(chunk, receivedLength);
    receivedLength += chunk.length;
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
    // PGlite's execProtocol parses every message into an object, then parseResults reads those:
    // here the bytes are read once, straight into rows (decision 0089). What this reader does not
    // know (an error, a notice) goes to PGlite's parser, as before.
    receivedLength = 0;
    try {
      await pglite.execProtocolRawStream(bindExecuteSync(statement.name, values), { syncToFs: false, onRawData });
      const result = readResult(
        received,
        receivedLength,
        statement.fields,
        parsersFor(options),
        pglite.parsers,
        options?.rowMode,
      );
      if (result) return { result, statement };
      const out = [];
      new Parser().parse(received.subarray(0, receivedLength), (message) => out.push(message));
      if (statement.columns) out.unshift(statement.columns);
      return { out, error: failure(out, sql, params, options), statement };
    } finally {
      // A large result (an export) does not keep its buffer.
      if (received.length > RECEIVE_BUFFER_KEPT) received = Buffer.allocUnsafe(RECEIVE_BUFFER);
    }
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
        let ran = await execute(sql, params, options);
        // A table changed under a statement whose result columns it fixed: prepare it again once.
        if (ran.error?.code === '0A000' && statements.get(sql) === ran.statement) {
          statements.delete(sql);
          await run([serialize.close({ type: 'S', name: ran.statement.name }), serialize.sync()]);
          ran = await execute(sql, params, options);
        }
        if (ran.error) throw ran.error;
        await pglite.syncToFs();
        return (
          ran.result ??
          parse.parseResults(ran.out, parsersFor(options), options && { ...options, parsers: undefined })[0]
        );
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

  const listenRefused = async () => {
    throw new Error('LISTEN is not available on the embedded database with prepared statements (pglite-prepared.mjs)');
  };

  return new Proxy(pglite, {
    get(target, key) {
      if (key === 'query') return query;
      if (key === 'exec') return exec;
      // A notification in a query's reply does not reach PGlite's listeners on this path (decision
      // 0089): a listener would miss some, so none can be added. Nothing in the site listens.
      if (key === 'listen') return listenRefused;
      // PGlite keeps private state keyed by the instance: methods run on the instance itself.
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
