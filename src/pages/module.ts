// The club's public pages: home, privacy policy, legal notice, terms of sale and of use.
import { Router } from 'express';
import type { DomainModule } from '../core/module.ts';
import { publicPage } from '../http/page-cache.ts';
import { POLICY_UPDATED, POLICY_VERSION } from '../privacy/policy.ts';

export const pagesModule: DomainModule = {
  name: 'pages',
  routes: {
    public: (deps) =>
      Router()
        .get('/', publicPage, (_req, res) => res.page('pages/home', { title: 'Accueil' }))
        .get('/confidentialite', publicPage, (_req, res) =>
          res.page('pages/confidentialite', {
            title: 'Politique de confidentialité',
            policyVersion: POLICY_VERSION,
            policyUpdated: POLICY_UPDATED,
            retention: deps.config.retention,
            privacyEmail: deps.config.privacyEmail,
          }),
        )
        .get('/mentions-legales', publicPage, (_req, res) => res.page('pages/mentions-legales', { title: 'Mentions légales', seller: deps.config.seller, hosting: deps.config.hosting }))
        .get('/cgv', publicPage, (_req, res) => res.page('pages/cgv', { title: 'Conditions générales de vente', seller: deps.config.seller }))
        .get('/conditions-utilisation', publicPage, (_req, res) => res.page('pages/conditions-utilisation', { title: 'Conditions d’utilisation', seller: deps.config.seller })),
  },
};
