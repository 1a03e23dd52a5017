// Admin pages: find an account, change its role, erase it on a written request; audit log; jobs.
import { Router } from 'express';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { requireArea } from '../http/auth.ts';
import { NotFoundError } from '../http/errors.ts';
import { flash } from '../http/flash.ts';
import { audit } from '../privacy/audit.ts';
import { eraseMember } from '../privacy/eraser.ts';
import { memberNumber } from '../http/view-helpers.ts';
import { fieldErrors } from '../http/forms.ts';

const RoleSchema = z.object({ role: z.enum(['MEMBER', 'STAFF', 'ACCOUNTANT', 'ADMIN'], 'Rôle inconnu.') });
const EraseSchema = z.object({
  requestRef: z
    .string()
    .trim()
    .min(3, 'Indiquez la référence de la demande écrite (au moins 3 caractères).')
    .max(100)
    // Kept in the audit log, which outlives the erasure: a reference, never personal data.
    .refine((v) => !/[@＠]/.test(v), 'La référence est gardée au journal : pas d’adresse électronique ni de nom (exemple : courrier DPO-014).'),
});
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function adminRoutes(deps: Deps): Router {
  const r = Router();
  const admin = requireArea('admin');

  r.get('/admin', admin, async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim() : '';
    let results: Awaited<ReturnType<typeof deps.db.member.findMany>> = [];
    if (q) {
      const num = /^m?0*(\d+)$/i.exec(q);
      results = await deps.db.member.findMany({
        where: num ? { number: Number(num[1]) } : { email: q.toLowerCase() },
        take: 20,
      });
      await audit(deps.db, 'personal-data.viewed', { actor: req.member!.id, details: { what: 'member-search', hits: results.length } });
    }
    const staff = await deps.db.member.findMany({ where: { role: { not: 'MEMBER' }, erasedAt: null }, orderBy: { number: 'asc' } });
    res.page('admin/index', { title: 'Administration', q, results, staff });
  });

  const loadMember = async (id: string) => {
    const m = uuid.test(id) ? await deps.db.member.findUnique({ where: { id } }) : null;
    if (!m) throw new NotFoundError('Compte introuvable.');
    return m;
  };

  r.get('/admin/membres/:id', admin, async (req, res) => {
    const m = await loadMember(String(req.params.id));
    await audit(deps.db, 'personal-data.viewed', { actor: req.member!.id, subject: m.id, details: { what: 'member' } });
    res.page('admin/member', { title: `Membre ${memberNumber(m.number)}`, m, errors: {} });
  });

  // A refused form leaves its POST address in the address bar: opening it again leads back.
  r.get(['/admin/membres/:id/role', '/admin/membres/:id/effacer'], admin, (req, res) =>
    res.redirect(303, uuid.test(String(req.params.id)) ? `/admin/membres/${String(req.params.id)}` : '/admin'),
  );

  r.post('/admin/membres/:id/role', admin, async (req, res) => {
    const m = await loadMember(String(req.params.id));
    const parsed = RoleSchema.safeParse(req.body);
    if (!parsed.success) return res.status(422).page('admin/member', { title: `Membre ${memberNumber(m.number)}`, m, errors: fieldErrors(parsed.error) });
    if (m.erasedAt) throw new NotFoundError('Ce compte a été effacé.');
    if (m.id === req.member!.id && parsed.data.role !== 'ADMIN') {
      return res.status(422).page('admin/member', { title: `Membre ${memberNumber(m.number)}`, m, errors: { role: 'Vous ne pouvez pas retirer votre propre rôle d’administrateur.' } });
    }
    await deps.db.$transaction(async (tx) => {
      await tx.member.update({ where: { id: m.id }, data: { role: parsed.data.role, sessionsValidAfter: new Date() } });
      // A privilege change ends the member's sessions: the new role applies from their next login.
      await tx.session.deleteMany({ where: { memberId: m.id } });
      await audit(tx, 'role.changed', { actor: req.member!.id, subject: m.id, details: { from: m.role, to: parsed.data.role } });
    });
    flash(req, 'success', `Rôle de ${memberNumber(m.number)} : ${parsed.data.role}.`);
    res.redirect(303, `/admin/membres/${m.id}`);
  });

  r.post('/admin/membres/:id/effacer', admin, async (req, res) => {
    const m = await loadMember(String(req.params.id));
    const parsed = EraseSchema.safeParse(req.body);
    if (!parsed.success) return res.status(422).page('admin/member', { title: `Membre ${memberNumber(m.number)}`, m, errors: fieldErrors(parsed.error) });
    if (m.id === req.member!.id) {
      return res.status(422).page('admin/member', { title: `Membre ${memberNumber(m.number)}`, m, errors: { requestRef: 'Pour supprimer votre propre compte, utilisez « Supprimer mon compte ».' } });
    }
    await eraseMember(deps, m.id, { reason: 'admin-request', actorId: req.member!.id, requestRef: parsed.data.requestRef });
    flash(req, 'success', `Le compte ${memberNumber(m.number)} a été effacé.`);
    res.redirect(303, `/admin/membres/${m.id}`);
  });

  r.get('/admin/journal', admin, async (_req, res) => {
    const events = await deps.db.auditEvent.findMany({ orderBy: { id: 'desc' }, take: 200 });
    const ids = [...new Set(events.flatMap((e) => [e.actorMemberId, e.subjectMemberId]).filter((x): x is string => !!x))];
    const numbers = new Map((await deps.db.member.findMany({ where: { id: { in: ids } }, select: { id: true, number: true } })).map((m) => [m.id, memberNumber(m.number)]));
    res.page('admin/audit', { title: 'Journal d’audit', events, numbers });
  });

  r.get('/admin/taches', admin, async (_req, res) => {
    const [counts, failing] = await Promise.all([
      deps.db.job.groupBy({ by: ['status'], _count: { _all: true } }),
      deps.db.job.findMany({ where: { OR: [{ status: 'DEAD' }, { lastError: { not: null } }] }, orderBy: { id: 'desc' }, take: 50 }),
    ]);
    res.page('admin/jobs', { title: 'Tâches de fond', counts, failing });
  });

  return r;
}
