import type { PGlite } from '@electric-sql/pglite';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

/** pglite-prisma-adapter with a failed COMMIT thrown as on PostgreSQL (pglite-commit.mjs). */
export declare class PrismaPGliteStrictCommit implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider: 'postgres';
  readonly adapterName: string;
  constructor(pglite: PGlite);
  connect(): Promise<SqlDriverAdapter>;
  connectToShadowDb(): Promise<SqlDriverAdapter>;
}
