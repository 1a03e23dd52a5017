// What the admins see of the jobs, and the daily schedule.
import type { Deps } from '../deps.ts';
import { enqueue } from './queue.ts';

export async function jobsOverview(deps: Deps) {
  const [counts, failing] = await Promise.all([
    deps.db.job.groupBy({ by: ['status'], _count: { _all: true } }),
    deps.db.job.findMany({ where: { OR: [{ status: 'DEAD' }, { lastError: { not: null } }] }, orderBy: { id: 'desc' }, take: 50 }),
  ]);
  return { counts: counts.map((c) => ({ status: c.status, count: c._count._all })), failing };
}

/** Queues today's run of each daily job; the unique key makes it once a day whatever the number of processes. */
export async function scheduleDaily(deps: Deps): Promise<void> {
  const now = deps.clock.now();
  const day = now.toISOString().slice(0, 10);
  for (const kind of deps.registry.daily) await enqueue(deps.db, { kind, payload: {}, uniqueKey: `${kind}:${day}`, at: now });
}
