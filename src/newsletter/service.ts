// The newsletter consent: a member subscribes or unsubscribes; the consent record keeps the date
// it was given and withdrawn.
import type { Deps } from '../deps.ts';
import type { Member } from '../generated/prisma/client.ts';
import { recordConsent, withdrawConsent } from '../privacy/consents.ts';

export async function setNewsletter(deps: Deps, member: Member, on: boolean): Promise<void> {
  if (member.newsletterOptIn === on) return;
  const now = deps.clock.now();
  await deps.db.$transaction(async (tx) => {
    await tx.member.update({ where: { id: member.id }, data: { newsletterOptIn: on } });
    if (on) await recordConsent(tx, member.id, 'newsletter', now);
    else await withdrawConsent(tx, member.id, 'newsletter', now);
  });
}
