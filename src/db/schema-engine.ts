// Prisma's schema engine in its WebAssembly build: migrations without a native binary download.
// Node 20 cannot import a .wasm module directly, so the module is compiled and wired by hand.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';

type Bg = typeof import('@prisma/schema-engine-wasm');
export type SchemaEngine = Awaited<ReturnType<Bg['SchemaEngine']['new']>>;

let bgPromise: Promise<Bg> | undefined;

function loadWasm(): Promise<Bg> {
  bgPromise ??= (async () => {
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
    const bg = (await import(pathToFileURL(path.join(dir, 'schema_engine_bg.js')).href)) as Bg & {
      __wbg_set_wasm(exports: WebAssembly.Exports): void;
    };
    const module = await WebAssembly.compile(await readFile(path.join(dir, 'schema_engine_bg.wasm')));
    const instance = await WebAssembly.instantiate(module, {
      './schema_engine_bg.js': bg as unknown as WebAssembly.ModuleImports,
    });
    bg.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bg;
  })();
  return bgPromise;
}

export async function openSchemaEngine(
  factory: SqlMigrationAwareDriverAdapterFactory,
  schema: string,
  log: (line: string) => void = () => {},
): Promise<SchemaEngine> {
  const bg = await loadWasm();
  return bg.SchemaEngine.new(
    { datamodels: [['schema.prisma', schema]] },
    log,
    bindMigrationAwareSqlAdapterFactory(factory),
  );
}
