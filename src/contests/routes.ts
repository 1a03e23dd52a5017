// Contest pages: public list, page, results and machine-readable draw; the member's entries and
// claims (/compte/concours); the staff's management (/gestion/concours).
import { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { COUNTRIES } from '../core/display.ts';
import type { Deps } from '../deps.ts';
import { formAction } from '../http/forms.ts';
import { publicPage } from '../http/page-cache.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { NotFoundError } from '../core/errors.ts';
import { AddressSchema, ContestSchema, Empty, EnterSchema, PrizeSchema, RedrawSchema } from './schema.ts';
import {
  addPrize, archiveContest, claimOf, closeContest, confirmAddress, contestBySlug, createContest, drawContest, enterContest, entrantsCsv, listFile,
  markShipped, memberEntries, publicRules, setPrizePicture, setRules, publicContests, publishContest, publishedDraw, RANK_STATUS_LABELS, redraw, removePrize, results,
  shippingList, staffContest, staffContests, STATUS_LABELS, updateContest,
} from './service.ts';
import path from 'node:path';
import { parisDay } from '../core/dates.ts';
import { pictureOf, RULES_FILE, rulesDir } from './files.ts';
import { displaySize, srcOf, srcsetOf } from '../shop/images.ts';
import { formatEuros } from '../core/money.ts';

const empty: FormState = { values: {}, errors: {} };
/** What the views use to show a prize's picture (the catalogue's responsive WebP variants). */
export const pictures = { pictureOf, srcOf, srcsetOf, displaySize };
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const slugRe = /^[a-z0-9-]{1,80}$/;
const param = (req: Request, name: string, re: RegExp, what: string): string => {
  const v = String(req.params[name]);
  if (!re.test(v)) throw new NotFoundError(`${what} introuvable.`);
  return v;
};
const slugOf = (req: Request) => param(req, 'slug', slugRe, 'Concours');
const idOf = (req: Request) => param(req, 'id', uuid, 'Concours');

// ------------------------------------------------------------------ public

// The rules PDF as a download: nosniff and a sandboxing CSP, so that the file can never run as a
// page of the site (decision 0070). Only names matching RULES_FILE are looked up on disk.
function sendRules(deps: Deps, res: Response, next: NextFunction, file: string, slug: string, cache = 'public, max-age=3600'): void {
  if (!RULES_FILE.test(file)) return next(new NotFoundError('Règlement introuvable.'));
  res.sendFile(
    path.join(rulesDir(deps.config), file),
    {
      dotfiles: 'deny',
      cacheControl: false,
      headers: {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `attachment; filename="reglement-${slug}.pdf"`,
        'X-Content-Type-Options': 'nosniff',
        'Content-Security-Policy': "default-src 'none'; sandbox",
        'Cache-Control': cache,
      },
    },
    (err) => {
      if (err) next((err as NodeJS.ErrnoException).code === 'ENOENT' ? new NotFoundError('Règlement introuvable.') : err);
    },
  );
}

export function contestPublicRoutes(deps: Deps): Router {
  const r = Router();
  r.get('/concours', publicPage, async (_req, res) => {
    res.page('contests/list', { title: 'Concours', ...(await publicContests(deps)), now: deps.clock.now() });
  });
  const contestPage = async (req: Request, res: Response, form: FormState = empty) => {
    const contest = await contestBySlug(deps, slugOf(req));
    const m = req.member;
    const mine = m ? await deps.db.contestEntry.findFirst({ where: { contestId: contest.id, memberId: m.id }, select: { publicId: true } }) : null;
    const now = deps.clock.now();
    res.page('contests/show', {
      title: contest.title, contest, mine, now, statusLabels: STATUS_LABELS, pictures,
      canEnter: contest.status === 'OPEN' && contest.opensAt <= now && now < contest.closesAt,
      ...form,
    });
  };
  // The draw algorithm, byte by byte, with a vector and a reference program: what an outsider needs.
  r.get('/verification-des-tirages', publicPage, (_req, res) => res.page('contests/verification', { title: 'Vérifier un tirage au sort' }));
  r.get('/concours/:slug', publicPage, (req, res) => contestPage(req, res));
  r.get('/concours/:slug/resultats', publicPage, async (req, res) => {
    const data = await results(deps, slugOf(req));
    res.page('contests/results', { title: `Résultats — ${data.contest.title}`, ...data, pictures, draw: await publishedDraw(deps, data.contest.slug) });
  });
  r.get('/concours/:slug/tirage.json', async (req, res) => {
    const d = await publishedDraw(deps, slugOf(req));
    res.setHeader('Cache-Control', 'no-cache');
    res.json(d);
  });
  // The rules PDF of a published contest, as a download: nosniff and a sandboxing CSP, so that the
  // file can never run as a page of the site (decision 0070).
  r.get('/concours/:slug/reglement.pdf', async (req, res, next) => {
    const slug = slugOf(req);
    sendRules(deps, res, next, await publicRules(deps, slug), slug);
  });
  r.get('/concours/:slug/liste.txt', async (req, res) => {
    const text = await listFile(deps, slugOf(req));
    res.setHeader('Content-Disposition', `attachment; filename="participations-${slugOf(req)}.txt"`);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.type('text/plain; charset=utf-8').send(text);
  });
  return r;
}

// ------------------------------------------------------------------ members

export function contestMemberRoutes(deps: Deps): Router {
  const r = Router();
  const listPage = async (req: Request, res: Response, form: FormState = empty) => {
    res.page('contests/member', { title: 'Mes concours', entries: await memberEntries(deps, req.member!.id), rankLabels: RANK_STATUS_LABELS, now: deps.clock.now(), ...form });
  };
  r.get('/concours', (req, res) => listPage(req, res));
  r.post(
    '/concours/:slug/participer',
    formAction({
      schema: EnterSchema,
      render: async (req, res, form) => {
        const slug = slugOf(req);
        const contest = await contestBySlug(deps, slug);
        const now = deps.clock.now();
        res.page('contests/show', { title: contest.title, contest, mine: null, now, statusLabels: STATUS_LABELS, pictures, canEnter: contest.status === 'OPEN' && now < contest.closesAt, ...form });
      },
      run: (req, data) => enterContest(deps, req.member!, slugOf(req), data.answer ?? null),
      done: (req, res, entry) => {
        flash(req, 'success', `Participation enregistrée. Votre reçu : ${entry.publicId}. Il figurera dans la liste publiée à la clôture.`);
        res.redirect(303, `/concours/${slugOf(req)}`);
      },
    }),
  );
  const rankId = (req: Request) => param(req, 'rank', uuid, 'Gain');
  const claimPage = async (req: Request, res: Response, form: FormState = empty) => {
    const claim = await claimOf(deps, req.member!.id, rankId(req));
    res.page('contests/claim', { title: 'Confirmer mon adresse de livraison', countries: COUNTRIES, ...claim, values: { ...claim.prefill, ...form.values }, errors: form.errors, now: deps.clock.now() });
  };
  r.get('/concours/gain/:rank', (req, res) => claimPage(req, res));
  r.post(
    '/concours/gain/:rank',
    formAction({
      schema: AddressSchema,
      render: claimPage,
      run: (req, data) => confirmAddress(deps, req.member!.id, rankId(req), data),
      done: (req, res) => {
        flash(req, 'success', 'Adresse confirmée : votre lot vous sera envoyé à cette adresse.');
        res.redirect(303, '/compte/concours');
      },
    }),
  );
  r.get('/concours/:slug/participer', (req, res) => res.redirect(303, `/concours/${slugOf(req)}`));
  return r;
}

// ------------------------------------------------------------------ staff

const contestValues = (c: { title: string; description: string; question: string | null; opensAt: Date; closesAt: Date; drawAt: Date; reserves: number; claimDays: number }) => ({
  title: c.title, description: c.description, question: c.question ?? '', opensOn: parisDay(c.opensAt), closesOn: parisDay(c.closesAt),
  drawOn: parisDay(c.drawAt), reserves: String(c.reserves), claimDays: String(c.claimDays),
});

export function contestStaffRoutes(deps: Deps): Router {
  const r = Router();
  const listPage = async (_req: Request, res: Response, form: FormState = { values: { reserves: '2', claimDays: '30' }, errors: {} }) =>
    res.page('contests/staff-list', { title: 'Concours', contests: await staffContests(deps), statusLabels: STATUS_LABELS, ...form });
  r.get('/concours', (req, res) => listPage(req, res));
  r.post(
    '/concours',
    formAction({
      schema: ContestSchema,
      render: listPage,
      run: (req, data) => createContest(deps, req.member!.id, data),
      done: (req, res, c) => {
        flash(req, 'success', 'Concours créé en brouillon. Ajoutez ses lots, puis publiez-le.');
        res.redirect(303, `/gestion/concours/${c.id}`);
      },
    }),
  );

  const detail = async (req: Request, res: Response, form: FormState = empty, uploadFor: string | null = null) => {
    const data = await staffContest(deps, idOf(req));
    res.page('contests/staff-show', {
      title: data.contest.title, ...data, statusLabels: STATUS_LABELS, rankLabels: RANK_STATUS_LABELS, now: deps.clock.now(), pictures, uploadFor,
      values: { ...contestValues(data.contest), ...form.values }, errors: form.errors, formatEuros,
    });
  };
  r.get('/concours/:id', (req, res) => detail(req, res));
  r.get('/concours/:id/reglement.pdf', async (req, res, next) => {
    const { contest } = await staffContest(deps, idOf(req));
    if (!contest.rulesFile) throw new NotFoundError('Aucun règlement déposé.');
    sendRules(deps, res, next, contest.rulesFile, contest.slug, 'private, no-store');
  });
  const back = (msg: string) => (req: Request, res: Response) => {
    flash(req, 'success', msg);
    res.redirect(303, `/gestion/concours/${idOf(req)}`);
  };
  r.post('/concours/:id', formAction({ schema: ContestSchema, render: detail, run: (req, d) => updateContest(deps, req.member!.id, idOf(req), d), done: back('Concours enregistré.') }));
  r.post('/concours/:id/lots', formAction({ schema: PrizeSchema, render: detail, run: (req, d) => addPrize(deps, req.member!.id, idOf(req), d), done: back('Lot ajouté.') }));
  r.post(
    '/concours/:id/lots/:prize/supprimer',
    formAction({ schema: Empty, render: detail, run: (req) => removePrize(deps, req.member!.id, idOf(req), param(req, 'prize', uuid, 'Lot')), done: back('Lot retiré.') }),
  );
  // Uploads (multipart, read by src/http/multipart.ts for staff only): one file per form.
  r.post(
    '/concours/:id/reglement',
    formAction({
      schema: Empty,
      render: (req, res, form) => detail(req, res, form, 'rules'),
      run: (req) => setRules(deps, req.member!.id, idOf(req), req.upload?.field === 'rules' ? req.upload : undefined),
      done: back('Règlement déposé : il sera téléchargeable sur la page publique dès la publication.'),
    }),
  );
  const prizeOf = (req: Request) => param(req, 'prize', uuid, 'Lot');
  r.post(
    '/concours/:id/lots/:prize/image',
    formAction({
      schema: Empty,
      render: (req, res, form) => detail(req, res, form, prizeOf(req)),
      run: (req) => setPrizePicture(deps, req.member!.id, idOf(req), prizeOf(req), req.upload?.field === 'image' ? req.upload : undefined),
      done: back('Image du lot enregistrée.'),
    }),
  );
  r.post('/concours/:id/publier', formAction({ schema: Empty, render: detail, run: (req) => publishContest(deps, req.member!.id, idOf(req)), done: back('Concours publié : l’engagement (SHA-256 de la graine) est affiché sur sa page.') }));
  r.post('/concours/:id/clore', formAction({ schema: Empty, render: detail, run: (req) => closeContest(deps, req.member!.id, idOf(req)), done: back('Concours clos : la liste est figée, son empreinte et le nombre de participations sont publiés.') }));
  r.post('/concours/:id/tirer', formAction({ schema: Empty, render: detail, run: (req) => drawContest(deps, req.member!.id, idOf(req)), done: back('Tirage effectué et publié ; les gagnants ont été prévenus par courriel.') }));
  r.post('/concours/:id/archiver', formAction({ schema: Empty, render: detail, run: (req) => archiveContest(deps, req.member!.id, idOf(req)), done: back('Concours archivé ; ses résultats restent publiés.') }));
  r.post(
    '/concours/:id/remplacer/:rank',
    formAction({
      schema: RedrawSchema,
      render: detail,
      run: (req, d) => redraw(deps, req.member!.id, idOf(req), param(req, 'rank', uuid, 'Gagnant'), d.reason),
      done: (req, res, out) => {
        flash(req, 'success', out.promotedRank ? `Gagnant remplacé par le suppléant classé ${out.promotedRank}.` : 'Gagnant retiré ; il ne reste aucun suppléant.');
        res.redirect(303, `/gestion/concours/${idOf(req)}`);
      },
    }),
  );
  r.get('/concours/:id/expedition', async (req, res) => {
    const data = await shippingList(deps, req.member!.id, idOf(req));
    res.setHeader('Cache-Control', 'no-store');
    res.page('contests/shipping', { title: `Expédition — ${data.contest.title}`, ...data, rankLabels: RANK_STATUS_LABELS });
  });
  r.post(
    '/concours/:id/expedier/:rank',
    formAction({
      schema: Empty,
      render: detail,
      run: (req) => markShipped(deps, req.member!.id, idOf(req), param(req, 'rank', uuid, 'Gagnant')),
      done: (req, res) => {
        flash(req, 'success', 'Lot marqué expédié.');
        res.redirect(303, `/gestion/concours/${idOf(req)}/expedition`);
      },
    }),
  );
  r.get('/concours/:id/participations.csv', async (req, res) => {
    const csv = await entrantsCsv(deps, req.member!.id, idOf(req));
    res.setHeader('Content-Disposition', `attachment; filename="participations-${idOf(req)}.csv"`);
    res.setHeader('Cache-Control', 'no-store');
    res.type('text/csv; charset=utf-8').send(csv);
  });
  r.get(['/concours/:id/lots', '/concours/:id/reglement', '/concours/:id/lots/:prize/image', '/concours/:id/publier', '/concours/:id/clore', '/concours/:id/tirer', '/concours/:id/archiver'], (req, res) => res.redirect(303, `/gestion/concours/${idOf(req)}`));
  return r;
}
