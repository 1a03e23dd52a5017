// Privacy: the member's data page and download, consents, the eraser and the retention run.
import { Router } from 'express';
import { z } from 'zod';
import { defineJob } from '../core/module.ts';
import type { Disclosure, DomainModule } from '../core/module.ts';
import { memberNumber } from '../core/member-number.ts';
import { formatDate, parisDay } from '../core/dates.ts';
import { collectMemberData, exportMemberData } from './export.ts';
import { PRIVACY_AUDIT } from './eraser.ts';
import { runRetention } from './retention.ts';
import { present as presentValue } from './present.ts';
import { publicPage } from '../http/page-cache.ts';
import { NotFoundError } from '../core/errors.ts';
import { archivedPolicyView, inForceDate, POLICY_VERSION, POLICY_VERSIONS, policyTextHref } from './policy.ts';

/** Rows shown per list on the "Mes données" page; the download holds them all. */
const PAGE_ROWS = 100;

export const privacyModule: DomainModule = {
  name: 'privacy',
  routes: {
    // Every version of the privacy policy, and the text of each one no longer in force.
    public: (deps) =>
      Router()
        .get('/confidentialite/versions', publicPage, (_req, res) => {
          const versions = POLICY_VERSIONS.map((v, i) => ({ ...v, href: policyTextHref(v.version), until: POLICY_VERSIONS[i + 1]?.inForceFrom ?? null }));
          res.page('privacy/policy-versions', { title: 'Versions de la politique de confidentialité', versions: versions.reverse() });
        })
        .get('/confidentialite/versions/:version', publicPage, (req, res) => {
          const version = String(req.params.version);
          // The one in force is the policy page itself (this address shows its archive once it is replaced).
          if (version === POLICY_VERSION) return res.redirect(302, '/confidentialite');
          const i = POLICY_VERSIONS.findIndex((v) => v.version === version);
          const shown = POLICY_VERSIONS[i];
          const next = POLICY_VERSIONS[i + 1];
          if (!shown || !next) throw new NotFoundError('Cette version de la politique de confidentialité n’existe pas.');
          res.page('privacy/policy-version', {
            title: `Politique de confidentialité, version du ${formatDate(shown.inForceFrom)}`,
            robots: 'noindex',
            archivedView: archivedPolicyView(shown.version),
            shown,
            next: { ...next, href: policyTextHref(next.version) },
            // The locals the policy page has, with this version's own version and date.
            policyVersion: shown.version,
            policyUpdated: inForceDate(shown),
            retention: deps.config.retention,
            privacyEmail: deps.config.privacyEmail,
          });
        }),
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
      orderBy: ['givenAt', 'id'],
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
