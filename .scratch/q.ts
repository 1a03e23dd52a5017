import { performance } from 'node:perf_hooks';
import { openPostgres } from '../src/db/connect.ts';
import { journalLines } from '../src/accounting/exports.ts';
const u = new URL(process.env.DATABASE_URL!); u.pathname = '/fecprof';
const db = openPostgres(u.toString());
let t0 = performance.now(); let n = 0;
for await (const rows of journalLines(db.prisma, '2025-01-01', '2025-12-31')) n += rows.length;
process.stdout.write(`current journalLines: ${n} in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
t0 = performance.now(); n = 0;
let after = 0n;
for (;;) {
  const rows = await db.prisma.$queryRawUnsafe<{ entryId: bigint }[]>(`SELECT "entryId", "accountNumber", "accountLabel", "auxNumber", "auxLabel", label, "debitCents", "creditCents" FROM "JournalLine" WHERE "entryId" > $1 AND "entryId" <= $1 + 5000 ORDER BY "entryId", position`, after);
  if (!rows.length) break; n += rows.length; after += 5000n;
}
process.stdout.write(`lines only, by range: ${n} in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
t0 = performance.now(); n = 0; after = 0n;
for (;;) {
  const rows = await db.prisma.$queryRawUnsafe<{ entryId: bigint }[]>(`SELECT l."entryId", l."accountNumber", l."accountLabel", l."auxNumber", l."auxLabel", l.label, l."debitCents", l."creditCents", e.number, e.journal::text, e.piece, e.date, e."validatedAt" FROM "JournalLine" l JOIN "JournalEntry" e ON e.id = l."entryId" WHERE l."entryId" > $1 AND l."entryId" <= $1 + 5000 ORDER BY l."entryId", l.position`, after);
  if (!rows.length) break; n += rows.length; after += 5000n;
}
process.stdout.write(`lines + entry join, by range: ${n} in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
await db.close();
