// `npm run bench:fec`: generates N journal lines by SQL in a fresh database and times the FEC
// export and the trial balance (lines/s, peak memory). BENCH_FEC_LINES (1 000 000 by default;
// entries of 2 lines). PostgreSQL when DATABASE_URL is set (a throw-away database is created on
// that server and dropped), else an in-memory PGlite.
// The generated rows are inserted with the journal's triggers disabled inside the loading
// transaction (ALTER TABLE … DISABLE TRIGGER USER, table owner) so the load is fast; they
// balance by construction, which the trial balance checks.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { openPglite, openPostgres } from '../src/db/connect.ts';
import type { Database } from '../src/db/connect.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { fecChunks, trialBalance } from '../src/accounting/exports.ts';

const LINES = Number(process.env.BENCH_FEC_LINES) > 0 ? Number(process.env.BENCH_FEC_LINES) : 1_000_000;
const YEAR = 2025;

export async function generateJournal(db: Database, lines: number, year = YEAR): Promise<void> {
  const entries = Math.ceil(lines / 2);
  await db.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`ALTER TABLE "JournalEntry" DISABLE TRIGGER USER`);
    await tx.$executeRawUnsafe(`ALTER TABLE "JournalLine" DISABLE TRIGGER USER`);
    await tx.$executeRawUnsafe(`
      INSERT INTO "JournalEntry" (id, number, journal, date, piece, label, "validatedAt", "idempotencyKey")
      SELECT g, g, 'VE', make_date(${year}, 1, 1) + (((g - 1) * 365) / ${entries}),
             'F' || lpad(g::text, 7, '0'), 'Facture F' || lpad(g::text, 7, '0') || ' membre M' || lpad((g % 5000 + 1)::text, 6, '0'),
             (make_date(${year}, 1, 1) + (((g - 1) * 365) / ${entries}))::timestamp + interval '10 hours', 'bench:' || g
      FROM generate_series(1, ${entries}) g`);
    await tx.$executeRawUnsafe(`
      INSERT INTO "JournalLine" ("entryId", position, "accountKey", "accountNumber", "accountLabel", "memberNumber", "auxNumber", "auxLabel", label, "debitCents", "creditCents")
      SELECT g, p, CASE p WHEN 0 THEN 'CLIENTS' ELSE 'VENTES' END, CASE p WHEN 0 THEN '411' ELSE '707' END,
             CASE p WHEN 0 THEN 'Clients' ELSE 'Ventes de marchandises' END,
             CASE p WHEN 0 THEN g % 5000 + 1 END, CASE p WHEN 0 THEN 'M' || lpad((g % 5000 + 1)::text, 6, '0') END,
             CASE p WHEN 0 THEN 'Membre M' || lpad((g % 5000 + 1)::text, 6, '0') END,
             'Facture F' || lpad(g::text, 7, '0'), CASE p WHEN 0 THEN 1000 + g % 9000 ELSE 0 END, CASE p WHEN 1 THEN 1000 + g % 9000 ELSE 0 END
      FROM generate_series(1, ${entries}) g CROSS JOIN generate_series(0, 1) p ORDER BY g, p`);
    await tx.$executeRawUnsafe(`ALTER TABLE "JournalEntry" ENABLE TRIGGER USER`);
    await tx.$executeRawUnsafe(`ALTER TABLE "JournalLine" ENABLE TRIGGER USER`);
  }, { timeout: 3_600_000, maxWait: 60_000 });
}

export async function benchFec(db: Database, year = YEAR) {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  let bytes = 0;
  let lines = -1;
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      cb();
    },
  });
  const t0 = performance.now();
  for await (const chunk of fecChunks(db.prisma, year)) {
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) lines++;
    if (!sink.write(chunk)) await new Promise((r) => sink.once('drain', r));
  }
  const fecSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const tb = await trialBalance(db.prisma, `${year}-12-31`);
  const tbSeconds = (performance.now() - t1) / 1000;
  clearInterval(sampler);
  return {
    lines,
    fecSeconds: Math.round(fecSeconds * 100) / 100,
    linesPerSecond: Math.round(lines / fecSeconds),
    megabytes: Math.round(bytes / 1e5) / 10,
    peakRssMb: Math.round(peak / 1e5) / 10,
    trialBalanceSeconds: Math.round(tbSeconds * 1000) / 1000,
    balanced: tb.debit === tb.credit,
  };
}

async function main() {
  const url = process.env.DATABASE_URL;
  let db: Database;
  let drop: (() => Promise<void>) | undefined;
  if (url) {
    const name = `bench_fec_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(url);
    u.pathname = `/${name}`;
    db = openPostgres(u.toString());
    drop = async () => {
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
  } else {
    db = await openPglite(new PGlite());
  }
  try {
    await applyMigrations(db.factory);
    const g0 = performance.now();
    await generateJournal(db, LINES);
    const generateSeconds = Math.round((performance.now() - g0) / 10) / 100;
    const result = await benchFec(db);
    process.stdout.write(`${JSON.stringify({ database: db.kind, generated: LINES, generateSeconds, ...result }, null, 2)}\n`);
  } finally {
    await db.close();
    await drop?.();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
