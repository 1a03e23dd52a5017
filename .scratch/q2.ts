import { performance } from 'node:perf_hooks';
import { openPostgres } from '../src/db/connect.ts';
import { journalBatches } from '../src/accounting/exports.ts';
const u = new URL(process.env.DATABASE_URL!); u.pathname = '/fecprof';
const db = openPostgres(u.toString());
const t0 = performance.now(); let n = 0;
for await (const b of journalBatches(db.prisma, '2025-01-01', '2025-12-31', null, Number(process.argv[2] ?? 10000))) n += b.lines.length;
process.stdout.write(`journalBatches: ${n} in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
await db.close();
