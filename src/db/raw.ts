// Pieces of hand-written statements ($queryRaw) shared by the domains that page through a large
// table by a range of its index (the credit history, the journal filtered by member).
import { Prisma } from '../generated/prisma/client.ts';

/** A model's columns by name, as this version of the schema knows them (not `*`), for a SELECT. */
export const columnList = (fields: Record<string, string>): Prisma.Sql => Prisma.raw(Object.values(fields).map((c) => `"${c}"`).join(', '));

/** The ends of a bigint id column: the open ends of a range on (…, id). */
export const FIRST_ID = -9223372036854775808n;
export const LAST_ID = 9223372036854775807n;
