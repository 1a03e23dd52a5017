import { Router } from 'express';
import type { Deps } from '../deps.ts';
import { requireArea } from '../http/auth.ts';

export function staffRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/gestion', requireArea('staff'), async (_req, res) => {
    const [members, batches, mails] = await Promise.all([
      deps.db.member.count({ where: { erasedAt: null } }),
      deps.db.couponBatch.count(),
      deps.db.mailMessage.count(),
    ]);
    res.page('staff/dashboard', { title: 'Gestion', members, batches, mails, mailbox: deps.mailer.kind === 'mailbox' });
  });
  return r;
}
