// The embedded database's own thread: PGlite and its Prisma adapter run here, and the app's thread
// sends each adapter call as a message (pglite-remote.ts, messages in pglite-protocol.ts). PGlite
// runs every query synchronously; on this thread it no longer stops the app from answering other
// requests meanwhile (docs/decisions/0018-pglite-worker-thread.md). Plain JavaScript: the thread
// starts without a TypeScript loader, which would cost it some 60 MB.
/* global Blob, structuredClone, setImmediate */
import { readFile } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGliteStrictCommit } from './pglite-commit.mjs';
import { withPreparedStatements } from './pglite-prepared.mjs';

const port = parentPort;
/** Replies per message at most (decision 0084: 1, 4, 16 and unbounded measured). */
const REPLY_BATCH = 4;
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
  // The app's thread sends the calls of one turn of its event loop in one message (pglite-remote.ts).
  // The replies go back a few at a time: at most REPLY_BATCH in a message, the rest when this
  // thread's turn ends. All of a turn's replies in one message made the app's thread wait for the
  // last statement of the batch before it could render the first page (decision 0084).
  let outbox = [];
  let scheduled = false;
  const flush = () => {
    const batch = outbox;
    outbox = [];
    port.postMessage(batch);
  };
  const flushLater = () => {
    scheduled = false;
    if (outbox.length) flush();
  };
  const reply = (message) => {
    if (outbox.push(message) >= REPLY_BATCH) return flush();
    if (!scheduled) {
      scheduled = true;
      setImmediate(flushLater);
    }
  };
  port.on('message', (requests) => {
    for (const request of requests) {
      handle(request, db).then(
        (value) => reply({ id: request.id, ok: true, value }),
        (error) => reply({ id: request.id, ok: false, error: serializeError(error) }),
      );
    }
  });
  port.postMessage([{ id: 0, ok: true, value: 'ready' }]);
} catch (error) {
  port.postMessage([{ id: 0, ok: false, error: serializeError(error) }]);
}
