// The audit log of security-relevant events: ids only, never personal data. Each domain writes
// only the actions it declares (with their French labels) in its module. The journal is kept when a
// member is erased, so `details` carries identifiers and codes, never free text typed about a person
// (a cancellation or replacement reason stays in its own, erasable row) — decision 0077.
import type { Db } from '../db/connect.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { Deps } from '../deps.ts';
import { formatEuros } from '../core/money.ts';

export interface AuditEntry {
  at: Date;
  actor?: string | null;
  subject?: string | null;
  details?: Prisma.InputJsonValue;
}

type AuditDb = Pick<Db, 'auditEvent'>;

/** An audit writer restricted to the actions of one label map: `auditWith(LABELS)(tx, 'x.y', …)`. */
export function auditWith<L extends Record<string, string>>(_labels: L) {
  return async (db: AuditDb, action: keyof L & string, e: AuditEntry): Promise<void> => {
    await db.auditEvent.create({
      data: { at: e.at, action, actorMemberId: e.actor ?? null, subjectMemberId: e.subject ?? null, details: e.details },
    });
  };
}

/** Actions shared by every domain. */
export const AUDIT_LABELS = {
  'personal-data.viewed': 'Données personnelles consultées',
} as const;
export const audit = auditWith(AUDIT_LABELS);

export const ROLE_LABELS: Record<string, string> = { MEMBER: 'Membre', STAFF: 'Équipe', ACCOUNTANT: 'Comptable', ADMIN: 'Administrateur' };

const DETAIL_LABELS: Record<string, string> = {
  what: 'objet', hits: 'résultats', id: 'référence', batchId: 'lot', quantity: 'quantité', count: 'nombre',
  from: 'ancien rôle', to: 'nouveau rôle', amountCents: 'montant', reason: 'motif', requestRef: 'demande écrite',
  rank: 'rang', promotedRank: 'rang du suppléant promu',
};
const VALUE_LABELS: Record<string, string> = {
  'member-search': 'recherche de compte', member: 'fiche d’un membre', mail: 'courriel conservé', mailbox: 'liste des courriels',
  self: 'à sa demande', 'admin-request': 'sur demande écrite', 'retention-unconfirmed': 'adresse jamais confirmée',
  'retention-inactive': 'inactivité', 'ref-removed': 'référence retirée (elle pouvait contenir un nom)', ...ROLE_LABELS,
};

/**
 * The details of an event in French, e.g. "montant : 4,00 € · motif : à sa demande". `labels`: the
 * modules' names for their own keys (DomainModule.auditDetails), on top of the shared ones.
 */
export function describeDetails(details: unknown, labels: Record<string, string> = {}): string {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details as Record<string, unknown>)
    .map(([k, v]) => {
      const value = k === 'amountCents' && typeof v === 'number' ? formatEuros(v) : typeof v === 'string' ? (VALUE_LABELS[v] ?? v) : JSON.stringify(v);
      return `${labels[k] ?? DETAIL_LABELS[k] ?? k} : ${value}`;
    })
    .join(' · ');
}

export async function recentEvents(deps: Deps, take = 200) {
  const events = await deps.db.auditEvent.findMany({ orderBy: { id: 'desc' }, take });
  const ids = [...new Set(events.flatMap((e) => [e.actorMemberId, e.subjectMemberId]).filter((x): x is string => !!x))];
  const numbers = new Map(
    (await deps.db.member.findMany({ where: { id: { in: ids } }, select: { id: true, number: true } })).map((m) => [m.id, m.number]),
  );
  return events.map((e) => ({
    at: e.at,
    action: e.action,
    label: deps.registry.auditLabels[e.action] ?? e.action,
    actorNumber: e.actorMemberId ? numbers.get(e.actorMemberId) : undefined,
    subjectNumber: e.subjectMemberId ? numbers.get(e.subjectMemberId) : undefined,
    details: describeDetails(e.details, deps.registry.auditDetailLabels),
  }));
}

/** The events about a member, for their export: whether staff acted, never which staff member. */
export async function eventsAbout(deps: Deps, memberId: string, limit?: number) {
  const rows = await deps.db.auditEvent.findMany({ where: { subjectMemberId: memberId }, orderBy: { id: 'asc' }, ...(limit !== undefined ? { take: limit } : {}) });
  return rows.map((e) => ({
    date: e.at.toISOString(),
    action: e.action,
    libelle: deps.registry.auditLabels[e.action] ?? e.action,
    par: e.actorMemberId === null ? null : e.actorMemberId === memberId ? 'vous' : 'l’équipe du club',
  }));
}
