import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDatabase } from '../src/db/connect.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { nextNumber } from '../src/db/counter.ts';
const db = await openDatabase({ dataDir: mkdtempSync(path.join(tmpdir(), 'ledger-tx-')) });
await applyMigrations(db.factory);
for (const sc of ['on', 'off']) {
  await db.prisma.$executeRawUnsafe(`SET synchronous_commit = ${sc}`);
  let t = performance.now();
  for (let i = 0; i < 200; i++) await db.prisma.$transaction(async (tx) => { await nextNumber(tx, 'x'); await tx.$queryRaw`SELECT 1`; });
  process.stdout.write(`sync_commit ${sc}: tx ${((performance.now() - t) / 200).toFixed(2)} ms\n`);
  t = performance.now();
  for (let i = 0; i < 200; i++) await nextNumber(db.prisma as never, 'y');
  process.stdout.write(`sync_commit ${sc}: autocommit stmt ${((performance.now() - t) / 200).toFixed(2)} ms\n`);
  t = performance.now();
  for (let i = 0; i < 200; i++) await db.prisma.member.count();
  process.stdout.write(`sync_commit ${sc}: select count ${((performance.now() - t) / 200).toFixed(2)} ms\n`);
}
await db.close();
