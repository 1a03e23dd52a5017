// Member accounts: registration, login, profile; the Member row and the e-mailed tokens.
import { z } from 'zod';
import { Prisma } from '../generated/prisma/client.ts';
import { defineJob } from '../core/module.ts';
import type { DomainModule } from '../core/module.ts';
import { ownedRows } from '../privacy/export.ts';
import { accountPublicRoutes } from './public-routes.ts';
import { accountMemberRoutes } from './member-routes.ts';
import { ACCOUNTS_AUDIT, sendPasswordReset } from './service.ts';

const P = 'personal' as const;
const O = 'operational' as const;
const ID = 'pseudonymous-id' as const;

/**
 * The member's password-reset requests: their job holds the address typed, not the member's id
 * (the lookup happens in the job, decision 0013), so the classification cannot find them.
 */
const resetRequestsOf = (memberId: string) =>
  Prisma.sql`kind = 'password-reset' AND lower(payload->>'email') = (SELECT lower(email) FROM "Member" WHERE id = ${memberId}::uuid)`;

export const accountsModule: DomainModule = {
  name: 'accounts',
  routes: { public: accountPublicRoutes, member: accountMemberRoutes },
  jobs: {
    'password-reset': defineJob('Lien de mot de passe oublié', z.object({ email: z.string() }), (deps, p) => sendPasswordReset(deps, p.email)),
  },
  erasure: {
    // The member's reset requests, deleted here, done or not.
    before: async (tx, { memberId }) => {
      await tx.$executeRaw`DELETE FROM "Job" WHERE ${resetRequestsOf(memberId)}`;
    },
  },
  classification: {
    Member: {
      owner: 'id',
      onErase: 'scrub',
      fields: {
        id: ID,
        number: ID,
        role: { class: O, erasedValue: `'MEMBER'` },
        email: P,
        passwordHash: { class: P, secret: true },
        firstName: P,
        lastName: P,
        addressLine1: P,
        addressLine2: P,
        postcode: P,
        city: P,
        country: P,
        phone: P,
        newsletterOptIn: { class: P, erasedValue: 'false' },
        emailConfirmedAt: P,
        createdAt: O,
        // An erased row keeps only id, number, creation date and erasedAt.
        lastActiveAt: { class: O, erasedValue: '"createdAt"' },
        inactivityWarnedAt: { class: O, erasedValue: 'NULL' },
        sessionsValidAfter: { class: O, erasedValue: 'NULL' },
        erasedAt: O,
      },
    },
    MemberToken: {
      owner: 'memberId',
      onErase: 'delete',
      fields: { id: O, memberId: ID, purpose: O, tokenHash: { class: P, secret: true }, email: P, expiresAt: O, usedAt: O, createdAt: O },
    },
  },
  exports: [
    {
      key: 'profil',
      title: 'Votre profil',
      description: 'Vos coordonnées et l’état de votre compte. Le mot de passe n’est conservé que sous forme d’empreinte, qui n’est pas exportée.',
      build: async (deps, memberId) => (await ownedRows(deps, 'Member', memberId))[0],
    },
    {
      key: 'liens_en_attente',
      title: 'Liens envoyés par courriel',
      description: 'Les liens de confirmation d’adresse ou de nouveau mot de passe qui vous ont été envoyés (le lien lui-même n’est pas conservé).',
      table: 'MemberToken',
      orderBy: ['createdAt', 'id'],
    },
    {
      key: 'demandes_de_mot_de_passe',
      title: 'Demandes de nouveau mot de passe en cours',
      description:
        'Une demande « mot de passe oublié » faite avec votre adresse et pas encore traitée : le site la traite en quelques secondes, puis le lien envoyé figure ci-dessus.',
      // Found as the erasure finds them, among the pending jobs (the (status, kind) index).
      build: async (deps, memberId) => {
        const rows = await deps.db.$queryRaw<{ createdAt: Date; status: string; email: string }[]>`
          SELECT "createdAt", status::text AS status, payload->>'email' AS email FROM "Job"
            WHERE status IN ('PENDING', 'RUNNING') AND ${resetRequestsOf(memberId)}
            ORDER BY "createdAt", id`;
        return rows.map((r) => ({ date: r.createdAt.toISOString(), statut: r.status, courriel: r.email }));
      },
    },
  ],
  audit: ACCOUNTS_AUDIT,
  nav: [{ area: 'member', href: '/compte', label: 'Mon compte', hint: 'Coordonnées, adresse électronique, mot de passe.' }],
};
