// The real entry point: `node --import tsx src/server.ts` on a fresh embedded database, as `npm start` runs it.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onPostgres } from './helpers/db.ts';

function start(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

const exited = (c: ChildProcess) => new Promise<number | null>((r) => c.on('exit', (code) => r(code)));

async function waitFor(url: string, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never answered`);
}

describe.skipIf(onPostgres)('the server process', () => {
  it('first start migrates and seeds, serves pages without cookies, refuses a second process, stops cleanly on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'club-server-'));
    const port = String(20000 + (process.pid % 10000));
    const s = start({ DATA_DIR: dataDir, PORT: port });
    try {
      // The first start seeds the demo, a booked year included (src/orders/demo-year.ts).
      await waitFor(`http://127.0.0.1:${port}/healthz`, 140_000);
      expect(s.output()).toContain('Comptes de démonstration');
      expect(s.output()).toContain('admin@demo.clubpetitesstars.example');
      const home = await fetch(`http://127.0.0.1:${port}/`);
      expect(home.status).toBe(200);
      expect(home.headers.get('set-cookie')).toBeNull();
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);

      const second = start({ DATA_DIR: dataDir, PORT: String(Number(port) + 1) });
      expect(await exited(second.child)).toBe(1);
      expect(second.output()).toMatch(/est déjà ouverte par le processus \d+/);

      // A request in flight when SIGTERM arrives is finished before the process exits.
      const inflight = fetch(`http://127.0.0.1:${port}/confidentialite`);
      await new Promise((r) => setTimeout(r, 5));
      s.child.kill('SIGTERM');
      expect((await inflight).status).toBe(200);
      expect(await exited(s.child)).toBe(0);
      expect(existsSync(path.join(dataDir, 'club.lock'))).toBe(false);
    } finally {
      s.child.kill('SIGKILL');
    }
  }, 180_000);

  it('a malformed variable stops the process with a message naming it', async () => {
    const s = start({ DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'club-server-')), PORT: 'quatre-vingt' });
    expect(await exited(s.child)).toBe(1);
    expect(s.output()).toContain('PORT');
    expect(s.output()).toContain('Configuration invalide');
  });
});
