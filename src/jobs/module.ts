// Background jobs: the outbox table, the admins' page, and the daily schedule.
import { Router } from 'express';
import type { DomainModule } from '../core/module.ts';
import { jobsOverview } from './service.ts';
import { ownedRows } from '../privacy/export.ts';

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
      title: 'Envois et tâches du site',
      description:
        'Les tâches du site qui vous concernent (courriels, lettre d’information), en attente ou faites, et ce qu’elles transmettront, liens masqués ; leur contenu est effacé dès qu’elles sont faites.',
      build: async (deps, memberId, opts) => {
        const rows = await ownedRows(deps, 'Job', memberId, opts?.limit);
        // The payload is a secret column (it may hold a link's token): each job kind says what of it
        // the member reads (JobDefinition.exportPayload).
        const payloads = await deps.db.job.findMany({ where: { id: { in: rows.map((r) => BigInt(String(r.id))) } }, select: { id: true, payload: true } });
        const payloadOf = new Map(payloads.map((p) => [String(p.id), p.payload]));
        return rows.map((r) => ({ ...r, contenu: deps.registry.jobs[String(r.kind)]?.exportPayload?.(payloadOf.get(String(r.id))) ?? null }));
      },
    },
  ],
  nav: [{ area: 'admin', href: '/admin/taches', label: 'Tâches de fond', hint: 'Courriels et purges en attente ou en échec.' }],
};
