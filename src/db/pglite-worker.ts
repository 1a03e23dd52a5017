// The embedded database's own thread: PGlite and its Prisma adapter run here, and the app's thread
// sends each adapter call as a message (pglite-remote.ts). PGlite runs every query synchronously;
// on this thread it no longer stops the app from answering other requests meanwhile
// (docs/decisions/0018-pglite-worker-thread.md).
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { PGliteOptions } from '@electric-sql/pglite';
import type { SqlDriverAdapter, Transaction } from '@prisma/driver-adapter-utils';
import { PrismaPGliteStrictCommit } from './pglite-commit.ts';
import { serializeError } from './pglite-protocol.ts';
import type { Reply, Request, WorkerSetup } from './pglite-protocol.ts';

const port = parentPort!;
const setup = workerData as WorkerSetup;

async function open(): Promise<{ pglite: PGlite; adapter: SqlDriverAdapter }> {
  const options: PGliteOptions = { ...setup.options };
  if (setup.loadDataDirFile) options.loadDataDir = new Blob([await readFile(setup.loadDataDirFile)]);
  const pglite = setup.dataDir ? new PGlite(setup.dataDir, options) : new PGlite(options);
  await pglite.waitReady;
  const adapter = await new PrismaPGliteStrictCommit(pglite).connect();
  return { pglite, adapter };
}

const transactions = new Map<number, Transaction>();
let nextTransaction = 1;

function transaction(id: number | undefined): Transaction {
  const tx = id === undefined ? undefined : transactions.get(id);
  if (!tx) throw new Error(`Transaction ${id} inconnue ou terminée`);
  return tx;
}

async function handle(request: Request, db: { pglite: PGlite; adapter: SqlDriverAdapter }): Promise<unknown> {
  const { adapter, pglite } = db;
  switch (request.op) {
    case 'queryRaw':
      return (request.tx === undefined ? adapter : transaction(request.tx)).queryRaw(request.query);
    case 'executeRaw':
      return (request.tx === undefined ? adapter : transaction(request.tx)).executeRaw(request.query);
    case 'executeScript':
      // The adapter starts the script without waiting for it; here the reply waits for its end.
      await pglite.exec(request.script);
      return undefined;
    case 'startTransaction': {
      const tx = await adapter.startTransaction(request.isolationLevel);
      const id = nextTransaction++;
      transactions.set(id, tx);
      return { id, options: tx.options };
    }
    case 'commit':
    case 'rollback': {
      const tx = transaction(request.tx);
      transactions.delete(request.tx!);
      await (request.op === 'commit' ? tx.commit() : tx.rollback());
      return undefined;
    }
    case 'close':
      if (!pglite.closed) await pglite.close();
      return undefined;
  }
}

try {
  const db = await open();
  port.on('message', (request: Request) => {
    handle(request, db).then(
      (value) => port.postMessage({ id: request.id, ok: true, value } satisfies Reply),
      (error: unknown) => port.postMessage({ id: request.id, ok: false, error: serializeError(error) } satisfies Reply),
    );
  });
  port.postMessage({ id: 0, ok: true, value: 'ready' } satisfies Reply);
} catch (error) {
  port.postMessage({ id: 0, ok: false, error: serializeError(error) } satisfies Reply);
}
