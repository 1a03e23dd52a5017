import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { existsSync, mkdtempSync } from 'node:fs';
import { spawn } from 'node:child_process';
import pg from 'pg';
import request from 'supertest';
import { createTestApp, csrfOf, loginAgent } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { onPostgres, openTestDatabase } from './helpers/db.ts';
import { lockDataDir, DataDirLockedError, openPostgres } from '../src/db/connect.ts';
import { createMember } from '../src/dev/factories.ts';

describe('sessions in the database', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await createTestApp();
    // A second app process on the same database (PostgreSQL: its own pool, as another process would have).
    const database = onPostgres ? { ...openPostgres(a.database.url!, 5), url: a.database.url } : a.database;
    b = await createTestApp({ database });
  });
  afterAll(async () => {
    if (onPostgres) await b.deps.db.$disconnect();
    await a.close();
  });

  it('a session opened on one app process is valid on another', async () => {
    const m = await createMember(a.deps);
    const agent = await loginAgent(a.app, m.email, m.password);
    const cookie = (await agent.get('/compte')).request.cookies;
    const onB = await request(b.app).get('/compte').set('Cookie', cookie);
    expect(onB.status, b.logs.filter((l) => l.includes('error')).join('\n')).toBe(200);
    expect(onB.text).toContain('Mon compte');
  });
});

describe('the embedded database directory', () => {
  it('refuses to open a data directory another running process holds, with a clear message', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'club-lock-'));
    const child = spawn(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'club.lock'))}, String(process.pid)); setTimeout(() => {}, 10000)`]);
    // The child holds the lock once its file exists (a loaded machine may take a while to start it).
    for (let i = 0; i < 200 && !existsSync(path.join(dir, 'club.lock')); i++) await new Promise((r) => setTimeout(r, 50));
    try {
      expect(() => lockDataDir(dir)).toThrow(DataDirLockedError);
      expect(() => lockDataDir(dir)).toThrow(/déjà ouverte par le processus \d+/);
    } finally {
      child.kill();
    }
    await new Promise((r) => child.on('exit', r));
    const unlock = lockDataDir(dir); // a stale lock of a dead process is taken over
    unlock();
  });
});

// A TCP proxy between the app and PostgreSQL that the test can cut and restore.
function proxy(target: URL) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;
  const start = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server!.close(() => resolve());
    });
  return { start, stop, port: () => port };
}

describe.runIf(onPostgres)('readiness against a real PostgreSQL server', () => {
  it('/readyz turns 503 when the database is unreachable and back to 200 when it returns', async () => {
    const base = await openTestDatabase();
    const url = new URL(base.url!);
    const p = proxy(url);
    await p.start();
    const viaProxy = new URL(url);
    viaProxy.port = String(p.port());
    const db = openPostgres(viaProxy.toString(), 2);
    const t = await createTestApp({ database: { ...db, url: viaProxy.toString() } });
    try {
      expect((await request(t.app).get('/readyz')).status).toBe(200);
      await p.stop();
      const down = await request(t.app).get('/readyz');
      expect(down.status).toBe(503);
      expect((await request(t.app).get('/healthz')).status).toBe(200);
      await p.start();
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        status = (await request(t.app).get('/readyz')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
    } finally {
      await db.close().catch(() => {});
      await p.stop().catch(() => {});
      await base.close();
    }
  });
});

describe.runIf(onPostgres)('pages while PostgreSQL is unreachable', () => {
  it('a page needing the database answers 503 with Retry-After and a French page, logs a warning, then recovers', async () => {
    const base = await openTestDatabase();
    const url = new URL(base.url!);
    const p = proxy(url);
    await p.start();
    const viaProxy = new URL(url);
    viaProxy.port = String(p.port());
    const db = openPostgres(viaProxy.toString(), 2);
    const t = await createTestApp({ database: { ...db, url: viaProxy.toString() } });
    try {
      const m = await createMember(t.deps);
      const agent = await loginAgent(t.app, m.email, m.password);
      expect((await agent.get('/compte')).status).toBe(200);
      const visitor = request.agent(t.app);
      const token = csrfOf((await visitor.get('/connexion')).text);
      await p.stop();
      const from = t.logs.length;
      // Logged-in pages (session, member, balance) and a visitor's login attempt (session).
      const login = () => visitor.post('/connexion').type('form').send({ _csrf: token, email: m.email, password: m.password });
      for (const res of [await agent.get('/compte'), await agent.get('/compte/coupons'), await login()]) {
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toMatch(/^\d+$/);
        expect(res.text).toContain('Service momentanément indisponible');
        expect(res.text).toContain('<html lang="fr">');
      }
      const lines = t.logs.slice(from).map((l) => JSON.parse(l) as { level: number; msg: string; err?: unknown });
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      expect(lines.some((l) => l.level === 40 && l.msg === 'database unreachable')).toBe(true);
      expect(JSON.stringify(lines)).not.toContain('"stack"');
      expect((await request(t.app).get('/readyz')).status).toBe(503);
      expect((await request(t.app).get('/')).status).toBe(200); // pages without the database still work
      await p.start();
      let status = 0;
      for (let i = 0; i < 20 && status !== 200; i++) {
        status = (await agent.get('/compte')).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
      expect((await request(t.app).get('/readyz')).status).toBe(200);
    } finally {
      await db.close().catch(() => {});
      await p.stop().catch(() => {});
      await base.close();
    }
  });
});

describe('readiness on the embedded database', () => {
  it('/readyz turns 503 once the database is closed', async () => {
    const t = await createTestApp();
    expect((await request(t.app).get('/readyz')).status).toBe(200);
    await t.close();
    expect((await request(t.app).get('/readyz')).status).toBe(503);
  });
});

describe.runIf(onPostgres)('a pooled connection the server drops', () => {
  it('is reported to the handler instead of ending the process, and the next query opens another', async () => {
    const base = await openTestDatabase();
    const errors: Error[] = [];
    const db = openPostgres(base.url!, 2, (err) => errors.push(err));
    try {
      const [{ pid }] = await db.direct.rows<{ pid: number }>('SELECT pg_backend_pid() AS pid', []);
      const admin = new pg.Client({ connectionString: base.url });
      await admin.connect();
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await admin.end();
      await vi.waitFor(() => expect(errors).toHaveLength(1));
      expect((errors[0] as { code?: string }).code).toBe('57P01');
      expect(await db.direct.rows('SELECT 1 AS one', [])).toEqual([{ one: 1 }]);
      expect(await db.prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
    } finally {
      await db.close();
      await base.close();
    }
  });

  it('close() returns once every connection is closed: dropping the database right after kills none', async () => {
    const base = await openTestDatabase();
    const errors: Error[] = [];
    const db = openPostgres(base.url!, 4, (err) => errors.push(err));
    await Promise.all([1, 2, 3, 4].map(() => db.direct.rows('SELECT pg_sleep(0.05)', [])));
    await db.prisma.$queryRaw`SELECT 1`;
    await db.close();
    // The test helper drops the database WITH (FORCE): a connection still closing would be killed
    // and report 57P01 to the handler.
    await base.close();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(errors).toEqual([]);
  });
});
