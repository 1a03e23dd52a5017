// Audit: the journal page for admins; the table of events.
import type { DomainModule } from '../core/module.ts';
import { AUDIT_LABELS, eventsAbout } from './service.ts';
import { auditAdminRoutes } from './routes.ts';

export const auditModule: DomainModule = {
  name: 'audit',
  routes: {
    // Not audited (as before): the journal holds member numbers and ids, no personal data.
    admin: auditAdminRoutes,
  },
  classification: {
    AuditEvent: {
      owner: 'subjectMemberId',
      onErase: 'keep',
      fields: { id: 'operational', at: 'operational', action: 'operational', actorMemberId: 'pseudonymous-id', subjectMemberId: 'pseudonymous-id', details: 'operational' },
    },
  },
  exports: [
    {
      key: 'journal_de_securite',
      title: 'Journal de sécurité',
      description:
        'Les évènements de sécurité qui concernent votre compte (connexions, changements, consultations de vos données par l’équipe), conservés 12 mois. Qui, dans l’équipe, a agi n’est pas indiqué : seulement que c’était l’équipe.',
      build: (deps, memberId, opts) => eventsAbout(deps, memberId, opts?.limit),
    },
  ],
  audit: AUDIT_LABELS,
  nav: [{ area: 'admin', href: '/admin/journal', label: 'Journal d’audit', hint: 'Qui a fait quoi : connexions, consultations de données, effacements.' }],
};
