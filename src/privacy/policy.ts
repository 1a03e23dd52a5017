// The privacy policy's versions: members accept a version, stored as a consent record, and every
// version one of them may have accepted stays readable (/confidentialite/versions/<version>).
//
// Changing the policy: archive the text in force first, then bump.
//  1. copy views/pages/confidentialite.ejs as it is now to views/privacy/versions/<POLICY_VERSION>.ejs
//     (see views/privacy/versions/README.md);
//  2. edit the page and add the new version at the end of POLICY_VERSIONS with a one-line French
//     summary (POLICY_VERSION and POLICY_UPDATED are its last entry).
// test/policy-versions.test.ts fails if an earlier version has no archived text.

export interface PolicyVersion {
  /** The version string stored in Consent.policyVersion. */
  version: string;
  /** The Paris day it came into force (YYYY-MM-DD). */
  inForceFrom: string;
  /** What changed from the version before, in one French sentence. */
  summary: string;
}

/** Every version of the policy, oldest first; the last is the one in force (POLICY_VERSION). */
export const POLICY_VERSIONS: readonly PolicyVersion[] = [
  {
    version: '2026-11-25',
    inForceFrom: '2026-11-25',
    summary: 'Première version : compte, coupons et crédit, lettre d’information (aucune donnée transmise à un tiers), un seul cookie de session.',
  },
  {
    // 2026-12-02: purposes 1 (contests), 2 (orders: supplier and carrier) and 4 (Mailchimp as processor) in force.
    version: '2026-12-02',
    inForceFrom: '2026-12-02',
    summary:
      'Ouverture de la boutique (transmissions au fournisseur et au transporteur), jeux concours, envoi de la lettre d’information par Mailchimp (adresse, prénom et nom).',
  },
  {
    // 2026-12-03: Mailchimp receives the e-mail address only; erasure deletes every contact made there
    // (decision 0076). The page edits of that day made before the bump (b57bb2a..90d6fbe) belong to it.
    version: '2026-12-03',
    inForceFrom: '2026-12-03',
    summary:
      'Mailchimp ne reçoit plus que l’adresse électronique ; la suppression du compte y efface chaque contact ; résultats des concours sans aucun nom ; durées de conservation précisées.',
  },
];

/** The day a version came into force, as an instant (midnight UTC of that day, as the page dates it). */
export const inForceDate = (v: PolicyVersion): Date => new Date(`${v.inForceFrom}T00:00:00Z`);

const CURRENT = POLICY_VERSIONS[POLICY_VERSIONS.length - 1];
/** The version in force: the last of the list. */
export const POLICY_VERSION = CURRENT.version;
export const POLICY_UPDATED = inForceDate(CURRENT);

/** The view of an archived version's text (every version but the one in force has one). */
export const archivedPolicyView = (version: string): string => `privacy/versions/${version}`;

/** Where a version's text is read: the policy page for the one in force, its archive otherwise; null for a version the list does not know. */
export function policyTextHref(version: string): string | null {
  if (version === POLICY_VERSION) return '/confidentialite';
  return POLICY_VERSIONS.some((v) => v.version === version) ? `/confidentialite/versions/${encodeURIComponent(version)}` : null;
}
