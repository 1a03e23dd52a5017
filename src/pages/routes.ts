import { Router } from 'express';
import type { Deps } from '../deps.ts';
import { POLICY_UPDATED, POLICY_VERSION } from '../privacy/policy.ts';

export function pageRoutes(deps: Deps): Router {
  const r = Router();
  const { retention } = deps.config;
  r.get('/', (_req, res) => res.page('pages/home', { title: 'Accueil' }));
  r.get('/confidentialite', (_req, res) =>
    res.page('pages/confidentialite', {
      title: 'Politique de confidentialité',
      policyVersion: POLICY_VERSION,
      policyUpdated: POLICY_UPDATED,
      retention,
    }),
  );
  r.get('/mentions-legales', (_req, res) => res.page('pages/mentions-legales', { title: 'Mentions légales' }));
  return r;
}
