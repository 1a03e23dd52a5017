// Contests with verifiable draws (DESIGN §6), winners and prize shipping. Policy purpose 1.
import { z } from 'zod';
import { defineJob } from '../core/module.ts';
import type { DomainModule } from '../core/module.ts';
import { contestMemberRoutes, contestPublicRoutes, contestStaffRoutes } from './routes.ts';
import { closeContest, closeDueContests, CONTESTS_AUDIT } from './service.ts';
import { runContestRetention } from './retention.ts';
import { ConflictError } from '../core/errors.ts';

const O = 'operational' as const;
const P = 'personal' as const;

export const contestsModule: DomainModule = {
  name: 'contests',
  routes: { public: contestPublicRoutes, member: contestMemberRoutes, staff: contestStaffRoutes },
  jobs: {
    'contests-close-due': defineJob('Clôture des concours arrivés à échéance', z.object({}), async (deps) => {
      await closeDueContests(deps);
    }),
    'contest-close': defineJob('Clôture d’un concours à sa date', z.object({ contestId: z.string().uuid() }), async (deps, p) => {
      const c = await deps.db.contest.findUnique({ where: { id: p.contestId }, select: { status: true, closesAt: true } });
      if (c?.status !== 'OPEN' || c.closesAt > deps.clock.now()) return;
      try {
        await closeContest(deps, null, p.contestId);
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
    }),
    'contests-retention': defineJob('Purge des données des concours (3 mois après le tirage, ou sa date annoncée s’il n’a pas eu lieu, ou après l’expédition)', z.object({}), async (deps) => {
      await runContestRetention(deps);
    }),
  },
  daily: ['contests-close-due', 'contests-retention'],
  classification: {
    Contest: {
      onErase: 'keep',
      fields: {
        id: O, publicId: O, slug: O, title: O, description: O, question: O, opensAt: O, closesAt: O, drawAt: O, reserves: O, claimDays: O,
        status: O, seed: { class: O, secret: true }, seedHash: O, listHash: O, entryCount: O, algorithm: O, rulesFile: O,
        createdAt: O, updatedAt: O, openedAt: O, closedAt: O, drawnAt: O,
      },
    },
    ContestPrize: {
      onErase: 'keep',
      fields: { id: O, contestId: O, position: O, name: O, quantity: O, unitCostCents: O, pictureFile: O, createdAt: O },
    },
    ContestEntry: {
      owner: 'memberId',
      // Open (unpublished) list: the entry goes. Published list (closed or drawn): the public id
      // stays so the draw remains verifiable, the link to the member and the answer go.
      onErase: { deleteWhere: `"contestId" IN (SELECT id FROM "Contest" WHERE status IN ('DRAFT', 'OPEN'))`, otherwise: 'scrub' },
      fields: { id: O, publicId: 'pseudonymous-id', contestId: O, memberId: P, answer: P, createdAt: O },
    },
    ContestRank: {
      owner: { via: 'ContestEntry', key: 'entryId' },
      onErase: 'scrub',
      fields: {
        id: O, contestId: O, rank: O, entryId: O, role: O, status: O, prizeId: O,
        claimDeadline: O, notifiedAt: O,
        shipName: P, shipLine1: P, shipLine2: P, shipPostcode: P, shipCity: P, shipCountry: P,
        confirmedAt: O, shippedAt: O, replacedAt: O, replacedReason: P, replacedById: 'pseudonymous-id', promotedAt: O,
      },
    },
  },
  exports: [
    {
      key: 'concours',
      title: 'Concours',
      description: 'Vos participations aux concours (numéro de reçu, date, réponse) et, si vous avez gagné, le lot et l’adresse de livraison confirmée.',
      build: async (deps, memberId) => {
        const entries = await deps.db.contestEntry.findMany({
          where: { memberId },
          orderBy: { createdAt: 'asc' },
          include: { contest: { select: { title: true, slug: true } }, ranks: true },
        });
        return entries.map((e) => ({
          concours: e.contest.title,
          recu: e.publicId,
          date: e.createdAt.toISOString(),
          reponse: e.answer,
          classement: e.ranks.map((r) => ({
            rang: r.rank, role: r.role, statut: r.status, dateLimite: r.claimDeadline?.toISOString() ?? null,
            adresse: r.shipName ? [r.shipName, r.shipLine1, r.shipLine2, `${r.shipPostcode} ${r.shipCity}`, r.shipCountry].filter(Boolean).join(', ') : null,
            confirmeLe: r.confirmedAt?.toISOString() ?? null, expedieLe: r.shippedAt?.toISOString() ?? null,
            // Why staff replaced this winner (a prize not claimed in time, an address refused): theirs to read.
            remplaceLe: r.replacedAt?.toISOString() ?? null, motifRemplacement: r.replacedReason,
          })),
        }));
      },
    },
  ],
  audit: CONTESTS_AUDIT,
  nav: [
    { area: 'public', href: '/concours', label: 'Concours' },
    { area: 'member', href: '/compte/concours', label: 'Mes concours', hint: 'Vos participations, vos reçus et vos gains.' },
    { area: 'staff', href: '/gestion/concours', label: 'Concours', hint: 'Créer, publier, clore, tirer au sort, expédier les lots.' },
  ],
};
