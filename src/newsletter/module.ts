// The monthly newsletter through Mailchimp: the member's choice, the sync jobs (ordered per
// member), the webhook from Mailchimp, the unsubscribe link of letters already sent, the admins'
// page, and its privacy parts. Mailchimp gets the member's address and status only (decision 0076).
import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { DomainModule } from '../core/module.ts';
import { defineJob } from '../core/module.ts';
import type { Deps } from '../deps.ts';
import { formAction } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { checkbox } from '../core/fields.ts';
import { NotFoundError } from '../core/errors.ts';
import { applyWebhook, memberNewsletter, NEWSLETTER_AUDIT, newsletterOverview, resyncAll, setNewsletter } from './service.ts';
import { FORGET_JOB, ForgetPayload, queueForget, runForget, runSync, SYNC_JOB, SyncPayload } from './sync.ts';
import { readUnsubscribeToken } from './token.ts';

const NewsletterSchema = z.object({ newsletter: checkbox('Lettre d’information') });
const EmptySchema = z.object({});

const ACTION_LABELS: Record<string, string> = {
  'address-subscribe': 'inscription (adresse)',
  'address-update': 'mise à jour (adresse)',
  'address-change': 'changement d’adresse (ancienne et nouvelle adresse)',
  unsubscribe: 'désinscription (adresse)',
  // Hand-overs recorded before decision 0076, when the names and a personal unsubscribe link were sent too.
  subscribe: 'inscription (adresse, prénom, nom, lien de désinscription personnel)',
  update: 'mise à jour (adresse, prénom, nom, lien de désinscription personnel)',
  'email-change': 'changement d’adresse (ancienne et nouvelle adresse, prénom, nom, lien de désinscription personnel)',
};

function sameSecret(given: string, expected: string | undefined): boolean {
  if (!expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function memberPage(deps: Deps) {
  return async (req: Request, res: Response, errors: Record<string, string> = {}, status = 200) => {
    const state = await memberNewsletter(deps, req.member!);
    res.status(status).page('newsletter/member', { title: 'Lettre d’information', subscribed: req.member!.newsletterOptIn, state, errors });
  };
}

function publicRoutes(deps: Deps): Router {
  const r = Router();
  // Mailchimp validates the webhook URL with a GET; the secret is part of the URL.
  r.get('/webhooks/mailchimp/:secret', (req, res) => {
    if (!sameSecret(String(req.params.secret), deps.config.mailchimpWebhookSecret)) throw new NotFoundError();
    res.type('text/plain').send('ok');
  });
  r.post('/webhooks/mailchimp/:secret', async (req, res) => {
    if (!sameSecret(String(req.params.secret), deps.config.mailchimpWebhookSecret)) throw new NotFoundError();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const type = typeof body.type === 'string' ? body.type : '';
    const outcome = await applyWebhook(deps, type, body);
    deps.logger.info({ type, outcome }, 'mailchimp webhook');
    res.type('text/plain').send('ok');
  });

  const unsubscribePage = (req: Request, res: Response, done = false) => {
    const memberId = readUnsubscribeToken(deps, String(req.params.token));
    if (!memberId) throw new NotFoundError('Ce lien de désinscription n’est pas valide.');
    res.page('newsletter/unsubscribe', { title: 'Désinscription de la lettre d’information', token: String(req.params.token), done, errors: {} });
  };
  // GET only shows the confirmation: a mail scanner following the link changes nothing.
  r.get('/newsletter/desinscription/:token', (req, res) => unsubscribePage(req, res));
  r.post(
    '/newsletter/desinscription/:token',
    formAction({
      schema: EmptySchema,
      render: (req, res) => unsubscribePage(req, res),
      run: async (req) => {
        const memberId = readUnsubscribeToken(deps, String(req.params.token));
        if (!memberId) throw new NotFoundError('Ce lien de désinscription n’est pas valide.');
        const m = await deps.db.member.findFirst({ where: { id: memberId, erasedAt: null }, select: { id: true, newsletterOptIn: true } });
        // An erased account, or one already unsubscribed: the same answer, nothing to do.
        if (m) await setNewsletter(deps, m, false, 'link');
      },
      done: (req, res) => unsubscribePage(req, res, true),
    }),
  );
  return r;
}

export const newsletterModule: DomainModule = {
  name: 'newsletter',
  routes: {
    public: publicRoutes,
    member: (deps) =>
      Router()
        .get('/lettre', (_req, res) => res.redirect(303, '/compte/newsletter'))
        .get('/newsletter', (req, res) => memberPage(deps)(req, res))
        .post(
          ['/lettre', '/newsletter'],
          formAction({
            schema: NewsletterSchema,
            render: (req, res, form) => memberPage(deps)(req, res, form.errors, 422),
            run: async (req, data) => {
              await setNewsletter(deps, req.member!, data.newsletter);
              return data.newsletter;
            },
            done: (req, res, on) => {
              flash(req, 'success', on ? 'Vous êtes inscrit à la lettre d’information.' : 'Vous êtes désinscrit de la lettre d’information.');
              res.redirect(303, '/compte/newsletter');
            },
          }),
        ),
    admin: (deps) =>
      Router()
        .get('/newsletter', async (req, res) => {
          const errorsOnly = req.query.erreurs === '1';
          res.page('newsletter/admin', { title: 'Lettre d’information (Mailchimp)', errorsOnly, ...(await newsletterOverview(deps, { errorsOnly })), errors: {} });
        })
        .post(
          '/newsletter/resynchroniser',
          formAction({
            schema: EmptySchema,
            render: async (_req, res) => res.page('newsletter/admin', { title: 'Lettre d’information (Mailchimp)', errorsOnly: false, ...(await newsletterOverview(deps)), errors: {} }),
            run: (req) => resyncAll(deps, req.member!.id),
            done: (req, res, n) => {
              flash(req, 'success', `${n} contact(s) à synchroniser avec Mailchimp.`);
              res.redirect(303, '/admin/newsletter');
            },
          }),
        ),
  },
  jobs: {
    [SYNC_JOB]: defineJob('Synchronisation d’un membre avec Mailchimp', SyncPayload, runSync, {
      orderedPerMember: true,
      exportPayload: (p) => ({ destinataire: 'Mailchimp', adresse: p.email, statut_chez_mailchimp: p.status }),
    }),
    [FORGET_JOB]: defineJob('Suppression définitive d’un contact chez Mailchimp', ForgetPayload, runForget),
  },
  classification: {
    NewsletterSync: {
      owner: 'memberId',
      onErase: 'delete',
      fields: {
        memberId: 'pseudonymous-id',
        remoteHash: { class: 'personal', secret: true },
        // MD5 of addresses: erased with the row; the forget job keeps them until it has run.
        knownHashes: { class: 'personal', secret: true },
        remoteStatus: 'personal',
        queued: 'operational',
        applied: 'operational',
        lastSyncAt: 'personal',
        lastError: 'personal',
        lastErrorAt: 'operational',
        updatedAt: 'operational',
      },
    },
    NewsletterOptInCount: { onErase: 'keep', fields: { id: 'operational', members: 'operational' } },
    NewsletterHandover: {
      owner: 'memberId',
      onErase: 'delete',
      fields: { id: 'operational', memberId: 'pseudonymous-id', at: 'personal', action: 'personal' },
    },
  },
  erasure: {
    // Reads the addresses Mailchimp holds before the eraser deletes the sync row and the jobs.
    before: (tx, ctx) => queueForget(tx, ctx.deps, ctx.memberId, ctx.now),
  },
  exports: [
    {
      key: 'lettre_information',
      title: 'Lettre d’information',
      description: 'Votre inscription à la lettre d’information mensuelle, telle que le site et Mailchimp (le service qui l’envoie) la connaissent.',
      build: async (deps, memberId) => {
        const m = await deps.db.member.findUnique({ where: { id: memberId }, select: { id: true, newsletterOptIn: true, emailConfirmedAt: true } });
        if (!m) return null;
        const state = await memberNewsletter(deps, m);
        const row = await deps.db.newsletterSync.findUnique({ where: { memberId } });
        return {
          etat: state.state,
          statut_chez_mailchimp: row?.remoteStatus ?? null,
          derniere_synchronisation: row?.lastSyncAt?.toISOString() ?? null,
          derniere_erreur: row?.lastError ?? null,
        };
      },
    },
  ],
  disclosures: async (deps, memberId) => {
    const rows = await deps.db.newsletterHandover.findMany({ where: { memberId }, orderBy: { at: 'asc' } });
    return rows.map((r) => ({
      destinataire: 'Mailchimp (Intuit Inc.), sous-traitant pour l’envoi de la lettre d’information',
      donnees: ACTION_LABELS[r.action] ?? r.action,
      motif: 'Envoi de la lettre d’information mensuelle (finalité 4 de la politique de confidentialité)',
      date: r.at.toISOString(),
    }));
  },
  audit: NEWSLETTER_AUDIT,
  // The webhook's secret and the unsubscribe link's token: capabilities, never in the logs.
  secretPaths: ['/webhooks/mailchimp/', '/newsletter/desinscription/'],
  nav: [
    { area: 'member', href: '/compte/newsletter', label: 'Lettre d’information', hint: 'Vous inscrire ou vous désinscrire.' },
    { area: 'admin', href: '/admin/newsletter', label: 'Lettre d’information', hint: 'Synchronisation avec Mailchimp : état, erreurs.' },
  ],
};
