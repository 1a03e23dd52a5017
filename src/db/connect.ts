// Opens the database: embedded PGlite under DATA_DIR by default, a PostgreSQL server when DATABASE_URL is set.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from '../generated/prisma/client.ts';
import { PGliteThread, PGliteThreadAdapterFactory } from './pglite-remote.ts';
import type { WorkerSetup } from './pglite-protocol.ts';
import { copyTemplate } from './pglite-template.mjs';
import { directSql, pgPipelinedSql } from './direct.ts';
import type { DirectSql } from './direct.ts';

export type Db = InstanceType<typeof PrismaClient>;

export interface Database {
  kind: 'pglite' | 'postgres';
  factory: SqlMigrationAwareDriverAdapterFactory;
  prisma: Db;
  /** One statement on the driver under Prisma, for the hot path of every request (direct.ts). */
  direct: DirectSql;
  /** true when the embedded database was created by this call (first run). */
  created: boolean;
  pglite?: PGlite;
  close(): Promise<void>;
}

export class DataDirLockedError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A PID lock file: PGlite is single-process, two processes on one data directory would corrupt it. */
export function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'club.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DataDirLockedError(
          `La base embarquée ${dir} est déjà ouverte par le processus ${pid}. ` +
            `Arrêtez-le, ou utilisez un autre DATA_DIR, ou un serveur PostgreSQL (DATABASE_URL).`,
        );
      }
      rmSync(file, { force: true }); // stale lock left by a crashed process
    }
  }
  throw new DataDirLockedError(`Impossible de verrouiller ${dir}`);
}

/**
 * PGlite runs each query synchronously on this thread, and its queue hands a finished query's turn
 * to the next one without letting the event loop run: twenty logins' queries then run back to
 * back while every other request waits. After `sliceMs` of database work without a break, the
 * next query first lets the event loop turn once (setImmediate). Yielding before every query
 * instead cost most of the login throughput (docs/decisions/0015-what-a-page-costs.md).
 */
export function timeSliced(pglite: PGlite, sliceMs = PGLITE_SLICE_MS): PGlite {
  let since = performance.now();
  const gate = async () => {
    if (performance.now() - since < sliceMs) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  };
  const sliceQueries = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop, receiver) {
        const value: unknown = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function') return value;
        if (prop === 'query' || prop === 'exec') {
          return async (...args: unknown[]) => {
            await gate();
            return (value as (...a: unknown[]) => Promise<unknown>).apply(t, args);
          };
        }
        // A transaction yields before it starts, never inside: it holds PGlite's lock, so a yield
        // there would only lengthen it, and would leave a window in which a query of a
        // transaction that is being rolled back still reaches it ("Transaction is closed").
        if (prop === 'transaction') {
          return async (fn: (tx: object) => Promise<unknown>) => {
            await gate();
            return (value as (f: (tx: object) => Promise<unknown>) => Promise<unknown>).call(t, fn);
          };
        }
        return (value as (...a: unknown[]) => unknown).bind(t);
      },
    });
  return sliceQueries(pglite);
}

export const PGLITE_SLICE_MS = Number(process.env.PGLITE_SLICE_MS ?? 10);

/** The embedded database behind `factory`; `closeDatabase` stops PGlite once Prisma is disconnected. */
function embeddedDatabase(
  factory: SqlMigrationAwareDriverAdapterFactory,
  created: boolean,
  closeDatabase: () => Promise<void>,
  onClose?: () => void,
): Database {
  const prisma = new PrismaClient({ adapter: factory });
  return {
    kind: 'pglite',
    factory,
    prisma,
    direct: directSql(() => factory.connect()),
    created,
    async close() {
      await prisma.$disconnect();
      await closeDatabase();
      onClose?.();
    },
  };
}

export async function openPglite(pglite: PGlite, created = false, onClose?: () => void): Promise<Database> {
  await pglite.waitReady;
  // A failed COMMIT throws, as on PostgreSQL (pglite-commit.mjs); queries yield to the event loop (timeSliced).
  // Loaded here only: with the database on its own thread, this thread never loads PGlite (42 MB).
  const [{ PrismaPGliteStrictCommit }, { withPreparedStatements }] = await Promise.all([
    import('./pglite-commit.mjs'),
    import('./pglite-prepared.mjs'),
  ]);
  // Queries outside transactions run on named prepared statements (pglite-prepared.mjs).
  const client = withPreparedStatements(pglite);
  const factory = new PrismaPGliteStrictCommit(PGLITE_SLICE_MS > 0 ? timeSliced(client) : client);
  const closeDatabase = async () => {
    if (!pglite.closed) await pglite.close();
  };
  return { ...embeddedDatabase(factory, created, closeDatabase, onClose), pglite };
}

/** Called when an idle pooled connection breaks (server restart, network, connection killed). */
export type ConnectionErrorHandler = (err: Error) => void;

export function openPostgres(url: string, max = 10, onConnectionError: ConnectionErrorHandler = () => {}): Database {
  // A pool for Prisma's client; the direct statements (direct.ts) have a connection of their own.
  const pool = new pg.Pool({ connectionString: url, max });
  const direct = pgPipelinedSql(url, onConnectionError);
  // An idle connection the server drops makes the pool emit 'error'; without a listener that
  // ends the process. The pool has already discarded the connection: the next query opens another.
  // Prisma listens only while connected, so the pool keeps its own listener for its whole life.
  pool.on('error', (err) => onConnectionError(err));
  const factory = new PrismaPg(pool);
  const prisma = new PrismaClient({ adapter: factory });
  return {
    kind: 'postgres',
    factory,
    prisma,
    direct,
    created: false,
    async close() {
      await prisma.$disconnect();
      await direct.close();
      if (pool.ended || pool.ending) return;
      // pool.end() resolves once its connections are asked to close, not once they are closed:
      // wait for each one, so that nothing of this pool is left when close() returns.
      let open = pool.totalCount;
      const closed = new Promise<void>((resolve) => {
        if (open === 0) resolve();
        pool.on('remove', () => {
          if (--open <= 0) resolve();
        });
      });
      await pool.end();
      await closed;
    },
  };
}

/**
 * PostgreSQL's default shared_buffers (128 MB) is most of the embedded database's WebAssembly heap;
 * 16 MB is plenty for a development or demo site. Measured on an existing data directory: 343 MB
 * resident after opening with the default, 168 MB with this setting.
 */
export const PGLITE_OPTIONS = { postgresqlconf: ['shared_buffers=16MB'] };

/** The embedded database on its own thread (decision 0018); `PGLITE_WORKER=0` keeps it on the app's thread. */
export const PGLITE_WORKER = process.env.PGLITE_WORKER !== '0';

/** PGlite on its own thread, behind a Prisma adapter that sends it each call. */
export async function openPgliteThread(setup: WorkerSetup, created = false, onClose?: () => void): Promise<Database> {
  const thread = await PGliteThread.start(setup);
  return embeddedDatabase(new PGliteThreadAdapterFactory(thread), created, () => thread.close(), onClose);
}

export async function openDatabase(
  opts: { databaseUrl?: string; dataDir: string },
  onConnectionError?: ConnectionErrorHandler,
): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, undefined, onConnectionError);
  const dir = path.join(opts.dataDir, 'pglite');
  const unlock = lockDataDir(opts.dataDir);
  try {
    const created = !existsSync(path.join(dir, 'PG_VERSION'));
    // A new database starts as a copy of the empty one made at install, sparing PGlite's initdb.
    if (created) copyTemplate(dir);
    if (PGLITE_WORKER) return await openPgliteThread({ dataDir: dir, options: PGLITE_OPTIONS }, created, unlock);
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = new PGlite(dir, PGLITE_OPTIONS);
    return await openPglite(pglite, created, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}
