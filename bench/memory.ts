// The site's memory on the embedded database, as `npm start` runs it: the peak of a first start
// (PGlite's initdb, the migrations and the demo seed) and the resident size once started again on
// the existing data directory, then after a few hundred requests. Run alone with
// `npm run bench:memory`, or as the `memory` phase of `npm run bench`.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCommand } from './lib.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface MemoryFigures {
  /** `npm ci`'s preparation of the empty embedded database (src/db/pglite-template.mjs). */
  template: { seconds: number; peakRssMB: number };
  firstStart: { seconds: number; peakRssMB: number; rssMB: number };
  /** The same first start without that template (as after `npm ci --ignore-scripts`): PGlite's initdb runs. */
  firstStartWithoutTemplate: { seconds: number; peakRssMB: number };
  restart: { seconds: number; peakRssMB: number; rssMB: number; rssAfterRequestsMB: number; requests: number };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function status(pid: number): Promise<{ hwm: number; rss: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(text)?.[1] ?? NaN);
  return { hwm: Math.round(kb('VmHWM') / 1024), rss: Math.round(kb('VmRSS') / 1024) };
}

/** Builds the template into a folder of its own; its peak is read from /proc while it runs. */
async function buildTemplate(templateBase: string) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['src/db/pglite-template.mjs'], {
    cwd: ROOT,
    env: { ...process.env, ...startCommand().env, PGLITE_TEMPLATE_DIR: templateBase },
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let peak = 0;
  while (child.exitCode === null) {
    // A process that is exiting has no VmHWM line any more: such a reading is skipped (it made the peak NaN).
    const hwm = await status(child.pid!).then((s) => s.hwm, () => peak);
    if (Number.isFinite(hwm)) peak = Math.max(peak, hwm);
    await new Promise((r) => setTimeout(r, 20));
  }
  if ((await exited) !== 0) throw new Error('the template build failed');
  return { seconds: Math.round((performance.now() - t0) / 100) / 10, peakRssMB: peak };
}

/** Starts the site as `npm start` does and resolves once it answers; stops it afterwards. */
async function run(dataDir: string, after?: (port: number) => Promise<number>, env: Record<string, string> = {}) {
  const port = await freePort();
  const t0 = performance.now();
  const start = startCommand();
  const child = spawn(process.execPath, [...start.nodeArgs, '--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...start.env, NODE_ENV: 'development', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output = (output + String(d)).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (output = (output + String(d)).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the site stopped (${child.exitCode}): ${output}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/`)).status === 200) break;
      } catch {
        // not listening yet
      }
      if (performance.now() - t0 > 900_000) throw new Error(`the site did not answer within 15 minutes: ${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = Math.round((performance.now() - t0) / 100) / 10;
    const started = await status(child.pid!);
    const requests = after ? await after(port) : 0;
    const later = await status(child.pid!);
    return { seconds, peakRssMB: started.hwm, rssMB: started.rss, rssAfterRequestsMB: later.rss, requests };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** A few hundred requests over the public pages, as visitors would make. */
async function browse(port: number): Promise<number> {
  const pages = ['/', '/boutique', '/produit/poussette-legere-pliable', '/concours', '/confidentialite', '/boutique?q=livre'];
  let n = 0;
  for (let round = 0; round < 50; round++) {
    await Promise.all(
      pages.map(async (p) => {
        const r = await fetch(`http://127.0.0.1:${port}${p}`);
        await r.arrayBuffer();
        n++;
      }),
    );
  }
  return n;
}

export async function measureMemory(): Promise<MemoryFigures> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'club-bench-memory-'));
  try {
    const templateBase = path.join(work, 'template');
    const template = await buildTemplate(templateBase);
    const dataDir = path.join(work, 'data');
    const first = await run(dataDir, undefined, { PGLITE_TEMPLATE_DIR: templateBase });
    const again = await run(dataDir, browse, { PGLITE_TEMPLATE_DIR: templateBase });
    const bare = await run(path.join(work, 'data-without-template'), undefined, { PGLITE_TEMPLATE_DIR: path.join(work, 'none') });
    return {
      template,
      firstStart: { seconds: first.seconds, peakRssMB: first.peakRssMB, rssMB: first.rssMB },
      firstStartWithoutTemplate: { seconds: bare.seconds, peakRssMB: bare.peakRssMB },
      restart: again,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const m = await measureMemory();
  console.info(
    [
      `install (npm ci) prepares the empty embedded database: ${m.template.seconds} s, peak RSS ${m.template.peakRssMB} MB`,
      `first start without that template (npm ci --ignore-scripts): ${m.firstStartWithoutTemplate.seconds} s, peak RSS ${m.firstStartWithoutTemplate.peakRssMB} MB`,
      `first start on a new embedded database: ${m.firstStart.seconds} s, peak RSS ${m.firstStart.peakRssMB} MB (target ≤ 600), RSS once listening ${m.firstStart.rssMB} MB`,
      `start on the existing data directory: ${m.restart.seconds} s, RSS ${m.restart.rssMB} MB (target ≤ 300), after ${m.restart.requests} requests ${m.restart.rssAfterRequestsMB} MB, peak ${m.restart.peakRssMB} MB`,
    ].join('\n'),
  );
}
