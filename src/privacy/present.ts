// How the "Mes données" page shows the export's sections: French headings for the keys, amounts
// in euros, dates in Paris time, the stored codes in words (the audit actions and job kinds through
// the labels their modules declare, a country by its name, a French phone number in pairs), nested
// values as nested lists and tables. The JSON download keeps the keys and values themselves
// (docs/data-export.md). A consent's policy version links to that version's text.
import { formatEuros } from '../core/money.ts';
import { formatDateTime } from '../core/dates.ts';
import { countryName, formatPhone } from '../core/display.ts';
import { policyTextHref } from './policy.ts';
import { memberNumber } from '../core/member-number.ts';

/** A value as the page shows it. */
export type Shown =
  | { kind: 'text'; text: string }
  | { kind: 'link'; text: string; href: string }
  | { kind: 'fields'; fields: { heading: string; value: Shown }[] }
  | { kind: 'table'; headings: string[]; rows: Shown[][] }
  | { kind: 'records'; records: { heading: string; value: Shown }[][] }
  | { kind: 'list'; items: Shown[] };

export interface PresentContext {
  /** Audit action → French label (the modules' `audit`). */
  auditLabels: Record<string, string>;
  /** Job kind → French label (the modules' `jobs`). */
  jobLabels: Record<string, string>;
}

/** French headings of the keys (the export's own, and the tables' column names). */
const HEADINGS: Record<string, string> = {
  // Columns of the tables exported as they are.
  id: 'identifiant', number: 'numéro', role: 'rôle', email: 'adresse électronique', firstName: 'prénom', lastName: 'nom',
  addressLine1: 'adresse', addressLine2: 'complément', postcode: 'code postal', city: 'ville', country: 'pays', phone: 'téléphone',
  newsletterOptIn: 'lettre d’information', emailConfirmedAt: 'adresse confirmée le', createdAt: 'créé le', lastActiveAt: 'dernière activité',
  inactivityWarnedAt: 'prévenu d’inactivité le', sessionsValidAfter: 'sessions valables après', erasedAt: 'effacé le', memberId: 'membre',
  kind: 'type', policyVersion: 'version de la politique', givenAt: 'donné le', withdrawnAt: 'retiré le', purpose: 'objet', expiresAt: 'expire le',
  usedAt: 'utilisé le', status: 'état', attempts: 'essais', maxAttempts: 'essais au plus', runAt: 'prévu le', lockedAt: 'pris le', lockedBy: 'pris par',
  lastError: 'dernière erreur', uniqueKey: 'clé', finishedAt: 'fini le', to: 'destinataire', subject: 'objet', text: 'texte', amountCents: 'montant',
  valueCents: 'valeur', label: 'libellé', reason: 'motif', couponId: 'coupon', createdById: 'créé par', batchId: 'identifiant du lot',
  redeemedAt: 'utilisé le', redeemedById: 'utilisé par',
  // Keys the modules' builders write.
  lot: 'lot', date: 'date', action: 'action', libelle: 'libellé', par: 'par', destinataire: 'destinataire', donnees: 'données', motif: 'motif',
  reference: 'référence', statut: 'état', facture: 'facture', avoir: 'avoir', total: 'total', credit_utilise: 'crédit utilisé',
  reste_a_payer: 'reste à payer', livraison: 'livraison', adresse: 'adresse', complement: 'complément', code_postal: 'code postal', ville: 'ville',
  pays: 'pays', telephone: 'téléphone', courriel: 'adresse électronique', notes: 'notes', transporteur: 'transporteur', suivi: 'numéro de suivi',
  lignes: 'articles', produit: 'produit', quantite: 'quantité', prix_unitaire_ttc: 'prix unitaire TTC', tva: 'TVA', transmissions: 'transmissions',
  concours: 'concours', recu: 'reçu', reponse: 'réponse', classement: 'classement', rang: 'rang', remplaceLe: 'remplacé le',
  motifRemplacement: 'motif du remplacement', motif_annulation: 'motif d’annulation ou de remboursement', contenu: 'contenu', objet: 'objet', texte: 'texte',
  dateLimite: 'date limite', confirmeLe: 'confirmé le', expedieLe: 'expédié le', etat: 'état', statut_chez_mailchimp: 'statut chez Mailchimp',
  derniere_synchronisation: 'dernière synchronisation', derniere_erreur: 'dernière erreur', credit_solde: 'solde',
};

/** Stored codes in French, for the keys that hold codes. */
const WORDS: Record<string, string> = {
  MEMBER: 'membre', STAFF: 'équipe', ACCOUNTANT: 'comptable', ADMIN: 'administrateur',
  COUPON: 'coupon', ORDER: 'commande', REFUND: 'remboursement', ADJUSTMENT: 'ajustement', EXPIRY: 'crédit perdu',
  CONFIRM_EMAIL: 'confirmation d’adresse', RESET_PASSWORD: 'nouveau mot de passe',
  'terms-and-privacy': 'conditions et politique de confidentialité', newsletter: 'lettre d’information',
  PENDING: 'en attente', RUNNING: 'en cours', DONE: 'fait', DEAD: 'abandonné',
  WINNER: 'gagnant', RESERVE: 'suppléant', WAITING: 'suppléant non appelé', NOTIFIED: 'prévenu', CONFIRMED: 'adresse confirmée',
  SHIPPED: 'expédié', REPLACED: 'remplacé',
  subscribed: 'inscrit', unsubscribed: 'désinscrit', cleaned: 'retiré (adresse non distribuable)', pending: 'en attente de confirmation',
  transactional: 'jamais inscrit (contact transactionnel)', archived: 'archivé',
};

/** A stored code in French (a role, a status, Mailchimp's contact status…), when it has words. */
export function codeInWords(code: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(WORDS, code) ? WORDS[code] : undefined;
}
const CODE_KEYS = new Set(['role', 'kind', 'purpose', 'status', 'statut', 'statut_chez_mailchimp']);
/** Keys holding a country code (shown by its French name) or a phone number (French ones in pairs). */
const COUNTRY_KEYS = new Set(['country', 'pays', 'shipCountry']);
const PHONE_KEYS = new Set(['phone', 'telephone', 'shipPhone']);

/** Columns that repeat another column in words: shown once (the journal's `libelle` is its `action`'s label). */
const REPEATS: Record<string, string> = { libelle: 'action' };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const MONEY = /(_centimes|Cents)$/;
const BASIS_POINTS = /_points_de_base$/;
const percent = new Intl.NumberFormat('fr-FR', { style: 'percent', maximumFractionDigits: 2 });

/** The heading of a key: amounts and rates without their unit suffix, French words, or the key itself. */
export function headingOf(key: string): string {
  const stem = key.replace(MONEY, '').replace(BASIS_POINTS, '');
  const word = HEADINGS[key] ?? HEADINGS[stem] ?? stem.replace(/_/g, ' ');
  return word.charAt(0).toUpperCase() + word.slice(1);
}

const text = (t: string): Shown => ({ kind: 'text', text: t });
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One value of the key `key`, as the page shows it. */
export function present(key: string, value: unknown, ctx: PresentContext): Shown {
  if (value === null || value === undefined || value === '') return text('—');
  if (typeof value === 'number' && MONEY.test(key)) return text(formatEuros(value));
  if (typeof value === 'number' && BASIS_POINTS.test(key)) return text(percent.format(value / 10_000));
  // The member's number (only the members table has a `number` column among the exported ones), as
  // the site writes it everywhere else: M000123.
  if (typeof value === 'number' && key === 'number') return text(memberNumber(value));
  if (typeof value === 'boolean') return text(value ? 'oui' : 'non');
  if (typeof value === 'string') {
    if (key === 'policyVersion') {
      const href = policyTextHref(value);
      if (href) return { kind: 'link', text: value, href };
    }
    if (key === 'action' && ctx.auditLabels[value]) return text(ctx.auditLabels[value]);
    const words = CODE_KEYS.has(key) ? codeInWords(value) : undefined;
    if (words) return text(words);
    if (COUNTRY_KEYS.has(key)) return text(countryName(value));
    if (PHONE_KEYS.has(key)) return text(formatPhone(value));
    if (key === 'kind' && ctx.jobLabels[value]) return text(ctx.jobLabels[value]);
    if (ISO.test(value)) return text(formatDateTime(value));
    return text(value);
  }
  if (Array.isArray(value)) {
    if (!value.length) return text('—');
    if (value.every(isRecord)) return rows(value, ctx);
    return { kind: 'list', items: value.map((v) => present(key, v, ctx)) };
  }
  if (isRecord(value)) return { kind: 'fields', fields: Object.entries(value).map(([k, v]) => ({ heading: headingOf(k), value: present(k, v, ctx) })) };
  return text(String(value));
}

/**
 * Rows of objects: a table of their columns (every key any row has, in order), or, when a row holds
 * a list of its own (an order's lines) or an object with a long text (a queued e-mail's content),
 * one block per row with its fields, the nested values inside: such a cell in a table is a narrow
 * column thousands of pixels tall. A short object (a coupon's batch) stays in its cell.
 */
function rows(list: Record<string, unknown>[], ctx: PresentContext): Shown {
  const keys = [...new Set(list.flatMap((r) => Object.keys(r)))].filter((k) => {
    const of = REPEATS[k];
    return !(of && list.every((r) => of in r && present(k, r[k], ctx).kind === 'text' && sameText(present(k, r[k], ctx), present(of, r[of], ctx))));
  });
  if (list.some((r) => keys.some((k) => Array.isArray(r[k]) || (isRecord(r[k]) && holdsLongText(r[k]))))) {
    return { kind: 'records', records: list.map((r) => keys.map((k) => ({ heading: headingOf(k), value: present(k, r[k], ctx) }))) };
  }
  return { kind: 'table', headings: keys.map(headingOf), rows: list.map((r) => keys.map((k) => present(k, r[k], ctx))) };
}

/** A text too long for a table cell, at any depth of an object. */
const holdsLongText = (v: unknown): boolean => (typeof v === 'string' ? v.length > 120 : isRecord(v) && Object.values(v).some(holdsLongText));

const sameText = (a: Shown, b: Shown) => a.kind === 'text' && b.kind === 'text' && a.text === b.text;
