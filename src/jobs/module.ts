// Background jobs: the outbox table, the admins' page, and the daily schedule.
import { Router } from 'express';
import type { DomainModule } from '../core/module.ts';
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

export const jobsModule: DomainModule = {
  name: 'jobs',
  routes: {
    admin: (deps) =>
      Router().get('/taches', async (_req, res) => {
        res.page('jobs/index', { title: 'Tâches de fond', ...(await jobsOverview(deps)), kinds: deps.registry.jobs });
      }),
  },
  classification: {
    Job: {
      owner: 'memberId',
      onErase: 'delete',
      fields: {
        id: 'operational', kind: 'operational', payload: { class: 'personal', secret: true }, status: 'operational', attempts: 'operational',
        maxAttempts: 'operational', runAt: 'operational', lockedAt: 'operational', lockedBy: 'operational', lastError: 'operational',
        memberId: 'pseudonymous-id', uniqueKey: 'operational', createdAt: 'operational', finishedAt: 'operational',
      },
    },
  },
  exports: [
    {
      key: 'envois_en_attente',
      title: 'Envois en attente',
      description: 'Les tâches du site qui vous concernent (courriels à envoyer) ; leur contenu est effacé dès qu’elles sont faites.',
      table: 'Job',
    },
  ],
  nav: [{ area: 'admin', href: '/admin/taches', label: 'Tâches de fond', hint: 'Courriels et purges en attente ou en échec.' }],
};
