// Administration: find an account, change its role, erase it on a written request.
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { DomainModule } from '../core/module.ts';
import type { Deps } from '../deps.ts';
import type { Member } from '../generated/prisma/client.ts';
import { NotFoundError, ValidationError } from '../core/errors.ts';
import { memberNumber } from '../core/member-number.ts';
import { fieldErrors, formAction, keepValues } from '../http/forms.ts';
import { EraseSchema, MemberSearchSchema, RoleSchema } from './schema.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { audit, ROLE_LABELS } from '../audit/service.ts';
import { changeRole, findMember, searchMembers, staffMembers } from '../accounts/service.ts';
import { eraseMember } from '../privacy/eraser.ts';

async function memberFor(deps: Deps, req: Request): Promise<Member> {
  const m = await findMember(deps, String(req.params.id));
  if (!m) throw new NotFoundError('Compte introuvable.');
  return m;
}

function adminRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/', async (req, res) => {
    const search = MemberSearchSchema.safeParse(req.query);
    const q = search.success ? search.data.q : (keepValues(req.query).q ?? '');
    const results = search.success && search.data.where ? await searchMembers(deps, search.data.where) : [];
    if (search.success && search.data.where) {
      await audit(deps.db, 'personal-data.viewed', { at: deps.clock.now(), actor: req.member!.id, details: { what: 'member-search', hits: results.length } });
    }
    res.status(search.success ? 200 : 422).page('admin/index', {
      title: 'Administration', q, results, errors: search.success ? {} : fieldErrors(search.error),
      staff: await staffMembers(deps), entries: deps.registry.nav('admin'), roles: ROLE_LABELS,
    });
  });

  const memberPage = async (req: Request, res: Response, form: FormState = { values: {}, errors: {} }) => {
    const m = await memberFor(deps, req);
    res.page('admin/member', { title: `Membre ${memberNumber(m.number)}`, m, values: form.values, errors: form.errors });
  };

  r.get('/membres/:id', async (req, res) => {
    const m = await memberFor(deps, req);
    await audit(deps.db, 'personal-data.viewed', { at: deps.clock.now(), actor: req.member!.id, subject: m.id, details: { what: 'member' } });
    await memberPage(req, res);
  });

  // A refused form leaves its POST address in the address bar: opening it again leads back.
  r.get(['/membres/:id/role', '/membres/:id/effacer'], (req, res) =>
    res.redirect(303, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(String(req.params.id)) ? `/admin/membres/${String(req.params.id)}` : '/admin'),
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
