// The staff's home page: one card per staff page the modules declare.
import { Router } from 'express';
import type { DomainModule } from '../core/module.ts';

export const staffModule: DomainModule = {
  name: 'staff',
  routes: {
    staff: (deps) => Router().get('/', (_req, res) => res.page('staff/dashboard', { title: 'Gestion', entries: deps.registry.nav('staff') })),
  },
};
