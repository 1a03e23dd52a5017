// `npm run bench:fec` (issue 13): generates N journal lines by SQL in a fresh database, then times
// the FEC export of them (lines/s, resident memory), checks the file with the fec:check validator,
// and times the trial balance and the dashboard's aggregates over the same journal.
//   BENCH_FEC_LINES   lines to generate (1 000 000 by default); entries of 2, 3 or 4 lines.
//   BENCH_DATABASE_URL or DATABASE_URL: a PostgreSQL server (a throw-away database is created on
//                     it and dropped); without it, or with BENCH_FEC_DB=pglite, the embedded
//                     PGlite in a temporary DATA_DIR opened as the app opens it.
// The rows are inserted with the journal's triggers on (append-only, open period, deferred balance
// check at each COMMIT), with gapless numbers that continue the journal counter, and the month
// totals (LedgerMonthTotal) kept in the same transactions, as postEntry keeps them.
//   BENCH_FEC_SKIP_EXPORT=1  skips the FEC export and its check (trial balance and dashboard only).
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase, openPostgres } from '../src/db/connect.ts';
import type { Database } from '../src/db/connect.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import type { Deps } from '../src/deps.ts';
import { fecChunks, trialBalance, trialBalanceCsv } from '../src/accounting/exports.ts';
import { checkFecFile } from '../src/accounting/fec-check.ts';
import { amountFr } from '../src/accounting/format.ts';
import { journalTotals, monthlySales } from '../src/accounting/service.ts';
import { addEntriesToTotals, checkLedgerTotals, scanYearOfLines } from '../src/accounting/totals.ts';

const LINES = Number(process.env.BENCH_FEC_LINES) > 0 ? Number(process.env.BENCH_FEC_LINES) : 1_000_000;
const YEAR = 2025;

/** Lines of entry g (1-based) among `entries`: 2, 3 or 4 (three on average), entries 1 and 3 one more for the remainder. */
const linesOf = (entries: number, extra: number) =>
  `(CASE WHEN g = 1 AND ${extra} >= 1 THEN 4 WHEN g = 3 AND ${extra} >= 2 THEN 4 WHEN g > ${entries - (entries % 4)} THEN 3 WHEN g % 4 = 0 THEN 2 WHEN g % 4 = 2 THEN 4 ELSE 3 END)`;

/**
 * Inserts `lines` journal lines (entries of 2–4 lines, gapless numbers after the journal counter,
 * dated over a closed-free fiscal year) by SQL, in transactions of `perTx` entries. The journal's
 * triggers stay on: the append-only and open-period triggers run on every row and the deferred
 * balance trigger checks every entry at each COMMIT. Returns the lines and entries inserted.
 */
export async function generateJournal(db: Database, lines: number, year = YEAR, perTx = 50_000): Promise<{ lines: number; entries: number }> {
  const entries = Math.floor(lines / 3);
  const extra = lines - entries * 3; // 0, 1 or 2 entries of 4 lines instead of 3
  const k = linesOf(entries, extra);
  const first = Number((await db.prisma.$queryRawUnsafe<{ value: number }[]>(`SELECT coalesce((SELECT value FROM "Counter" WHERE name = 'journal'), 0) AS value`))[0]!.value);
  const dayOf = (g: string) => `(make_date(${year}, 1, 1) + (((${g} - 1)::bigint * 365) / ${entries})::int)`;
  for (let lo = 1; lo <= entries; lo += perTx) {
    const hi = Math.min(entries, lo + perTx - 1);
    await db.prisma.$transaction(
      async (tx) => {
        // 2 lines: a bank payment (512 / 411); 3: an invoice (411 / 707 / 44571); 4: with shipping (7085).
        await tx.$executeRawUnsafe(`
          INSERT INTO "JournalEntry" (number, journal, date, piece, label, "validatedAt", "idempotencyKey")
          SELECT ${first} + g, (CASE WHEN ${k} = 2 THEN 'BQ' ELSE 'VE' END)::"JournalCode", ${dayOf('g')},
                 'F' || lpad(g::text, 7, '0'),
                 (CASE WHEN ${k} = 2 THEN 'Paiement facture F' ELSE 'Facture F' END) || lpad(g::text, 7, '0') || ' membre M' || lpad((g % 5000 + 1)::text, 6, '0'),
                 ${dayOf('g')}::timestamp + interval '9 hours' + (g % 480) * interval '1 minute', 'bench:' || (${first} + g)
          FROM generate_series(${lo}, ${hi}) g ORDER BY g`);
        await tx.$executeRawUnsafe(`
          INSERT INTO "JournalLine" ("entryId", position, "accountKey", "accountNumber", "accountLabel", "memberNumber", "auxNumber", "auxLabel", "vatRateBp", label, "debitCents", "creditCents")
          SELECT e.id, p,
                 CASE WHEN p = 0 AND k = 2 THEN 'BANQUE' WHEN p = 0 OR k = 2 THEN 'CLIENTS' WHEN p = 1 THEN 'VENTES' WHEN p = 2 AND k = 4 THEN 'PORTS' ELSE 'TVA_COLLECTEE' END,
                 CASE WHEN p = 0 AND k = 2 THEN '512' WHEN p = 0 OR k = 2 THEN '411' WHEN p = 1 THEN '707' WHEN p = 2 AND k = 4 THEN '7085' ELSE '44571' END,
                 CASE WHEN p = 0 AND k = 2 THEN 'Banque' WHEN p = 0 OR k = 2 THEN 'Clients' WHEN p = 1 THEN 'Ventes de marchandises 20 %'
                      WHEN p = 2 AND k = 4 THEN 'Ports et frais accessoires facturés 20 %' ELSE 'TVA collectée 20 %' END,
                 CASE WHEN (p = 0) <> (k = 2) THEN m END, CASE WHEN (p = 0) <> (k = 2) THEN 'M' || lpad(m::text, 6, '0') END,
                 CASE WHEN (p = 0) <> (k = 2) THEN 'Membre M' || lpad(m::text, 6, '0') END,
                 CASE WHEN p > 0 AND k > 2 THEN 2000 END,
                 e.label,
                 -- net n, VAT n/5 (+ 98 on shipping 490): the first line takes the total.
                 CASE WHEN p = 0 THEN n + n / 5 + (CASE WHEN k = 4 THEN 588 ELSE 0 END) ELSE 0 END,
                 CASE WHEN p = 0 THEN 0 WHEN k = 2 THEN n + n / 5 WHEN p = 1 THEN n WHEN p = 2 AND k = 4 THEN 490 ELSE n / 5 + (CASE WHEN k = 4 THEN 98 ELSE 0 END) END
          FROM (SELECT id, label, ${k} AS k, (g % 5000 + 1)::int AS m, (1000 + g % 9000)::int AS n
                FROM (SELECT id, label, number - ${first} AS g FROM "JournalEntry" WHERE number BETWEEN ${first + lo} AND ${first + hi}) e0) e
          CROSS JOIN generate_series(0, 3) p
          WHERE p < e.k
          ORDER BY e.id, p`);
        // The month totals, as postEntry keeps them: one upsert per (month, journal, account) group.
        await addEntriesToTotals(tx, first + lo, first + hi);
        await tx.$executeRawUnsafe(`
          INSERT INTO "Counter" (name, value) VALUES ('journal', ${first + hi})
          ON CONFLICT (name) DO UPDATE SET value = ${first + hi}`);
      },
      { timeout: 3_600_000, maxWait: 60_000 },
    );
  }
  return { lines: entries * 3 + extra, entries };
}

const mb = (bytes: number): number => Math.round(bytes / 1e5) / 10;
const secondsSince = (t: number): number => Math.round(performance.now() - t) / 1000;

/** The process's peak resident memory so far (VmHWM), in bytes; 0 where /proc is missing. */
function vmHwm(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Times the FEC export of `year` to a file with back-pressure, then checks it with fec:check. */
async function benchFecExport(db: Database, year: number, file: string) {
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  let bytes = 0;
  const sink = createWriteStream(file);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for await (const chunk of fecChunks(db.prisma, year)) {
    bytes += Buffer.byteLength(chunk);
    if (!sink.write(chunk)) await once(sink, 'drain');
  }
  await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
  const fecSeconds = secondsSince(t0);
  const cpu = process.cpuUsage(cpu0);
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  const t1 = performance.now();
  const check = await checkFecFile(file);
  const checkSeconds = secondsSince(t1);
  rmSync(file, { force: true });
  return {
    lines: check.lineCount,
    entries: check.entryCount,
    seconds: fecSeconds,
    linesPerSecond: Math.round(check.lineCount / fecSeconds),
    // This process's CPU time (user + system): the figure least disturbed by a shared machine.
    cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
    megabytes: mb(bytes),
    rssBeforeMb: mb(rssBefore),
    peakRssMb: mb(peak),
    vmHwmMb: mb(vmHwm()),
    fecCheck: check.issues.length === 0 ? 'conforme' : `${check.issues.length} défaut(s) : ${check.issues.slice(0, 3).map((i) => `${i.rule} ligne ${i.line}`).join(', ')}`,
    fecCheckSeconds: checkSeconds,
  };
}


/**
 * Times the FEC export of `year` written to a file with back-pressure (as to an HTTP response),
 * sampling the resident memory every 20 ms, then checks the file with the fec:check validator,
 * then times the trial balance and the dashboard's aggregates over the same journal.
 */
export async function benchFec(db: Database, year = YEAR, file = path.join(tmpdir(), `bench-fec-${randomBytes(4).toString('hex')}.txt`)) {
  const fec = process.env.BENCH_FEC_SKIP_EXPORT ? null : await benchFecExport(db, year, file);
  const t2 = performance.now();
  const tb = await trialBalance(db.prisma, `${year}-12-31`);
  const trialBalanceSeconds = secondsSince(t2);
  const t3 = performance.now();
  let csvBytes = 0;
  for await (const chunk of trialBalanceCsv(db.prisma, `${year}-12-31`)) csvBytes += chunk.length;
  const trialBalanceCsvSeconds = secondsSince(t3);
  const deps = { db: db.prisma } as Deps;
  // The dashboard's aggregates, read from the month totals: best of 5 (each is a few milliseconds).
  const dashboardRuns: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t4 = performance.now();
    await journalTotals(deps, year);
    await monthlySales(deps, year);
    dashboardRuns.push(secondsSince(t4));
  }
  const t5 = performance.now();
  await scanYearOfLines(db.prisma, year);
  const scanSeconds = secondsSince(t5);
  const t6 = performance.now();
  const differences = await checkLedgerTotals(db.prisma);
  const checkTotalsSeconds = secondsSince(t6);
  const totalsRows = await db.prisma.ledgerMonthTotal.count();
  return {
    fec,
    trialBalance: {
      seconds: trialBalanceSeconds,
      csvSeconds: trialBalanceCsvSeconds,
      csvBytes,
      accounts: tb.rows.length,
      debit: amountFr(tb.debit),
      credit: amountFr(tb.credit),
      balanced: tb.debit === tb.credit,
    },
    dashboard: {
      fromMonthTotalsSeconds: dashboardRuns,
      scanOfTheLinesSecondsBefore: scanSeconds,
      monthTotalRows: totalsRows,
      checkLedgerTotals: differences.length === 0 ? 'égaux au GROUP BY des lignes' : `${differences.length} écart(s) : ${JSON.stringify(differences.slice(0, 3))}`,
      checkLedgerTotalsSeconds: checkTotalsSeconds,
    },
  };
}

async function main() {
  const url = process.env.BENCH_DATABASE_URL || process.env.DATABASE_URL;
  let db: Database;
  let drop: () => Promise<void>;
  if (url && process.env.BENCH_FEC_DB !== 'pglite') {
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
    // The embedded database on disk, as the app opens it (a temporary DATA_DIR).
    const dir = mkdtempSync(path.join(tmpdir(), 'bench-fec-'));
    db = await openDatabase({ dataDir: dir });
    drop = async () => rmSync(dir, { recursive: true, force: true });
  }
  const log = (s: string) => process.stderr.write(`${s}\n`);
  try {
    await applyMigrations(db.factory);
    log(`${db.kind}: ${LINES} lignes à générer…`);
    const g0 = performance.now();
    const generated = await generateJournal(db, LINES);
    const generateSeconds = secondsSince(g0);
    log(`générées en ${generateSeconds} s ; export FEC…`);
    const result = await benchFec(db);
    process.stdout.write(`${JSON.stringify({ database: db.kind, generated, generateSeconds, ...result }, null, 2)}\n`);
  } finally {
    await db.close();
    await drop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
