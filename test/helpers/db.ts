// A fresh, migrated database for one test file: a copy of the run's template.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { openPglite, openPgliteThread, openPostgres, PGLITE_WORKER } from '../../src/db/connect.ts';
import type { Database } from '../../src/db/connect.ts';
import { withDatabase } from './global-setup.ts';

export const onPostgres = !!process.env.DATABASE_URL;

export interface TestDatabase extends Database {
  /** A connection string for this test's database (PostgreSQL only). */
  url?: string;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const template = inject('templateDatabase');
  const url = process.env.DATABASE_URL;
  if (url) {
    const name = `cpst_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.end();
    const dbUrl = withDatabase(url, name);
    const db = openPostgres(dbUrl, 20);
    return {
      ...db,
      url: dbUrl,
      async close() {
        await db.close();
        const a = new pg.Client({ connectionString: url });
        await a.connect();
        await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await a.end();
      },
    };
  }
  // The embedded database as the app opens it: on its own thread, unless PGLITE_WORKER=0.
  if (PGLITE_WORKER) return openPgliteThread({ loadDataDirFile: template, options: {} });
  const blob = new Blob([await readFile(template)]);
  return openPglite(new PGlite({ loadDataDir: blob }));
}
