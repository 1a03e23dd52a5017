// One SQL statement run on the driver adapter under Prisma (pg's pool, or the embedded database's
// thread), without Prisma's query compiler and interpreter. For the statement every logged-in
// request runs (its session and member, src/accounts/service.ts), where Prisma's client cost more
// CPU than the database (decision 0022). Everything else goes through Prisma.
import { ColumnTypeEnum } from '@prisma/driver-adapter-utils';
import type { ArgType, SqlQueryable, SqlResultSet } from '@prisma/driver-adapter-utils';
import pg from 'pg';

export interface DirectSql {
  /**
   * The rows of one statement, as objects keyed by column name. Parameters are text ($1, $2…,
   * cast in the SQL where needed); timestamps come back as Date, 64-bit integers as bigint, as
   * Prisma gives them.
   */
  rows<T extends object>(sql: string, args: string[]): Promise<T[]>;
}

const TEXT: ArgType = { scalarType: 'string', arity: 'scalar' };

function value(type: number, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case ColumnTypeEnum.DateTime:
      return new Date(raw as string);
    case ColumnTypeEnum.Int64:
      return BigInt(raw as string | number);
    default:
      return raw;
  }
}

function toObjects<T>({ columnNames, columnTypes, rows }: SqlResultSet): T[] {
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < columnNames.length; i++) out[columnNames[i]] = value(columnTypes[i], row[i]);
    return out as T;
  });
}

/** `connect` is the adapter factory's: called once, again after a failed connection. */
export function directSql(connect: () => Promise<SqlQueryable>): DirectSql {
  let queryable: Promise<SqlQueryable> | undefined;
  return {
    async rows<T extends object>(sql: string, args: string[]): Promise<T[]> {
      queryable ??= connect().catch((err: unknown) => {
        queryable = undefined;
        throw err;
      });
      const result = await (await queryable).queryRaw({ sql, args, argTypes: args.map(() => TEXT) });
      return toObjects<T>(result);
    },
  };
}

/** Timestamps (without time zone) hold UTC, as Prisma writes them; 64-bit integers as bigint. */
const PG_TYPES = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 1114) return (value: string) => new Date(`${value.replace(' ', 'T')}Z`);
    if (oid === 1184) return (value: string) => new Date(value);
    if (oid === 20) return (value: string) => BigInt(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** pg's own words for a statement on an ended client: an error, not an outage (connection-failure.ts). */
const closedError = () => new Error('Client was closed and is not queryable');

/**
 * On PostgreSQL, the direct statements run on a connection of their own, in pipeline mode
 * (node-postgres' `pipeline: true`): the statements of concurrent requests go out one behind the
 * other without waiting for each answer, those of one turn of the event loop in one write, and
 * without the pool's checkout and release around each (its events, callbacks and idle timer).
 * The app's thread spent 28 % less per logged-in page (median; decision 0025). The statements
 * run one after the other on one server backend: they are point reads by primary key. Each is
 * prepared once under a name derived from its text. A broken connection fails the statements in
 * flight (a connection failure: the request answers 503) and the next statement opens another.
 */
export function pgPipelinedSql(url: string, onConnectionError: (err: Error) => void = () => {}): DirectSql & { close(): Promise<void> } {
  const names = new Map<string, string>();
  let client: pg.Client | undefined;
  let opening: Promise<pg.Client> | undefined;
  let closed = false;
  const open = (): Promise<pg.Client> => {
    if (opening) return opening;
    // Keepalive probes: a connection a firewall dropped while idle fails in seconds, not at the
    // kernel's retransmission timeout, which every logged-in request would wait for.
    const c = new pg.Client({ connectionString: url, pipeline: true, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    const attempt = (async () => {
      await c.connect();
      if (closed) {
        await c.end();
        throw closedError();
      }
      return (client = c);
    })();
    // A connection that fails or ends is forgotten: the next statement opens another.
    const drop = () => {
      if (client === c) client = undefined;
      if (opening === attempt) opening = undefined;
    };
    attempt.catch(drop);
    // Without a listener, an 'error' on an idle connection would end the process. A connection
    // breaks once: what follows its first error (the socket closing) is not reported again.
    let broken = false;
    c.on('error', (err) => {
      drop();
      if (broken) return;
      broken = true;
      // pg reports some errors with the socket still open (an unexpected message): end it, so
      // that the server's backend is not left behind.
      c.end().catch(() => {});
      onConnectionError(err);
    });
    c.on('end', drop);
    return (opening = attempt);
  };
  // The statements of one turn of the event loop leave in one write: the connection's socket is
  // corked at the first and uncorked once the turn's callbacks have run (setImmediate).
  let corked: pg.Client | undefined;
  const run = <T extends object>(c: pg.Client, sql: string, args: string[]): Promise<T[]> => {
    if (corked !== c) {
      corked = c;
      const stream = (c as unknown as { connection: { stream: { cork(): void; uncork(): void } } }).connection.stream;
      stream.cork();
      setImmediate(() => {
        corked = undefined;
        stream.uncork();
      });
    }
    let name = names.get(sql);
    if (!name) names.set(sql, (name = `club_direct_${names.size + 1}`));
    return c.query<T>({ name, text: sql, values: args, types: PG_TYPES }).then((result) => result.rows);
  };
  return {
    rows<T extends object>(sql: string, args: string[]): Promise<T[]> {
      if (client) return run<T>(client, sql, args);
      if (closed) return Promise.reject(closedError());
      return open().then((c) => run<T>(c, sql, args));
    },
    async close() {
      closed = true;
      const c = client ?? (await opening?.catch(() => undefined));
      client = undefined;
      if (c) await c.end();
    },
  };
}
