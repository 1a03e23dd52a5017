import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLITE_OPTIONS } from '../src/db/connect.ts';
const p = new PGlite(path.join(mkdtempSync(path.join(tmpdir(), 'ledger-set-')), 'pg'), PGLITE_OPTIONS);
for (const s of ['fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers', 'wal_buffers', 'checkpoint_timeout', 'max_wal_size']) {
  const r = await p.query<{ v: string }>(`SELECT current_setting('${s}') AS v`);
  process.stdout.write(`${s}=${r.rows[0]!.v}\n`);
}
const r = await p.query<{ v: string }>(`SELECT to_char(('2025-03-30 01:30'::timestamp AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD HH24:MI') AS v`);
process.stdout.write(`tz ${r.rows[0]!.v}\n`);
await p.close();
