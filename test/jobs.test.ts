import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestApp } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { openTestDatabase, onPostgres } from './helpers/db.ts';
import { openPostgres } from '../src/db/connect.ts';
import { enqueue } from '../src/jobs/queue.ts';
import { Worker, backoffMs, scrubError } from '../src/jobs/worker.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());
const silent = pino({ level: 'silent' });

describe('jobs', () => {
  // Two workers sharing PGlite's single connection cannot race: this runs where it can fail.
  it.runIf(onPostgres)('two workers on one database run each of 200 jobs exactly once', async () => {
    // The second worker has its own connection pool, as a second app process would.
    const second = openPostgres(t.database.url!, 5);
    const runs = new Map<number, number>();
    const handler = async (payload: unknown) => {
      const p = payload as { n: number };
      await new Promise((r) => setTimeout(r, 1));
      runs.set(p.n, (runs.get(p.n) ?? 0) + 1);
    };
    for (let n = 0; n < 200; n++) await enqueue(t.deps.db, { kind: 'count', payload: { n }, at: t.clock.now() });
    const mk = (db: typeof t.deps.db) => new Worker({ db, clock: t.clock, logger: silent, handlers: { count: handler }, batchSize: 5 });
    const a = mk(t.deps.db);
    const b = mk(second.prisma);
    const [ra, rb] = await Promise.all([a.drain(), b.drain()]);
    expect(ra + rb).toBe(200);
    expect(runs.size).toBe(200);
    expect([...runs.values()].every((v) => v === 1)).toBe(true);
    expect(Math.min(ra, rb)).toBeGreaterThan(0); // both really worked
    expect(await t.deps.db.job.count({ where: { kind: 'count', status: 'DONE' } })).toBe(200);
    await second.close();
  });

  it('a job done keeps who took it and when, and loses its payload', async () => {
    const w = new Worker({ db: t.deps.db, clock: t.clock, logger: silent, handlers: { once: async () => {} } });
    await enqueue(t.deps.db, { kind: 'once', payload: { to: 'perso@exemple.fr' }, at: t.clock.now() });
    const takenAt = t.clock.now();
    expect(await w.runOnce()).toBe(1);
    const job = await t.deps.db.job.findFirstOrThrow({ where: { kind: 'once' } });
    expect(job.status).toBe('DONE');
    expect(job.payload).toEqual({});
    expect(job.lockedBy).toBeTruthy();
    expect(job.lockedAt?.getTime()).toBe(takenAt.getTime());
    expect(job.finishedAt?.getTime()).toBe(takenAt.getTime());
  });

  it('retries a failing job with exponential backoff, then marks it dead after maxAttempts', async () => {
    let calls = 0;
    const w = new Worker({
      db: t.deps.db, clock: t.clock, logger: silent, baseBackoffMs: 1000,
      handlers: { flaky: async () => { calls++; throw new Error('SMTP 550 refusé pour perso@exemple.fr'); } },
    });
    await enqueue(t.deps.db, { kind: 'flaky', payload: {}, maxAttempts: 3, at: t.clock.now() });
    expect(await w.runOnce()).toBe(1);
    let job = await t.deps.db.job.findFirstOrThrow({ where: { kind: 'flaky' } });
    expect(job.status).toBe('PENDING');
    expect(job.runAt.getTime() - t.clock.now().getTime()).toBe(1000);
    expect(job.lastError).toBe('Error: SMTP 550 refusé pour [adresse]');
    expect(await w.runOnce()).toBe(0); // not due yet
    t.clock.advance(1000);
    await w.runOnce();
    job = await t.deps.db.job.findFirstOrThrow({ where: { kind: 'flaky' } });
    expect(job.runAt.getTime() - t.clock.now().getTime()).toBe(2000);
    t.clock.advance(2000);
    await w.runOnce();
    job = await t.deps.db.job.findFirstOrThrow({ where: { kind: 'flaky' } });
    expect(job.status).toBe('DEAD');
    expect(calls).toBe(3);
    t.clock.advance(-3000);
  });

  it('a job left RUNNING by a crashed worker is picked up again', async () => {
    await enqueue(t.deps.db, { kind: 'orphan', payload: {}, at: t.clock.now() });
    await t.deps.db.job.updateMany({ where: { kind: 'orphan' }, data: { status: 'RUNNING', lockedAt: new Date(t.clock.now().getTime() - 11 * 60_000), lockedBy: 'dead-worker', attempts: 1 } });
    let ran = 0;
    const w = new Worker({ db: t.deps.db, clock: t.clock, logger: silent, handlers: { orphan: async () => void ran++ } });
    await w.drain();
    expect(ran).toBe(1);
    expect((await t.deps.db.job.findFirstOrThrow({ where: { kind: 'orphan' } })).status).toBe('DONE');
  });

  it('a job is written in the same transaction as its cause: a rollback leaves no job', async () => {
    await expect(
      t.deps.db.$transaction(async (tx) => {
        await enqueue(tx, { kind: 'ghost', payload: {}, at: t.clock.now() });
        throw new Error('rollback');
      }),
    ).rejects.toThrow('rollback');
    expect(await t.deps.db.job.count({ where: { kind: 'ghost' } })).toBe(0);
  });

  it('a unique key makes a recurring job exist once', async () => {
    await enqueue(t.deps.db, { kind: 'daily', payload: {}, uniqueKey: 'daily:2026-11-25', at: t.clock.now() });
    await enqueue(t.deps.db, { kind: 'daily', payload: {}, uniqueKey: 'daily:2026-11-25', at: t.clock.now() });
    expect(await t.deps.db.job.count({ where: { kind: 'daily' } })).toBe(1);
  });

  it('backoff doubles and is capped; errors are scrubbed of addresses', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 1000))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(40, 1000)).toBe(6 * 3600 * 1000);
    expect(scrubError(new Error('to <a.b@c.fr> failed'))).toBe('Error: to <[adresse]> failed');
  });
});

void openTestDatabase;
