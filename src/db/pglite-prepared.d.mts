import type { PGlite } from '@electric-sql/pglite';

export declare const PREPARED_MAX: number;
/** `pglite` whose `query()` runs on named prepared statements, and whose `exec()` forgets them. */
export declare function withPreparedStatements(pglite: PGlite, max?: number): PGlite;
