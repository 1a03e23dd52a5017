// The worker's additions for the Mailchimp sync: jobs ordered per member, a handler's "retry at"
// (429 Retry-After) and "permanent" errors.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { createTestApp } from './helpers/app.ts';
import type { TestApp } from './helpers/app.ts';
import { onPostgres } from './helpers/db.ts';
import { openPostgres } from '../src/db/connect.ts';
import { enqueue } from '../src/jobs/queue.ts';
import { PermanentJobError, RetryAtError, Worker } from '../src/jobs/worker.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());
const silent = pino({ level: 'silent' });

describe('jobs ordered per member', () => {
  it('a failing job holds back the later jobs of its member only', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const ran: string[] = [];
    let failA = true;
    const w = new Worker({
      db: t.deps.db, clock: t.clock, logger: silent, baseBackoffMs: 1000, orderedKinds: ['ord'],
      handlers: {
        ord: async (p) => {
          const { who, n } = p as { who: string; n: number };
          if (who === a && n === 1 && failA) throw new Error('down');
          ran.push(`${who === a ? 'a' : 'b'}${n}`);
        },
      },
    });
    for (let n = 1; n <= 3; n++) {
      await enqueue(t.deps.db, { kind: 'ord', payload: { who: a, n }, memberId: a, at: t.clock.now() });
      await enqueue(t.deps.db, { kind: 'ord', payload: { who: b, n }, memberId: b, at: t.clock.now() });
    }
    await w.drain();
    expect(ran).toEqual(['b1', 'b2', 'b3']);
    failA = false;
    t.clock.advance(1000);
    await w.drain();
    expect(ran).toEqual(['b1', 'b2', 'b3', 'a1', 'a2', 'a3']);
  });

  it('without orderedKinds the worker behaves as before (a retried job is overtaken)', async () => {
    const m = randomUUID();
    const ran: number[] = [];
    let fail = true;
    const w = new Worker({
      db: t.deps.db, clock: t.clock, logger: silent, baseBackoffMs: 1000,
      handlers: { free: async (p) => { const n = (p as { n: number }).n; if (n === 1 && fail) throw new Error('x'); ran.push(n); } },
    });
    for (let n = 1; n <= 2; n++) await enqueue(t.deps.db, { kind: 'free', payload: { n }, memberId: m, at: t.clock.now() });
    await w.drain();
    fail = false;
    t.clock.advance(1000);
    await w.drain();
    expect(ran).toEqual([2, 1]);
  });

  it('RetryAtError reschedules without counting the attempt; PermanentJobError is dead at once', async () => {
    const at = new Date(t.clock.now().getTime() + 42_000);
    const w = new Worker({
      db: t.deps.db, clock: t.clock, logger: silent,
      handlers: { later: async () => { throw new RetryAtError(at, '429'); }, never: async () => { throw new PermanentJobError('400 refusé pour x@exemple.fr'); } },
    });
    await enqueue(t.deps.db, { kind: 'later', payload: {}, at: t.clock.now() });
    await enqueue(t.deps.db, { kind: 'never', payload: { secret: 1 }, at: t.clock.now() });
    await w.drain();
    const later = await t.deps.db.job.findFirstOrThrow({ where: { kind: 'later' } });
    expect([later.status, later.attempts, later.runAt.getTime()]).toEqual(['PENDING', 0, at.getTime()]);
    const never = await t.deps.db.job.findFirstOrThrow({ where: { kind: 'never' } });
    expect([never.status, never.attempts, never.payload, never.lastError]).toEqual(['DEAD', 1, {}, 'PermanentJobError: 400 refusé pour [adresse]']);
  });

  // Two workers on PostgreSQL: each member's jobs still run one at a time, in order.
  it.runIf(onPostgres)('two workers keep each member’s order over 300 jobs', async () => {
    const second = openPostgres(t.database.url!, 5);
    const members = Array.from({ length: 10 }, () => randomUUID());
    const seen = new Map<string, number[]>();
    let running = new Set<string>();
    let overlap = false;
    const handler = async (p: unknown) => {
      const { m, n } = p as { m: string; n: number };
      if (running.has(m)) overlap = true;
      running.add(m);
      await new Promise((r) => setTimeout(r, 2));
      seen.set(m, [...(seen.get(m) ?? []), n]);
      running.delete(m);
    };
    // Member after member: without the ordering, the two workers' batches split one member's jobs.
    for (const m of members) for (let n = 0; n < 30; n++) await enqueue(t.deps.db, { kind: 'seq', payload: { m, n }, memberId: m, at: t.clock.now() });
    const mk = (db: typeof t.deps.db) => new Worker({ db, clock: t.clock, logger: silent, handlers: { seq: handler }, batchSize: 4, orderedKinds: ['seq'] });
    const [ra, rb] = await Promise.all([mk(t.deps.db).drain(), mk(second.prisma).drain()]);
    // A worker may find nothing claimable while the other holds every member's head: drain again.
    let more = 0;
    for (let i = 0; i < 50 && ra + rb + more < 300; i++) more += await mk(t.deps.db).drain();
    expect(ra + rb + more).toBe(300);
    expect(overlap).toBe(false);
    for (const m of members) expect(seen.get(m)).toEqual(Array.from({ length: 30 }, (_, n) => n));
    running = new Set();
    await second.close();
  });
});
