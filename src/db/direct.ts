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

/**
 * On PostgreSQL, pg's pool runs the statement itself, prepared once per connection under a name
 * derived from its text: the server parses and plans it once, not on every request.
 */
export function pgDirectSql(pool: pg.Pool): DirectSql {
  const names = new Map<string, string>();
  return {
    async rows<T extends object>(sql: string, args: string[]): Promise<T[]> {
      let name = names.get(sql);
      if (!name) names.set(sql, (name = `club_direct_${names.size + 1}`));
      const result = await pool.query<T>({ name, text: sql, values: args, types: PG_TYPES });
      return result.rows;
    },
  };
}
