// The newsletter consent: a member subscribes or unsubscribes; the consent record keeps the date
// it was given and withdrawn.
import type { Deps } from '../deps.ts';
import type { Member } from '../generated/prisma/client.ts';
import { recordConsent, withdrawConsent } from '../privacy/consents.ts';
import { NotFoundError } from '../core/errors.ts';

export async function setNewsletter(deps: Deps, member: Member, on: boolean): Promise<void> {
  if (member.newsletterOptIn === on) return;
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    // Never on an erased account: a request that raced the erasure finds nothing to update.
    const r = await tx.member.updateMany({ where: { id: member.id, erasedAt: null }, data: { newsletterOptIn: on } });
    if (r.count !== 1) throw new NotFoundError('Ce compte n’existe plus.');
    if (on) await recordConsent(tx, member.id, 'newsletter', now);
    else await withdrawConsent(tx, member.id, 'newsletter', now);
  });
}
