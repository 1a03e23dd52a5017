// What the admins see of the jobs, and the daily schedule.
import type { Deps } from '../deps.ts';
import { enqueue } from './queue.ts';

/** Finished jobs are counted up to this many: the page reads at most DONE_COUNT_CAP + 1 of their index entries. */
export const DONE_COUNT_CAP = 1_000;

export async function jobsOverview(deps: Deps) {
  // Open and abandoned jobs are few (abandoned ones are purged after 30 days, like finished ones);
  // finished ones are counted up to a cap: a month of them is every e-mail the site sent. Every
  // query here walks the (status, id) index. With a cap of 10,000 the page took 2.8 -> 8.1 ms on the
  // embedded database once 198,000 jobs were done (bench:large, 2026-12-04).
  const [open, done, dead, retrying] = await Promise.all([
    deps.db.job.groupBy({ by: ['status'], where: { status: { in: ['PENDING', 'RUNNING', 'DEAD'] } }, _count: { _all: true } }),
    deps.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM (SELECT 1 FROM "Job" WHERE status = 'DONE' LIMIT ${DONE_COUNT_CAP + 1}) d`,
    deps.db.job.findMany({ where: { status: 'DEAD' }, orderBy: { id: 'desc' }, take: 50 }),
    deps.db.job.findMany({ where: { status: 'PENDING', lastError: { not: null } }, orderBy: { id: 'desc' }, take: 50 }),
  ]);
  const counts = open.map((c) => ({ status: c.status, count: String(c._count._all) }));
  counts.push({ status: 'DONE', count: done[0].n > DONE_COUNT_CAP ? `plus de ${DONE_COUNT_CAP.toLocaleString('fr-FR')}` : String(done[0].n) });
  const failing = [...dead, ...retrying].sort((a, b) => (a.id < b.id ? 1 : -1)).slice(0, 50);
  return { counts, failing };
}

/** Queues today's run of each daily job; the unique key makes it once a day whatever the number of processes. */
export async function scheduleDaily(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  const day = now.toISOString().slice(0, 10);
  for (const kind of deps.registry.daily) await enqueue(deps.db, { kind, payload: {}, uniqueKey: `${kind}:${day}`, at: now });
}
