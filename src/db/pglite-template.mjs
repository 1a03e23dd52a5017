// An empty embedded database made once, at install time (`npm ci` runs it after `prisma generate`),
// and copied to DATA_DIR by the first start. PGlite's initdb is the memory peak of a first start:
// it copies its instance's whole WebAssembly heap and runs PostgreSQL's bootstrap several times
// (about 800 MB resident); a copy of this directory costs nothing of the kind
// (docs/decisions/0019-embedded-memory.md).
//
// Plain JavaScript: `npm ci` runs it with node alone. Run directly, it builds the template:
//   node src/db/pglite-template.mjs [--force]
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The installed PGlite's version: a template is used only by the version that made it. */
export function pgliteVersion() {
  const require = createRequire(import.meta.url);
  const pkg = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  return JSON.parse(readFileSync(pkg, 'utf8')).version;
}

/** Where the template of the installed PGlite lives (`PGLITE_TEMPLATE_DIR` overrides the parent folder). */
export function templateDir() {
  const base = process.env.PGLITE_TEMPLATE_DIR || path.join(ROOT, 'node_modules', '.cache', 'club-pglite-template');
  return path.join(base, pgliteVersion());
}

/**
 * Copies the template to `dataDir` when there is one and `dataDir` is absent or empty; returns
 * whether it did. Anything else leaves PGlite to create the database itself, as before.
 */
export function copyTemplate(dataDir) {
  const source = templateDir();
  if (!existsSync(path.join(source, 'PG_VERSION'))) return false;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return false;
  const partial = `${dataDir}.copying`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(source, partial, { recursive: true });
  rmSync(dataDir, { recursive: true, force: true });
  renameSync(partial, dataDir);
  return true;
}

/** Runs PGlite's initdb into the template folder (through a temporary one, renamed when complete). */
export async function buildTemplate({ force = false } = {}) {
  const target = templateDir();
  if (!force && existsSync(path.join(target, 'PG_VERSION'))) return { target, built: false };
  const { PGlite } = await import('@electric-sql/pglite');
  const building = `${target}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(path.dirname(building), { recursive: true });
  const pglite = new PGlite(building);
  await pglite.waitReady;
  await pglite.close();
  rmSync(target, { recursive: true, force: true });
  renameSync(building, target);
  return { target, built: true };
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  try {
    const { target, built } = await buildTemplate({ force: process.argv.includes('--force') });
    if (built) console.info(`Base embarquée vide préparée dans ${target}`);
  } catch (err) {
    // Never fails the install: without a template, the first start creates the database itself.
    console.warn(
      `Base embarquée vide non préparée (${err instanceof Error ? err.message : String(err)}) : le premier démarrage la créera.`,
    );
  }
}
