// The monthly newsletter: the member's choice (the Mailchimp sync is not built yet).
import { Router } from 'express';
import { z } from 'zod';
import type { DomainModule } from '../core/module.ts';
import { formAction } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { setNewsletter } from './service.ts';
import { checkbox } from '../core/fields.ts';

const NewsletterSchema = z.object({ newsletter: checkbox('Lettre d’information') });

export const newsletterModule: DomainModule = {
  name: 'newsletter',
  routes: {
    member: (deps) =>
      Router()
        .get('/lettre', (_req, res) => res.redirect(303, '/compte/newsletter'))
        .get('/newsletter', (req, res) => res.page('newsletter/member', { title: 'Lettre d’information', subscribed: req.member!.newsletterOptIn, errors: {} }))
        .post(
          ['/lettre', '/newsletter'],
          formAction({
            schema: NewsletterSchema,
            render: (req, res, form) => res.page('newsletter/member', { title: 'Lettre d’information', subscribed: req.member!.newsletterOptIn, errors: form.errors }),
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
  nav: [{ area: 'member', href: '/compte/newsletter', label: 'Lettre d’information', hint: 'Vous inscrire ou vous désinscrire.' }],
};
