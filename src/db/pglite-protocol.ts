// Messages between the app's thread and the embedded database's thread (pglite-worker.mjs): each
// message is an array, of requests one way and of replies the other (decision 0084).
import type { PGliteOptions } from '@electric-sql/pglite';
import type { IsolationLevel, SqlQuery } from '@prisma/driver-adapter-utils';

export interface WorkerSetup {
  /** A data directory, or none for an in-memory database. */
  dataDir?: string;
  /** A data-directory tarball (PGlite's dumpDataDir) to start from, for the tests' copies. */
  loadDataDirFile?: string;
  options: Omit<PGliteOptions, 'loadDataDir' | 'fs' | 'extensions'>;
}

export type Request = { id: number } & (
  | { op: 'queryRaw' | 'executeRaw'; query: SqlQuery; tx?: number }
  | { op: 'executeScript'; script: string }
  | { op: 'startTransaction'; isolationLevel?: IsolationLevel }
  | { op: 'commit' | 'rollback'; tx: number }
  | { op: 'close' }
);

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** The DriverAdapterError's cause: Prisma turns it into P2002 and the like. */
  driverCause?: unknown;
  code?: string;
}

export type Reply = { id: number } & ({ ok: true; value: unknown } | { ok: false; error: SerializedError });
