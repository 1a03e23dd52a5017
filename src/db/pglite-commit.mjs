// pglite-prisma-adapter 0.7 swallows an error raised by COMMIT: its transaction promise ends in
// `.catch(reject)` after the transaction object was already handed out, so a deferred constraint
// trigger that refuses the transaction at COMMIT (the journal's balance check) rolls it back but
// `$transaction` resolves as if it had committed. PostgreSQL through @prisma/adapter-pg throws.
// This wrapper keeps the adapter and makes the failed COMMIT throw the same way on PGlite:
// `PGlite.transaction` does reject with the COMMIT's error; we catch it there (a per-transaction
// box carried by PGlite's transaction object) and rethrow it from the adapter's commit().
// See docs/decisions/0042-pglite-commit-errors.md.
// Plain JavaScript (types in pglite-commit.d.mts): the embedded database's thread loads it
// without a TypeScript loader (pglite-worker.mjs, decision 0018).
import { PrismaPGlite } from 'pglite-prisma-adapter';

const FAILURE = Symbol('commitFailure');

/** The PGlite instance as the adapter sees it, with `transaction` recording the COMMIT's error. */
function recordingClient(pglite) {
  return new Proxy(pglite, {
    get(target, key) {
      if (key === 'transaction') {
        return (callback) => {
          const box = {};
          return target
            .transaction((tx) => {
              tx[FAILURE] = box;
              return callback(tx);
            })
            .catch((error) => {
              box.error = error;
              throw error;
            });
        };
      }
      // PGlite keeps private state keyed by the instance: methods run on the instance itself.
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export class PrismaPGliteStrictCommit {
  provider = 'postgres';

  constructor(pglite) {
    this.inner = new PrismaPGlite(recordingClient(pglite));
    this.adapterName = this.inner.adapterName;
  }

  async connect() {
    const adapter = await this.inner.connect();
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const tx = await start(isolationLevel);
      const commit = tx.commit.bind(tx);
      tx.commit = async () => {
        await commit();
        const error = tx.client[FAILURE]?.error;
        // The adapter's own conversion: Prisma maps a DriverAdapterError like PostgreSQL's.
        if (error !== undefined) tx.onError(error);
      };
      return tx;
    };
    return adapter;
  }

  connectToShadowDb() {
    return this.inner.connectToShadowDb();
  }
}
