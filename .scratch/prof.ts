import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openPostgres } from '../src/db/connect.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { generateJournal } from '../bench/fec.ts';
import { fecChunks } from '../src/accounting/exports.ts';
const base = process.env.DATABASE_URL!;
const u = new URL(base); u.pathname = '/fecprof';
if (process.argv[2] === 'gen') {
  const a = new pg.Client({ connectionString: base }); await a.connect();
  await a.query('DROP DATABASE IF EXISTS fecprof WITH (FORCE)'); await a.query('CREATE DATABASE fecprof'); await a.end();
  const db = openPostgres(u.toString());
  await applyMigrations(db.factory);
  await generateJournal(db, Number(process.argv[3] ?? 200000));
  await db.close();
} else {
  const db = openPostgres(u.toString());
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  let at: NodeJS.MemoryUsage | null = null; const s = setInterval(() => { const m = process.memoryUsage(); if (m.rss > peak) { peak = m.rss; at = m; } }, 20);
  const t0 = performance.now();
  let n = 0; let bytes = 0;
  for await (const c of fecChunks(db.prisma, 2025, Number(process.env.B ?? 10000))) { bytes += c.length; for (let i = c.indexOf('\n'); i !== -1; i = c.indexOf('\n', i + 1)) n++; }
  const sec = (performance.now() - t0) / 1000;
  clearInterval(s);
  process.stdout.write(`heap ${Math.round(process.memoryUsage().heapTotal/1e6)} ${n - 1} lines ${sec.toFixed(2)} s ${Math.round((n - 1) / sec)} l/s rss0 ${Math.round(rss0 / 1e6)} peak ${Math.round(peak / 1e6)} MB chars ${bytes}\n${JSON.stringify(at)}\n`);
  await db.close();
}
