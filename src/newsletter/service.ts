// The newsletter consent: a member subscribes or unsubscribes; the consent record keeps the date
// it was given and withdrawn; the change is queued for Mailchimp in the same transaction. Changes
// made at Mailchimp come back through the webhook.
import type { Deps } from '../deps.ts';
import type { Member } from '../generated/prisma/client.ts';
import type { Tx } from '../core/module.ts';
import { recordConsent, withdrawConsent } from '../privacy/consents.ts';
import { codeInWords } from '../privacy/present.ts';
import { NotFoundError } from '../core/errors.ts';
import { auditWith } from '../audit/service.ts';
import { subscriberHash } from './mailchimp.ts';
import { FORGET_JOB, queueInitialSync, queueSync, SYNC_JOB } from './sync.ts';

export const NEWSLETTER_AUDIT = {
  'newsletter.unsubscribed-at-mailchimp': 'Désinscription reçue de Mailchimp',
  'newsletter.unsubscribed-by-link': 'Désinscription par le lien de la lettre',
  'newsletter.resync-all': 'Nouvelle synchronisation Mailchimp de tous les inscrits',
} as const;
const audit = auditWith(NEWSLETTER_AUDIT);

async function lockLive(tx: Tx, memberId: string): Promise<boolean> {
  const r = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Member" WHERE id = ${memberId}::uuid AND "erasedAt" IS NULL FOR UPDATE`;
  return r.length === 1;
}

export async function setNewsletter(deps: Deps, member: Pick<Member, 'id' | 'newsletterOptIn'>, on: boolean, via: 'account' | 'link' = 'account'): Promise<void> {
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    // Never on an erased account: a request that raced the erasure finds nothing to update.
    if (!(await lockLive(tx, member.id))) throw new NotFoundError('Ce compte n’existe plus.');
    const current = await tx.member.findUniqueOrThrow({ where: { id: member.id }, select: { newsletterOptIn: true } });
    if (current.newsletterOptIn === on) return;
    await tx.member.update({ where: { id: member.id }, data: { newsletterOptIn: on } });
    if (on) await recordConsent(tx, member.id, 'newsletter', now);
    else await withdrawConsent(tx, member.id, 'newsletter', now);
    if (via === 'link') await audit(tx, 'newsletter.unsubscribed-by-link', { at: now, actor: member.id, subject: member.id });
    await queueSync(tx, deps, member.id, now);
  });
}

/**
 * The hook the accounts domain calls in the transaction of a confirmed change of address: Mailchimp
 * gets the new address if it knows the member. Names are not sent there (decision 0076).
 */
export async function memberDetailsChanged(tx: Tx, deps: Pick<Deps, 'config'>, memberId: string, now: Date): Promise<void> {
  await queueSync(tx, deps, memberId, now);
}

export type NewsletterState = 'inscrit' | 'en attente de confirmation' | 'désinscrit';

export interface MemberNewsletter {
  state: NewsletterState;
  /** Mailchimp refused the address (cleaned) or an error is recorded. */
  note?: string;
  lastSyncAt: Date | null;
}

export async function memberNewsletter(deps: Deps, member: Pick<Member, 'id' | 'newsletterOptIn' | 'emailConfirmedAt'>): Promise<MemberNewsletter> {
  const row = await deps.db.newsletterSync.findUnique({ where: { memberId: member.id } });
  if (!member.newsletterOptIn) {
    return {
      state: 'désinscrit',
      lastSyncAt: row?.lastSyncAt ?? null,
      ...(row?.remoteStatus === 'cleaned' ? { note: 'Mailchimp n’a pas pu distribuer la lettre à votre adresse : elle a été retirée de la liste.' } : {}),
    };
  }
  const confirmed = !!member.emailConfirmedAt && !!row && row.applied >= row.queued && row.remoteStatus === 'subscribed';
  return {
    state: confirmed ? 'inscrit' : 'en attente de confirmation',
    lastSyncAt: row?.lastSyncAt ?? null,
    ...(!member.emailConfirmedAt ? { note: 'Confirmez votre adresse électronique : l’inscription sera transmise ensuite.' } : {}),
  };
}

export type WebhookType = 'subscribe' | 'unsubscribe' | 'cleaned' | 'profile' | 'upemail' | 'campaign';

async function findMemberByAddress(deps: Deps, email: string): Promise<string | null> {
  const hash = subscriberHash(email);
  const row = await deps.db.newsletterSync.findFirst({ where: { remoteHash: hash }, select: { memberId: true } });
  if (row) return row.memberId;
  const m = await deps.db.member.findFirst({ where: { email: email.trim().toLowerCase(), erasedAt: null }, select: { id: true } });
  return m?.id ?? null;
}

/**
 * A change made at Mailchimp (form-encoded fields `data[...]`). Nothing is queued back to Mailchimp:
 * it already holds the change. Returns what was done, for the log.
 */
export async function applyWebhook(deps: Deps, type: string, body: Record<string, unknown>): Promise<string> {
  const field = (k: string) => (typeof body[`data[${k}]`] === 'string' ? (body[`data[${k}]`] as string) : '');
  const listId = field('list_id');
  if (deps.config.mailchimp && listId && listId !== deps.config.mailchimp.listId) return 'other-list';
  const email = type === 'upemail' ? field('old_email') : field('email');
  if (!email) return 'no-address';
  const memberId = await findMemberByAddress(deps, email);
  if (!memberId) return 'unknown-member';
  const now = deps.clock.now();
  return deps.db.$transaction(async (tx) => {
    if (!(await lockLive(tx, memberId))) return 'erased';
    switch (type) {
      case 'unsubscribe':
      case 'cleaned': {
        const m = await tx.member.findUniqueOrThrow({ where: { id: memberId }, select: { newsletterOptIn: true } });
        if (m.newsletterOptIn) {
          await tx.member.update({ where: { id: memberId }, data: { newsletterOptIn: false } });
          await withdrawConsent(tx, memberId, 'newsletter', now);
          await audit(tx, 'newsletter.unsubscribed-at-mailchimp', { at: now, subject: memberId, details: { reason: type } });
        }
        await tx.newsletterSync.updateMany({ where: { memberId }, data: { remoteStatus: type === 'cleaned' ? 'cleaned' : 'unsubscribed', lastSyncAt: now, updatedAt: now } });
        return type;
      }
      case 'upemail': {
        // The site's address stays the account's address (it logs in with it); the next change
        // queued from the site addresses the contact under its new address and sets it back.
        // The contact's new address is one more that erasure must delete.
        const next = field('new_email');
        const row = next ? await tx.newsletterSync.findUnique({ where: { memberId }, select: { knownHashes: true } }) : null;
        if (next && row) {
          const hash = subscriberHash(next);
          await tx.newsletterSync.update({ where: { memberId }, data: { remoteHash: hash, knownHashes: [...new Set([...row.knownHashes, hash])], updatedAt: now } });
        }
        return 'upemail';
      }
      // 'profile' (the contact's preferences form at Mailchimp) among them: the site sends no names
      // there and takes none back; the account's names are changed on the site only.
      default:
        return 'ignored';
    }
  });
}

// ---- Admins ----

export async function newsletterOverview(deps: Deps, page: { errorsOnly?: boolean } = {}) {
  const [optedIn, known, pending, failing, subscribedRemote, rows, deadForget] = await Promise.all([
    // Kept by triggers on Member (migration 20261202130000): not a count over the members table.
    deps.db.newsletterOptInCount.findUnique({ where: { id: 1 } }).then((row) => row?.members ?? 0),
    deps.db.newsletterSync.count(),
    deps.db.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM "NewsletterSync" WHERE applied < queued`,
    deps.db.newsletterSync.count({ where: { lastError: { not: null } } }),
    deps.db.newsletterSync.count({ where: { remoteStatus: 'subscribed' } }),
    deps.db.newsletterSync.findMany({
      where: page.errorsOnly ? { lastError: { not: null } } : {},
      orderBy: [{ lastErrorAt: { sort: 'desc', nulls: 'last' } }, { updatedAt: 'desc' }],
      take: 100,
    }),
    // Through the (status, kind) index: this domain's abandoned jobs only, not every abandoned job.
    deps.db.job.count({ where: { status: 'DEAD', kind: { in: [SYNC_JOB, FORGET_JOB] } } }),
  ]);
  const members = await deps.db.member.findMany({
    where: { id: { in: rows.map((r) => r.memberId) } },
    select: { id: true, number: true, newsletterOptIn: true },
  });
  const byId = new Map(members.map((m) => [m.id, m]));
  return {
    configured: !!deps.config.mailchimp,
    counts: { optedIn, known, pending: pending[0].n, failing, subscribedRemote, deadJobs: deadForget },
    rows: rows.map((r) => ({
      ...r,
      number: byId.get(r.memberId)?.number ?? null,
      optIn: byId.get(r.memberId)?.newsletterOptIn ?? false,
      // Mailchimp's status in the words "Mes données" uses for it.
      remoteStatusText: r.remoteStatus ? (codeInWords(r.remoteStatus) ?? r.remoteStatus) : null,
    })),
  };
}

export async function resyncAll(deps: Deps, actorId: string): Promise<number> {
  const n = await queueInitialSync(deps, { all: true });
  await audit(deps.db, 'newsletter.resync-all', { at: deps.clock.now(), actor: actorId, details: { count: n } });
  return n;
}
