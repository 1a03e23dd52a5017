// Code generation on its own, in its own process so its memory is attributable: boots a fresh
// database (BENCH_DATA_DIR for PGlite, or BENCH_DATABASE_URL), creates a batch of
// BENCH_CODEGEN_QUANTITY codes and times issueCodes(). Prints {"ready": {...results}} and exits.
import { performance } from 'node:perf_hooks';
import { createLogger } from '../src/logger.ts';
import { boot } from '../src/bootstrap.ts';
import { createMember, batchInput } from '../src/dev/factories.ts';
import { createBatch, issueCodes } from '../src/coupons/service.ts';
import { generateCode, hashCode } from '../src/coupons/codes.ts';
import { benchConfig, send } from './lib.ts';

const dataDir: string = process.env.BENCH_DATA_DIR ?? '';
if (!dataDir) throw new Error('BENCH_DATA_DIR is required');
const quantity = Number(process.env.BENCH_CODEGEN_QUANTITY ?? 100_000);
const MB = 1048576;

async function main() {
  const config = benchConfig(dataDir!);
  const { deps, database } = await boot(config, createLogger('silent'));
  try {
    const { member: staff } = await createMember(deps, {}, { role: 'STAFF' });
    const batch = await createBatch(deps, staff.id, batchInput(deps, { label: 'Bench codegen', quantity, valueCents: 100 }));

    const before = process.memoryUsage();
    let sampledPeak = before.rss;
    const sampler = setInterval(() => {
      sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss);
    }, 10);
    const t0 = performance.now();
    const codes = await issueCodes(deps, staff.id, batch.id);
    const seconds = (performance.now() - t0) / 1000;
    clearInterval(sampler);
    const after = process.memoryUsage();
    sampledPeak = Math.max(sampledPeak, after.rss);
    const maxRssMB = process.resourceUsage().maxRSS / 1024; // high-water mark of the whole process, KiB → MiB

    const stored = await deps.db.coupon.count({ where: { batchId: batch.id } });
    const distinct = new Set(codes).size;

    // The CPU-only part (generation + HMAC), for attribution: the rest of issueCodes is the database.
    const t1 = performance.now();
    const fresh = new Set<string>();
    while (fresh.size < quantity) fresh.add(generateCode());
    for (const c of fresh) hashCode(config.codeHmacSecret, c);
    const cpuOnlySeconds = (performance.now() - t1) / 1000;

    send({
      ready: {
        database: database.kind,
        quantity,
        returned: codes.length,
        stored,
        distinct,
        seconds: Math.round(seconds * 1000) / 1000,
        codesPerSecond: Math.round(quantity / seconds),
        generateAndHmacSeconds: Math.round(cpuOnlySeconds * 1000) / 1000,
        rssBeforeMB: Math.round(before.rss / MB),
        rssAfterMB: Math.round(after.rss / MB),
        rssPeakSampledMB: Math.round(sampledPeak / MB),
        maxRssMB: Math.round(maxRssMB),
        heapUsedBeforeMB: Math.round(before.heapUsed / MB),
        heapUsedAfterMB: Math.round(after.heapUsed / MB),
      },
    });
  } finally {
    await database.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    send({ fatal: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
    process.exit(1);
  },
);
