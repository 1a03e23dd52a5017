// The monthly newsletter: the member's choice (the Mailchimp sync is not built yet).
import { Router } from 'express';
import { z } from 'zod';
import type { DomainModule } from '../core/module.ts';
import { formAction } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { setNewsletter } from './service.ts';

const NewsletterSchema = z.object({
  newsletter: z
    .string()
    .optional()
    .transform((v) => v === 'on' || v === '1' || v === 'true'),
});

export const newsletterModule: DomainModule = {
  name: 'newsletter',
  routes: {
    member: (deps) =>
      Router()
        .get('/lettre', (_req, res) => res.redirect(303, '/compte'))
        .post(
          '/lettre',
          formAction({
            schema: NewsletterSchema,
            render: (req, res, form) => {
              flash(req, 'error', Object.values(form.errors)[0] ?? 'Choix non enregistré.');
              res.redirect(303, '/compte');
            },
            run: async (req, data) => {
              await setNewsletter(deps, req.member!, data.newsletter);
              return data.newsletter;
            },
            done: (req, res, on) => {
              flash(req, 'success', on ? 'Vous êtes inscrit à la lettre d’information.' : 'Vous êtes désinscrit de la lettre d’information.');
              res.redirect(303, '/compte');
            },
          }),
        ),
  },
};
