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

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface MemoryFigures {
  firstStart: { seconds: number; peakRssMB: number; rssMB: number };
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

/** Starts the site as `npm start` does and resolves once it answers; stops it afterwards. */
async function run(dataDir: string, after?: (port: number) => Promise<number>) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: '', LOG_LEVEL: 'info' },
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
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'club-bench-memory-'));
  try {
    const first = await run(dataDir);
    const again = await run(dataDir, browse);
    return {
      firstStart: { seconds: first.seconds, peakRssMB: first.peakRssMB, rssMB: first.rssMB },
      restart: again,
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const m = await measureMemory();
  console.info(
    [
      `first start on a new embedded database: ${m.firstStart.seconds} s, peak RSS ${m.firstStart.peakRssMB} MB (target ≤ 600), RSS once listening ${m.firstStart.rssMB} MB`,
      `start on the existing data directory: ${m.restart.seconds} s, RSS ${m.restart.rssMB} MB (target ≤ 300), after ${m.restart.requests} requests ${m.restart.rssAfterRequestsMB} MB, peak ${m.restart.peakRssMB} MB`,
    ].join('\n'),
  );
}
