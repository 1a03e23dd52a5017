// Privacy: the member's data page and download, consents, the eraser and the retention run.
import { Router } from 'express';
import { z } from 'zod';
import { defineJob } from '../core/module.ts';
import type { Disclosure, DomainModule } from '../core/module.ts';
import { memberNumber } from '../core/member-number.ts';
import { parisDay } from '../core/dates.ts';
import { collectMemberData, exportMemberData } from './export.ts';
import { PRIVACY_AUDIT } from './eraser.ts';
import { runRetention } from './retention.ts';
import { present as presentValue } from './present.ts';

/** Rows shown per list on the "Mes données" page; the download holds them all. */
const PAGE_ROWS = 100;

export const privacyModule: DomainModule = {
  name: 'privacy',
  routes: {
    member: (deps) => {
      // The codes in words, from the modules' declarations: audit actions, job kinds.
      const ctx = { auditLabels: deps.registry.auditLabels, jobLabels: Object.fromEntries(Object.entries(deps.registry.jobs).map(([k, j]) => [k, j.label])) };
      const present = (key: string, value: unknown) => presentValue(key, value, ctx);
      return Router()
        .get('/donnees', async (req, res) => {
          const { header, sections } = await collectMemberData(deps, req.member!.id, { audit: false, limit: PAGE_ROWS + 1 });
          res.page('privacy/my-data', { title: 'Mes données', header, sections, pageRows: PAGE_ROWS, present });
        })
        .get('/donnees/telecharger', async (req, res) => {
          const data = await exportMemberData(deps, req.member!.id);
          const name = `mes-donnees-${memberNumber(req.member!.number)}-${parisDay(deps.clock.now())}.json`;
          res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
          res.setHeader('Cache-Control', 'no-store');
          res.type('application/json').send(JSON.stringify(data, null, 2));
        });
    },
  },
  jobs: {
    retention: defineJob('Purge des données anciennes', z.object({}), async (deps) => {
      await runRetention(deps);
    }),
  },
  daily: ['retention'],
  classification: {
    Consent: {
      owner: 'memberId',
      onErase: 'keep',
      fields: { id: 'operational', memberId: 'pseudonymous-id', kind: 'operational', policyVersion: 'operational', givenAt: 'operational', withdrawnAt: 'operational' },
    },
  },
  exports: [
    {
      key: 'consentements',
      title: 'Vos consentements',
      description: 'Ce que vous avez accepté (la version de la politique de confidentialité) ou choisi (la lettre d’information), et quand ; un retrait est daté.',
      table: 'Consent',
    },
    {
      key: 'transmissions_a_des_tiers',
      title: 'Transmissions à des tiers',
      description: 'À qui le club a transmis vos données personnelles, lesquelles, pourquoi et quand (fournisseurs, transporteurs, service d’envoi de la lettre).',
      build: async (deps, memberId) => {
        const all: Disclosure[] = [];
        for (const m of deps.registry.modules) if (m.disclosures) all.push(...(await m.disclosures(deps, memberId)));
        return all.sort((a, b) => a.date.localeCompare(b.date));
      },
    },
  ],
  audit: PRIVACY_AUDIT,
  nav: [{ area: 'member', href: '/compte/donnees', label: 'Mes données', hint: 'Tout ce que le club conserve sur vous, et le fichier à télécharger.' }],
};
