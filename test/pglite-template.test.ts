// The empty embedded database prepared at install (src/db/pglite-template.mjs, decision 0019): a
// new DATA_DIR starts as a copy of it, a directory that already holds something is never
// overwritten, and the copy is a working database that the migrations take to the schema.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTemplate, copyTemplate, pgliteVersion, templateDir } from '../src/db/pglite-template.mjs';
import { openDatabase } from '../src/db/connect.ts';
import { applyMigrations } from '../src/db/migrations.ts';
import { onPostgres } from './helpers/db.ts';

describe.skipIf(onPostgres)('the empty embedded database made at install', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'club-template-test-'));
  const saved = process.env.PGLITE_TEMPLATE_DIR;

  beforeAll(async () => {
    process.env.PGLITE_TEMPLATE_DIR = path.join(work, 'templates');
    const { target, built } = await buildTemplate();
    expect(built).toBe(true);
    expect(target).toBe(path.join(work, 'templates', pgliteVersion()));
    expect(readdirSync(target)).toContain('PG_VERSION');
    // A second call keeps the one made.
    expect((await buildTemplate()).built).toBe(false);
  }, 120_000);

  afterAll(() => {
    if (saved === undefined) delete process.env.PGLITE_TEMPLATE_DIR;
    else process.env.PGLITE_TEMPLATE_DIR = saved;
    rmSync(work, { recursive: true, force: true });
  });

  it('a new data directory is a copy of it, and opens as a working database', async () => {
    const dataDir = path.join(work, 'site');
    const db = await openDatabase({ dataDir });
    try {
      expect(db.created).toBe(true);
      // The same cluster, not a new initdb: pg_control starts with the system identifier initdb chose.
      const systemId = (dir: string) =>
        readFileSync(path.join(dir, 'global', 'pg_control'))
          .subarray(0, 8)
          .toString('hex');
      expect(systemId(path.join(dataDir, 'pglite'))).toBe(systemId(templateDir()));
      expect((await applyMigrations(db.factory)).length).toBeGreaterThan(0);
      expect(await db.prisma.member.count()).toBe(0);
    } finally {
      await db.close();
    }
    // Opened again: an existing database, nothing copied, nothing left to migrate.
    const again = await openDatabase({ dataDir });
    try {
      expect(again.created).toBe(false);
      expect(await applyMigrations(again.factory)).toEqual([]);
    } finally {
      await again.close();
    }
  }, 120_000);

  it('a directory that already holds files is left as it is', () => {
    const dir = path.join(work, 'occupied');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'note.txt'), 'à garder');
    expect(copyTemplate(dir)).toBe(false);
    expect(readdirSync(dir)).toEqual(['note.txt']);
  });

  it('without a template for the installed PGlite, nothing is copied', () => {
    process.env.PGLITE_TEMPLATE_DIR = path.join(work, 'nowhere');
    try {
      expect(copyTemplate(path.join(work, 'other'))).toBe(false);
    } finally {
      process.env.PGLITE_TEMPLATE_DIR = path.join(work, 'templates');
    }
  });
});
