// Administration: find an account, change its role, erase it on a written request.
import { Router } from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { DomainModule } from '../core/module.ts';
import type { Deps } from '../deps.ts';
import type { Member } from '../generated/prisma/client.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { memberNumber } from '../core/member-number.ts';
import { formAction } from '../http/forms.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { audit, ROLE_LABELS } from '../audit/service.ts';
import { changeRole, findMember, searchMembers, staffMembers } from '../accounts/service.ts';
import { eraseMember } from '../privacy/eraser.ts';

const RoleSchema = z.object({ role: z.enum(['MEMBER', 'STAFF', 'ACCOUNTANT', 'ADMIN'], 'Rôle inconnu.') });
const EraseSchema = z.object({
  requestRef: z
    .string({ error: 'Indiquez la référence de la demande écrite (au moins 3 caractères).' })
    .trim()
    .min(3, 'Indiquez la référence de la demande écrite (au moins 3 caractères).')
    .max(100, 'Référence : 100 caractères au maximum.')
    // The audit journal keeps it: a letter's number or a date, never an address.
    .refine((s) => !s.includes('@'), 'Indiquez une référence (numéro de courrier, date de réception), pas une adresse électronique.'),
});

async function memberFor(deps: Deps, req: Request): Promise<Member> {
  const m = await findMember(deps, String(req.params.id));
  if (!m) throw new NotFoundError('Compte introuvable.');
  return m;
}

function adminRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 254) : '';
    const results = q ? await searchMembers(deps, q) : [];
    if (q) await audit(deps.db, 'personal-data.viewed', { at: deps.clock.now(), actor: req.member!.id, details: { what: 'member-search', hits: results.length } });
    res.page('admin/index', { title: 'Administration', q, results, staff: await staffMembers(deps), entries: deps.registry.nav('admin'), roles: ROLE_LABELS });
  });

  const memberPage = async (req: Request, res: Response, form: FormState = { values: {}, errors: {} }) => {
    const m = await memberFor(deps, req);
    res.page('admin/member', { title: `Membre ${memberNumber(m.number)}`, m, errors: form.errors });
  };

  r.get('/membres/:id', async (req, res) => {
    const m = await memberFor(deps, req);
    await audit(deps.db, 'personal-data.viewed', { at: deps.clock.now(), actor: req.member!.id, subject: m.id, details: { what: 'member' } });
    await memberPage(req, res);
  });

  // A refused form leaves its POST address in the address bar: opening it again leads back.
  r.get(['/membres/:id/role', '/membres/:id/effacer'], (req, res) =>
    res.redirect(303, /^[0-9a-f-]{36}$/.test(String(req.params.id)) ? `/admin/membres/${String(req.params.id)}` : '/admin'),
  );

  r.post(
    '/membres/:id/role',
    formAction({
      schema: RoleSchema,
      render: memberPage,
      run: async (req, data) => {
        const m = await memberFor(deps, req);
        await changeRole(deps, req.member!.id, m, data.role);
        return { m, role: data.role };
      },
      done: (req, res, { m, role }) => {
        flash(req, 'success', `Rôle de ${memberNumber(m.number)} : ${ROLE_LABELS[role]}.`);
        res.redirect(303, `/admin/membres/${m.id}`);
      },
    }),
  );

  r.post(
    '/membres/:id/effacer',
    formAction({
      schema: EraseSchema,
      render: memberPage,
      run: async (req, data) => {
        const m = await memberFor(deps, req);
        if (m.id === req.member!.id) throw new ValidationError('Pour supprimer votre propre compte, utilisez « Supprimer mon compte ».', 'requestRef');
        await eraseMember(deps, m.id, { reason: 'admin-request', actorId: req.member!.id, requestRef: data.requestRef });
        return m;
      },
      done: (req, res, m) => {
        flash(req, 'success', `Le compte ${memberNumber(m.number)} a été effacé.`);
        res.redirect(303, `/admin/membres/${m.id}`);
      },
    }),
  );
  return r;
}

export const adminModule: DomainModule = {
  name: 'admin',
  routes: { admin: adminRoutes },
};
