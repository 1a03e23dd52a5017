// `npm start` exactly as a newcomer (or a process manager) runs it: SIGTERM to npm stops the site
// and frees the port, with no server process left behind.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { onPostgres } from './helpers/db.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on the port any more (we can listen on it ourselves). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(url: string, ms = 90_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never answered`);
}

describe.skipIf(onPostgres)('npm start and npm run dev', () => {
  it.each(['start', 'run dev'])(
    'SIGTERM to `npm %s` stops the server gracefully and frees the port',
    async (command) => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'club-npm-start-'));
      const port = await freePort();
      const npm = spawn('npm', [...command.split(' '), '--silent'], {
        env: {
          ...process.env,
          DATABASE_URL: '',
          DATA_DIR: dataDir,
          PORT: String(port),
          HOST: '127.0.0.1',
          LOG_LEVEL: 'warn',
          SEED_DEMO: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true, // its own process group, so that the clean-up below reaches every process it started
      });
      let out = '';
      npm.stdout.on('data', (d) => (out += d));
      npm.stderr.on('data', (d) => (out += d));
      const exited = new Promise<number | null>((r) => npm.on('exit', (code) => r(code)));
      let serverPid = 0;
      try {
        await waitFor(`http://127.0.0.1:${port}/healthz`);
        // The PID lock names the process that holds the database: the server itself.
        serverPid = Number(readFileSync(path.join(dataDir, 'club.lock'), 'utf8').trim());
        expect(alive(serverPid), out).toBe(true);
        // Without SMTP, the start says where the e-mails go (docs/decisions/0012).
        expect(out).toContain(path.join(dataDir, 'mail'));

        npm.kill('SIGTERM');
        const code = await Promise.race([
          exited,
          new Promise<string>((r) => setTimeout(() => r('still running'), 30_000)),
        ]);
        // npm waits for the server, which finishes its requests, closes the database and exits 0.
        expect(code, out).toBe(0);
        expect(alive(serverPid), `server ${serverPid} outlived npm\n${out}`).toBe(false);
        expect(existsSync(path.join(dataDir, 'club.lock')), out).toBe(false);
        expect(await portIsFree(port), out).toBe(true);
        expect(out).not.toMatch(/error/i);
      } finally {
        try {
          process.kill(-npm.pid!, 'SIGKILL');
        } catch {
          /* the group is gone */
        }
        if (serverPid && alive(serverPid)) process.kill(serverPid, 'SIGKILL');
      }
    },
  );
});
