// The audit log of security-relevant events: ids only, never personal data. Each domain writes
// only the actions it declares (with their French labels) in its module. The journal is kept when a
// member is erased, so `details` carries identifiers and codes, never free text typed about a person
// (a cancellation or replacement reason stays in its own, erasable row) — decision 0077.
import type { Db } from '../db/connect.ts';
import { Prisma } from '../generated/prisma/client.ts';
import type { Deps } from '../deps.ts';
import { formatEuros } from '../core/money.ts';
import { cursorOf, keysetOrder, keysetPage, keysetWhere } from '../core/keyset.ts';
import { columnList, FIRST_ID, LAST_ID } from '../db/raw.ts';
import type { Cursor, Direction, KeysetPage } from '../core/keyset.ts';

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
 * The details of an event in French, e.g. "montant : 4,00 € · motif : à sa demande". `labels` and
 * `values`: the modules' words for their own keys and codes (DomainModule.auditDetails and
 * auditDetailValues), on top of the shared ones.
 */
export function describeDetails(details: unknown, labels: Record<string, string> = {}, values: Record<string, string> = {}): string {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details as Record<string, unknown>)
    .map(([k, v]) => {
      const value = k === 'amountCents' && typeof v === 'number' ? formatEuros(v) : typeof v === 'string' ? (values[v] ?? VALUE_LABELS[v] ?? v) : JSON.stringify(v);
      return `${labels[k] ?? DETAIL_LABELS[k] ?? k} : ${value}`;
    })
    .join(' · ');
}

/** Events per page of the journal. */
export const JOURNAL_PAGE_SIZE = 50;

export interface JournalFilter {
  action?: string;
  /** The member's id: the events they did (actor) or that concern them (subject). */
  memberId?: string;
  /** From this instant on (a Paris day's start). */
  from?: Date;
  /** Before this instant (the start of the Paris day after the last one). */
  until?: Date;
}

type EventRow = Awaited<ReturnType<Db['auditEvent']['findMany']>>[number];
const eventKey = (e: EventRow) => cursorOf(e.at, e.id);
/** (at, id) order, newest first. */
const newestFirst = (a: EventRow, b: EventRow) => (a.at.getTime() !== b.at.getTime() ? b.at.getTime() - a.at.getTime() : a.id > b.id ? -1 : a.id < b.id ? 1 : 0);

const EVENT_COLUMNS = columnList(Prisma.AuditEventScalarFieldEnum);
/** An instant as the column holds it: a timestamp without zone, in UTC. */
const utc = (d: Date) => Prisma.sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

/**
 * Up to `take` events of one member as actor or as subject, from `cursor` in `dir` (none: from the
 * newest), written as a range of the triple (member, at, id). Only the (member, at, id) index
 * returns that range in order, so PostgreSQL reads it there whatever its estimates. With
 * `member = $1 AND (at, id) < cursor` instead, it misjudged the rows left before the cursor and
 * read and sorted all of them: 4.7 ms for the statement (EXPLAIN ANALYZE), 6.1 ms for the page's
 * reading, in the middle of a member's 20,000 events among 1,020,000 (bench:large data on
 * PostgreSQL, 2026-12-04), growing with the member's events; 0.05 ms and 1.6 ms this way.
 */
function memberEvents(db: Db, column: 'actorMemberId' | 'subjectMemberId', memberId: string, f: JournalFilter, dir: Direction, cursor: Cursor<bigint> | undefined, take: number): Promise<EventRow[]> {
  const key = Prisma.raw(`("${column}", "at", "id")`);
  const at = (d: Date | 'infinity' | '-infinity') => (d instanceof Date ? utc(d) : Prisma.sql`${d}::timestamp`);
  const triple = (d: Date | 'infinity' | '-infinity', id: bigint) => Prisma.sql`(${memberId}::uuid, ${at(d)}, ${id}::bigint)`;
  // The dates are bounds of the same range (at >= from: from (from, the first id) on; at < until:
  // below (until, the first id)), so that the scan stops at them.
  // The cursor replaces the open end on its side: PostgreSQL starts the scan at one of two bounds
  // on the same side, and from the open one it read every event between the two.
  const lower: Prisma.Sql[] = [];
  const upper: Prisma.Sql[] = [];
  if (f.from) lower.push(Prisma.sql`${key} >= ${triple(f.from, FIRST_ID)}`);
  if (f.until) upper.push(Prisma.sql`${key} < ${triple(f.until, FIRST_ID)}`);
  if (cursor && dir === 'newer') lower.push(Prisma.sql`${key} > ${triple(cursor.at, cursor.id)}`);
  if (cursor && dir === 'older') upper.push(Prisma.sql`${key} < ${triple(cursor.at, cursor.id)}`);
  if (!lower.length) lower.push(Prisma.sql`${key} >= ${triple('-infinity', FIRST_ID)}`);
  if (!upper.length) upper.push(Prisma.sql`${key} <= ${triple('infinity', LAST_ID)}`);
  const where = [...lower, ...upper];
  if (f.action) where.push(Prisma.sql`"action" = ${f.action}`);
  const order = Prisma.raw(dir === 'older' ? `"${column}" DESC, "at" DESC, "id" DESC` : `"${column}", "at", "id"`);
  return db.$queryRaw<EventRow[]>`SELECT ${EVENT_COLUMNS} FROM "AuditEvent" WHERE ${Prisma.join(where, ' AND ')} ORDER BY ${order} LIMIT ${take}`;
}

/**
 * One page of the journal, newest first, by keyset on (at, id) after `cursor` in `dir` (none: the
 * newest events). Every query reads at most JOURNAL_PAGE_SIZE + 1 rows through an index: (at, id)
 * without a filter or with dates only, (action, at, id) by action; by member, one query on
 * (actorMemberId, at, id) and one on (subjectMemberId, at, id) (memberEvents), merged here (an OR
 * of the two in one query would sort every event of the member).
 */
export async function journalPage(deps: Deps, f: JournalFilter, dir: Direction = 'older', cursor?: Cursor<bigint>, raw?: string): Promise<KeysetPage<JournalEvent>> {
  const perPage = JOURNAL_PAGE_SIZE;
  const base: Prisma.AuditEventWhereInput[] = [];
  if (f.action) base.push({ action: f.action });
  if (f.from) base.push({ at: { gte: f.from } });
  if (f.until) base.push({ at: { lt: f.until } });
  if (cursor) base.push(keysetWhere('at', cursor, dir) as Prisma.AuditEventWhereInput);
  const fetch = (where: Prisma.AuditEventWhereInput[]) =>
    deps.db.auditEvent.findMany({ where: { AND: where }, orderBy: keysetOrder('at', dir) as Prisma.AuditEventOrderByWithRelationInput[], take: perPage + 1 });
  let rows: EventRow[];
  if (f.memberId) {
    const [asActor, asSubject] = await Promise.all([
      memberEvents(deps.db, 'actorMemberId', f.memberId, f, dir, cursor, perPage + 1),
      memberEvents(deps.db, 'subjectMemberId', f.memberId, f, dir, cursor, perPage + 1),
    ]);
    const byId = new Map([...asActor, ...asSubject].map((e) => [e.id, e]));
    rows = [...byId.values()].sort(newestFirst);
    if (dir === 'newer') rows.reverse();
    rows = rows.slice(0, perPage + 1);
  } else rows = await fetch(base);
  const page = keysetPage(rows, perPage, dir, raw, eventKey);
  // Back past the first page's start: the first page.
  if (!page) return journalPage(deps, f);
  return { ...page, rows: await shown(deps, page.rows) };
}

/** The last events written (by id), as the journal shows them: the tests' look at what just happened. */
export async function recentEvents(deps: Deps, take = JOURNAL_PAGE_SIZE) {
  return shown(deps, await deps.db.auditEvent.findMany({ orderBy: { id: 'desc' }, take }));
}

export type JournalEvent = Awaited<ReturnType<typeof shown>>[number];

/** Events as the journal shows them: French labels and member numbers. */
async function shown(deps: Deps, events: EventRow[]) {
  const ids = [...new Set(events.flatMap((e) => [e.actorMemberId, e.subjectMemberId]).filter((x): x is string => !!x))];
  const numbers = new Map(
    (await deps.db.member.findMany({ where: { id: { in: ids } }, select: { id: true, number: true } })).map((m) => [m.id, m.number]),
  );
  return events.map((e) => ({
    id: e.id,
    at: e.at,
    action: e.action,
    label: deps.registry.auditLabels[e.action] ?? e.action,
    actorNumber: e.actorMemberId ? numbers.get(e.actorMemberId) : undefined,
    subjectNumber: e.subjectMemberId ? numbers.get(e.subjectMemberId) : undefined,
    details: describeDetails(e.details, deps.registry.auditDetailLabels, deps.registry.auditDetailValues),
  }));
}

/**
 * The events about a member, for their export: whether staff acted, never which staff member.
 * Newest first: the last logins at the top of "Mes données" (which shows the first 100).
 */
export async function eventsAbout(deps: Deps, memberId: string, limit?: number) {
  const rows = await deps.db.auditEvent.findMany({ where: { subjectMemberId: memberId }, orderBy: [{ at: 'desc' }, { id: 'desc' }], ...(limit !== undefined ? { take: limit } : {}) });
  return rows.map((e) => ({
    date: e.at.toISOString(),
    action: e.action,
    libelle: deps.registry.auditLabels[e.action] ?? e.action,
    par: e.actorMemberId === null ? null : e.actorMemberId === memberId ? 'vous' : 'l’équipe du club',
  }));
}
