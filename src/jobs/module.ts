// Background jobs: the outbox table, the admins' page, and the daily schedule.
import { Router } from 'express';
import type { DomainModule } from '../core/module.ts';
import { jobsOverview } from './service.ts';

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
