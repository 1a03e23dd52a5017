// The Mailchimp sync. Mailchimp gets the member's address and newsletter status, nothing else (no
// names, no link holding the member's id: decision 0076). Each change of either queues a numbered
// job in the outbox, in the transaction of the change; the jobs of one member run in order
// (defineJob's orderedPerMember). The NewsletterSync row tracks the address Mailchimp holds once the
// queue has run (remoteHash), every address sent there (knownHashes, all deleted on erasure), the
// last number queued and the last one applied, and the last error.
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { Tx } from '../core/module.ts';
import { enqueue } from '../jobs/queue.ts';
import { PermanentJobError, RetryAtError, scrubError } from '../jobs/worker.ts';
import { MailchimpError, mailchimpOf, subscriberHash } from './mailchimp.ts';
import type { ListMember, MailchimpApi } from './mailchimp.ts';

export const SYNC_JOB = 'newsletter.sync';
export const FORGET_JOB = 'newsletter.forget';

/** Jobs queued before decision 0076 also carry firstName and lastName: parsing drops them. */
export const SyncPayload = z.object({
  memberId: z.uuid(),
  version: z.number().int().positive(),
  status: z.enum(['subscribed', 'unsubscribed']),
  email: z.string().min(3),
  /** The hash of the address Mailchimp held before this change (an e-mail change). */
  previousHash: z.string().regex(/^[0-9a-f]{32}$/).optional(),
});
export type SyncPayload = z.infer<typeof SyncPayload>;

/** Only subscriber hashes: the job outlives the erased member's row and must not hold the address. */
export const ForgetPayload = z.object({ hashes: z.array(z.string().regex(/^[0-9a-f]{32}$/)).min(1) });
export type ForgetPayload = z.infer<typeof ForgetPayload>;

/**
 * Queues what Mailchimp must now hold about the member, after a change written in `tx`. A member is
 * subscribed at Mailchimp when they opted in and their address is confirmed; a member Mailchimp
 * never knew is not sent there to be unsubscribed. Without Mailchimp configured nothing is queued:
 * the first run with it queues everyone who opted in (queueInitialSync).
 */
export async function queueSync(tx: Tx, deps: Pick<Deps, 'config'>, memberId: string, now: Date): Promise<boolean> {
  if (!deps.config.mailchimp) return false;
  const m = await tx.member.findUnique({
    where: { id: memberId },
    select: { email: true, newsletterOptIn: true, emailConfirmedAt: true, erasedAt: true },
  });
  if (!m || m.erasedAt || !m.email) return false;
  const row = await tx.newsletterSync.findUnique({ where: { memberId } });
  const status = m.newsletterOptIn && m.emailConfirmedAt ? 'subscribed' : 'unsubscribed';
  if (status === 'unsubscribed' && !row?.remoteHash) return false;
  const hash = subscriberHash(m.email);
  const version = (row?.queued ?? 0) + 1;
  const payload: SyncPayload = {
    memberId,
    version,
    status,
    email: m.email,
    ...(row?.remoteHash && row.remoteHash !== hash ? { previousHash: row.remoteHash } : {}),
  };
  // Every address sent is kept until erasure: the contact it names may outlive a later change
  // (left unsubscribed when the new address was already a contact, or the change never ran).
  const knownHashes = [...new Set([...(row?.knownHashes ?? []), ...(row?.remoteHash ? [row.remoteHash] : []), hash])];
  await tx.newsletterSync.upsert({
    where: { memberId },
    create: { memberId, remoteHash: hash, knownHashes, queued: version, updatedAt: now },
    update: { remoteHash: hash, knownHashes, queued: version, updatedAt: now },
  });
  await enqueue(tx, { kind: SYNC_JOB, payload, memberId, at: now, maxAttempts: 12 });
  return true;
}

/** Queues a sync for every member who opted in and was never synced (first run, or "resync all" with all=true). */
export async function queueInitialSync(deps: Deps, opts: { all?: boolean } = {}): Promise<number> {
  if (!deps.config.mailchimp) return 0;
  const now = deps.clock.now();
  let n = 0;
  let cursor: string | undefined;
  for (;;) {
    const batch = await deps.db.member.findMany({
      where: {
        erasedAt: null,
        ...(opts.all ? { OR: [{ newsletterOptIn: true }, { id: { in: await knownIds(deps) } }] } : { newsletterOptIn: true }),
        ...(cursor ? { id: { gt: cursor } } : {}),
      },
      select: { id: true },
      orderBy: { id: 'asc' },
      take: 200,
    });
    if (!batch.length) return n;
    for (const { id } of batch) {
      const done = await deps.db.$transaction(async (tx) => {
        // The member's lock, as every writer of their rows: nothing queued after an erasure.
        const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Member" WHERE id = ${id}::uuid AND "erasedAt" IS NULL FOR UPDATE`;
        if (!locked.length) return false;
        if (!opts.all && (await tx.newsletterSync.findUnique({ where: { memberId: id } }))) return false;
        return queueSync(tx, deps, id, now);
      });
      if (done) n++;
    }
    cursor = batch[batch.length - 1].id;
  }
}

async function knownIds(deps: Deps): Promise<string[]> {
  return (await deps.db.newsletterSync.findMany({ where: { remoteHash: { not: null } }, select: { memberId: true } })).map((r) => r.memberId);
}

/**
 * In the erasure transaction: the permanent delete of every contact Mailchimp may hold for the
 * member: each address the site ever sent it (knownHashes), the one it holds now, the current one.
 * The sync row and its hashes go with the erasure; the job keeps them until it is done (the worker
 * then empties its payload).
 */
export async function queueForget(tx: Tx, deps: Pick<Deps, 'config'>, memberId: string, now: Date): Promise<void> {
  const row = await tx.newsletterSync.findUnique({ where: { memberId } });
  const m = await tx.member.findUnique({ where: { id: memberId }, select: { email: true } });
  const hashes = [...new Set([...(row?.knownHashes ?? []), row?.remoteHash, m?.email ? subscriberHash(m.email) : null].filter((h): h is string => !!h))];
  // A member Mailchimp never knew has nothing there to delete: no sync was ever queued, so no row.
  // One it knew is forgotten even if this process has no Mailchimp configuration (the key removed
  // since, or missing on one instance): the job waits for a worker that has it, retried for days,
  // then dead and shown to admins.
  if (!row || !hashes.length) return;
  // No memberId: the eraser deletes the member's jobs, and this one must outlive it (days of retries).
  await enqueue(tx, { kind: FORGET_JOB, payload: { hashes }, at: now, maxAttempts: 30 });
}

function asJobError(err: unknown, now: Date): unknown {
  if (!(err instanceof MailchimpError)) return err;
  if (err.status === 429) return new RetryAtError(new Date(now.getTime() + Math.max(1, err.retryAfter ?? 60) * 1000), err.message);
  if (err.permanent) return new PermanentJobError(err.message);
  return err;
}

async function recordError(deps: Deps, memberId: string, err: unknown): Promise<void> {
  await deps.db.newsletterSync.updateMany({ where: { memberId }, data: { lastError: scrubError(err), lastErrorAt: deps.clock.now() } });
}

/** The merge fields the site sent before decision 0076: the names, and a link holding the member's id. */
const LEGACY_FIELDS = ['FNAME', 'LNAME', 'UNSUBURL'];

/** Empties the legacy merge fields a contact still carries (one more request, for those contacts only). */
async function clearLegacyFields(api: MailchimpApi, hash: string, contact: ListMember | null): Promise<ListMember | null> {
  const kept = LEGACY_FIELDS.filter((f) => contact?.merge_fields?.[f]);
  if (!contact || !kept.length) return contact;
  return api.updateMember(hash, { merge_fields: Object.fromEntries(kept.map((f) => [f, ''])) });
}

export async function runSync(deps: Deps, p: SyncPayload): Promise<void> {
  const api = mailchimpOf(deps.config);
  if (!api) throw new Error('Mailchimp n’est pas configuré (MAILCHIMP_API_KEY)');
  const hash = subscriberHash(p.email);
  let result: ListMember | null;
  let action: string;
  try {
    if (p.previousHash) {
      try {
        await api.updateMember(p.previousHash, { email_address: p.email });
      } catch (err) {
        // The new address is already a contact: the old one is unsubscribed, the new one updated below.
        if (!(err instanceof MailchimpError) || err.status !== 400) throw err;
        await clearLegacyFields(api, p.previousHash, await api.updateMember(p.previousHash, { status: 'unsubscribed' }));
      }
    }
    if (p.status === 'subscribed') {
      // The address and the status only: no merge fields.
      result = await clearLegacyFields(api, hash, await api.setMember(hash, { email_address: p.email, status_if_new: 'subscribed', status: 'subscribed' }));
      action = p.previousHash ? 'address-change' : p.version === 1 ? 'address-subscribe' : 'address-update';
    } else {
      result = await clearLegacyFields(api, hash, await api.updateMember(hash, { status: 'unsubscribed' }));
      action = 'unsubscribe';
    }
  } catch (err) {
    await recordError(deps, p.memberId, err);
    throw asJobError(err, deps.clock.now());
  }
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    const live = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "Member" WHERE id = ${p.memberId}::uuid AND "erasedAt" IS NULL FOR UPDATE`;
    if (!live.length) return;
    await tx.newsletterSync.updateMany({
      where: { memberId: p.memberId },
      data: { applied: p.version, lastSyncAt: now, remoteStatus: result?.status ?? 'unsubscribed', lastError: null, lastErrorAt: null },
    });
    if (result) await tx.newsletterHandover.create({ data: { memberId: p.memberId, at: now, action } });
  });
}

export async function runForget(deps: Deps, p: ForgetPayload): Promise<void> {
  const api = mailchimpOf(deps.config);
  if (!api) throw new Error('Mailchimp n’est pas configuré (MAILCHIMP_API_KEY)');
  try {
    for (const h of p.hashes) await api.deletePermanent(h);
  } catch (err) {
    throw asJobError(err, deps.clock.now());
  }
}
