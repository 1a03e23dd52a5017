// Creates and applies migrations with the WebAssembly schema engine (DESIGN §2).
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { openSchemaEngine } from './schema-engine.ts';
import { openDatabase } from './connect.ts';

export const PRISMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma');
const MIGRATIONS_DIR = path.join(PRISMA_DIR, 'migrations');
const SCHEMA_FILE = path.join(PRISMA_DIR, 'schema.prisma');
const NO_FILTER = { externalTables: [], externalEnums: [] };

async function migrationsList(dir = MIGRATIONS_DIR) {
  await mkdir(dir, { recursive: true });
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const lockPath = path.join(dir, 'migration_lock.toml');
  const lock = await readFile(lockPath, 'utf8').catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lock },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      entries.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: await readFile(path.join(dir, name, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (err: Error) => ({ tag: 'error' as const, value: err.message }),
          ),
        },
      })),
    ),
  };
}

type ScriptRunner = { executeScript(script: string): Promise<void>; client?: { query(sql: string): Promise<unknown> } };

/**
 * @prisma/adapter-pg runs a migration script by splitting it on every ";", which breaks
 * PL/pgSQL bodies and comments. Its adapters get an executeScript that sends the script whole
 * (PostgreSQL's simple query protocol runs several statements in one call).
 */
function wholeScripts(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  if (factory.adapterName !== '@prisma/adapter-pg') return factory;
  const patch = <T>(adapter: T): T => {
    const a = adapter as unknown as ScriptRunner;
    if (a.client) a.executeScript = async (script) => void (await a.client!.query(script));
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => patch(await factory.connect()),
    connectToShadowDb: async () => patch(await factory.connectToShadowDb()),
  };
}

/**
 * True when every migration folder is recorded as applied and none is left failed: then the
 * schema engine (a 5 MB WebAssembly module, about 40 MB resident once loaded) is not needed.
 * Anything else (no table yet, a failed or unknown migration) goes to the engine, which applies
 * or reports it.
 */
async function allApplied(factory: SqlMigrationAwareDriverAdapterFactory, names: string[]): Promise<boolean> {
  const adapter = await factory.connect();
  try {
    const rs = await adapter.queryRaw({
      sql: 'SELECT migration_name, (finished_at IS NOT NULL AND rolled_back_at IS NULL) AS ok, rolled_back_at IS NOT NULL AS rolled_back FROM _prisma_migrations',
      args: [],
      argTypes: [],
    });
    const applied = new Set<string>();
    for (const [name, ok, rolledBack] of rs.rows as [string, boolean, boolean][]) {
      if (ok) applied.add(name);
      else if (!rolledBack) return false; // started and not finished: the engine reports it
    }
    return names.every((n) => applied.has(n));
  } catch {
    return false;
  } finally {
    await adapter.dispose();
  }
}

/** Applies pending migrations; returns the names applied. */
export async function applyMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const list = await migrationsList();
  if (await allApplied(factory, list.migrationDirectories.map((d) => d.path))) return [];
  const schema = await readFile(SCHEMA_FILE, 'utf8');
  const engine = await openSchemaEngine(wholeScripts(factory), schema);
  try {
    const out = await engine.applyMigrations({ migrationsList: list, filters: NO_FILTER });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
}

/** SQL that takes the migrations folder to the current schema; empty when they agree. */
export async function diffSchema(): Promise<string> {
  const schema = await readFile(SCHEMA_FILE, 'utf8');
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
  const pglite = new PGlite('memory://');
  const engine = await openSchemaEngine(new PrismaPGlite(pglite), schema);
  try {
    const list = await migrationsList();
    const from = list.migrationDirectories.length ? { tag: 'migrations' as const, ...list } : { tag: 'empty' as const };
    const out = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: schema }] },
      script: true,
      exitCode: null,
      filters: NO_FILTER,
    });
    const sql = out.stdout ?? '';
    return /^\s*(-- This is an empty migration\.)?\s*$/.test(sql) ? '' : sql;
  } finally {
    engine.free();
    await pglite.close();
  }
}

/** Writes prisma/migrations/<timestamp>_<name>/migration.sql; returns its folder or null when nothing changed. */
export async function createMigration(name: string, now = new Date()): Promise<string | null> {
  const sql = await diffSchema();
  if (!sql) return null;
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const folder = path.join(MIGRATIONS_DIR, `${stamp}_${name.replace(/[^a-z0-9_]+/gi, '_').toLowerCase()}`);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'migration.sql'), sql);
  const lock = path.join(MIGRATIONS_DIR, 'migration_lock.toml');
  await writeFile(
    lock,
    '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
  );
  return folder;
}

/** Applies pending migrations to the configured database (npm run db:deploy, db:migrate). */
export async function deployConfigured(config: { databaseUrl?: string; dataDir: string }): Promise<void> {
  const db = await openDatabase(config);
  try {
    const applied = await applyMigrations(db.factory);
    console.info(applied.length ? `Appliquée(s) : ${applied.join(', ')}` : 'Aucune migration en attente.');
  } finally {
    await db.close();
  }
}
