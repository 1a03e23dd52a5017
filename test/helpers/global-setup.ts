// Migrates one template database for the whole run; each test file then gets its own copy
// (a PGlite data-dir snapshot, or a PostgreSQL database created from a template).
import { writeFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { applyMigrations } from '../../src/db/migrations.ts';

export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL;
  if (url) {
    const template = `club_template_${process.pid}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${template}`);
    await admin.query(`CREATE DATABASE ${template}`);
    const templateUrl = withDatabase(url, template);
    const pool = new pg.Pool({ connectionString: templateUrl, max: 2 });
    await applyMigrations(new PrismaPg(pool));
    await pool.end();
    project.provide('templateDatabase', template);
    return async () => {
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'cpst\\_%' OR datname = $1`,
        [template],
      );
      try {
        for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
      } finally {
        await admin.end();
      }
    };
  }
  const pglite = new PGlite('memory://');
  await applyMigrations(new PrismaPGlite(pglite));
  const dump = await pglite.dumpDataDir('none');
  const file = path.join(os.tmpdir(), `club-template-${process.pid}.tar`);
  await writeFile(file, Buffer.from(await dump.arrayBuffer()));
  await pglite.close();
  project.provide('templateDatabase', file);
  return async () => rm(file, { force: true });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
