// Starts the embedded database's thread. Under `node --import tsx` the thread inherits tsx's
// loader and imports the TypeScript module directly; elsewhere (a vitest worker, say) it
// registers tsx first.
try {
  await import('./pglite-worker.ts');
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./pglite-worker.ts?tsx');
}
