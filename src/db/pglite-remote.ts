// The app's side of the embedded database's thread (pglite-worker.mjs): a Prisma driver adapter
// whose every call is a message to that thread. Prisma's query interpreter, the HTTP layer and
// the templates stay on this thread; PGlite's WebAssembly runs on the other core
// (docs/decisions/0018-pglite-worker-thread.md).
import { Worker } from 'node:worker_threads';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import type {
  ConnectionInfo,
  IsolationLevel,
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  SqlResultSet,
  Transaction,
  TransactionOptions,
} from '@prisma/driver-adapter-utils';
import type { Reply, Request, SerializedError, WorkerSetup } from './pglite-protocol.ts';

type Call = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

const ADAPTER_NAME = 'pglite-prisma-adapter';

export class DatabaseThreadStopped extends Error {}

function revive(error: SerializedError): Error {
  const revived =
    error.driverCause !== undefined
      ? new DriverAdapterError(error.driverCause as ConstructorParameters<typeof DriverAdapterError>[0])
      : Object.assign(new Error(error.message), { name: error.name, code: error.code });
  if (error.stack) revived.stack = error.stack;
  return revived;
}

/** The database thread and its pending calls. */
export class PGliteThread {
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private next = 1;
  private stopped: Error | undefined;
  closed = false;

  private constructor(private readonly worker: Worker) {
    // The thread answers a few calls per message (pglite-worker.mjs).
    worker.on('message', (replies: Reply[]) => {
      for (const reply of replies) this.settle(reply);
    });
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) =>
      this.stop(new DatabaseThreadStopped(`La base embarquée s’est arrêtée (code ${code}).`)),
    );
  }

  static start(setup: WorkerSetup): Promise<PGliteThread> {
    // No TypeScript loader on that thread (execArgv: []): its code is plain JavaScript.
    const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), { workerData: setup, execArgv: [] });
    const thread = new PGliteThread(worker);
    return new Promise((resolve, reject) => {
      thread.pending.set(0, {
        resolve: () => {
          worker.unref();
          resolve(thread);
        },
        reject: (error) => {
          void worker.terminate();
          reject(error);
        },
      });
    });
  }

  private settle(reply: Reply) {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    // Only a pending call keeps the process alive, as a socket of a PostgreSQL pool would.
    if (this.pending.size === 0) this.worker.unref();
    if (reply.ok) waiting.resolve(reply.value);
    else waiting.reject(revive(reply.error));
  }

  private stop(error: Error) {
    this.stopped ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  call<T>(request: Call): Promise<T> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.next++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ ...request, id } as Request);
    });
  }

  /**
   * The calls of one turn of the event loop go in one message, sent once the turn's callbacks have
   * run (setImmediate): one message to clone, signal and dispatch per turn instead of one per
   * statement (the replies come back a few per message: pglite-worker.mjs). Decision 0084.
   */
  private outbox: Request[] = [];
  private send(request: Request) {
    // A transaction's statements, commit and rollback go at once (with the turn's calls before
    // them, in order): the transaction holds the database, and a wait for the end of the turn
    // would hold it that much longer for every other request.
    if ('tx' in request && request.tx !== undefined) {
      this.outbox.push(request);
      return this.flush();
    }
    if (this.outbox.push(request) === 1) setImmediate(this.flush);
  }
  private readonly flush = () => {
    if (!this.outbox.length) return;
    const batch = this.outbox;
    this.outbox = [];
    if (this.stopped) return;
    this.worker.postMessage(batch);
  };

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.stopped) await this.call({ op: 'close' });
    await this.worker.terminate();
  }
}

class RemoteQueryable {
  readonly provider = 'postgres';
  readonly adapterName = ADAPTER_NAME;
  constructor(
    protected readonly thread: PGliteThread,
    protected readonly tx?: number,
  ) {}

  queryRaw(query: SqlQuery): Promise<SqlResultSet> {
    return this.thread.call({ op: 'queryRaw', query, tx: this.tx });
  }

  executeRaw(query: SqlQuery): Promise<number> {
    return this.thread.call({ op: 'executeRaw', query, tx: this.tx });
  }
}

class RemoteTransaction extends RemoteQueryable implements Transaction {
  constructor(
    thread: PGliteThread,
    private readonly id: number,
    readonly options: TransactionOptions,
  ) {
    super(thread, id);
  }

  commit(): Promise<void> {
    return this.thread.call({ op: 'commit', tx: this.id });
  }

  rollback(): Promise<void> {
    return this.thread.call({ op: 'rollback', tx: this.id });
  }
}

class RemoteAdapter extends RemoteQueryable implements SqlDriverAdapter {
  executeScript(script: string): Promise<void> {
    return this.thread.call({ op: 'executeScript', script });
  }

  async startTransaction(isolationLevel?: IsolationLevel): Promise<Transaction> {
    const { id, options } = await this.thread.call<{ id: number; options: TransactionOptions }>({
      op: 'startTransaction',
      isolationLevel,
    });
    return new RemoteTransaction(this.thread, id, options);
  }

  getConnectionInfo(): ConnectionInfo {
    return { supportsRelationJoins: true };
  }

  async dispose(): Promise<void> {}
}

export class PGliteThreadAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName = ADAPTER_NAME;
  constructor(private readonly thread: PGliteThread) {}

  async connect(): Promise<SqlDriverAdapter> {
    return new RemoteAdapter(this.thread);
  }

  /** Only `prisma migrate dev` would ask for it; an in-memory database on this thread. */
  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
    return new PrismaPGlite(new PGlite('memory://')).connect();
  }
}
