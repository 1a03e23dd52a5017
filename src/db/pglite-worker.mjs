// The embedded database's own thread: PGlite and its Prisma adapter run here, and the app's thread
// sends each adapter call as a message (pglite-remote.ts, messages in pglite-protocol.ts). PGlite
// runs every query synchronously; on this thread it no longer stops the app from answering other
// requests meanwhile (docs/decisions/0018-pglite-worker-thread.md). Plain JavaScript: the thread
// starts without a TypeScript loader, which would cost it some 60 MB.
/* global Blob, structuredClone */
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGliteStrictCommit } from './pglite-commit.mjs';
import { withPreparedStatements } from './pglite-prepared.mjs';

const port = parentPort;
const setup = workerData;

/** An error as a message: a DriverAdapterError keeps its cause, from which Prisma makes P2002 and the like. */
function serializeError(error) {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    code: typeof error.code === 'string' ? error.code : undefined,
    driverCause: error.name === 'DriverAdapterError' ? structuredClone(error.cause) : undefined,
  };
}

async function open() {
  const options = { ...setup.options };
  if (setup.loadDataDirFile) options.loadDataDir = new Blob([await readFile(setup.loadDataDirFile)]);
  const pglite = setup.dataDir ? new PGlite(setup.dataDir, options) : new PGlite(options);
  await pglite.waitReady;
  // Queries outside transactions run on named prepared statements (pglite-prepared.mjs).
  const client = withPreparedStatements(pglite);
  const adapter = await new PrismaPGliteStrictCommit(client).connect();
  return { pglite, client, adapter };
}

const transactions = new Map();
let nextTransaction = 1;

function transaction(id) {
  const tx = transactions.get(id);
  if (!tx) throw new Error(`Transaction ${id} inconnue ou terminée`);
  return tx;
}

async function handle(request, { pglite, client, adapter }) {
  switch (request.op) {
    case 'queryRaw':
      return (request.tx === undefined ? adapter : transaction(request.tx)).queryRaw(request.query);
    case 'executeRaw':
      return (request.tx === undefined ? adapter : transaction(request.tx)).executeRaw(request.query);
    case 'executeScript':
      // The adapter starts the script without waiting for it; here the reply waits for its end.
      await client.exec(request.script);
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
      transactions.delete(request.tx);
      await (request.op === 'commit' ? tx.commit() : tx.rollback());
      return undefined;
    }
    case 'close':
      if (!pglite.closed) await pglite.close();
      return undefined;
    default:
      throw new Error(`Opération inconnue : ${request.op}`);
  }
}

try {
  const db = await open();
  port.on('message', (request) => {
    handle(request, db).then(
      (value) => port.postMessage({ id: request.id, ok: true, value }),
      (error) => port.postMessage({ id: request.id, ok: false, error: serializeError(error) }),
    );
  });
  port.postMessage({ id: 0, ok: true, value: 'ready' });
} catch (error) {
  port.postMessage({ id: 0, ok: false, error: serializeError(error) });
}
