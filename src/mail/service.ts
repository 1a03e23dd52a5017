// The development mailbox: e-mails kept by the site when no SMTP server is configured.
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../core/errors.ts';
import { audit } from '../audit/service.ts';

/** The latest kept messages (their recipients are personal data: the listing is audited). */
export async function recentMessages(deps: Deps, staffId: string) {
  const messages = await deps.db.mailMessage.findMany({ orderBy: { createdAt: 'desc' }, take: 100 });
  await audit(deps.db, 'personal-data.viewed', { at: deps.clock.now(), actor: staffId, details: { what: 'mailbox', hits: messages.length } });
  return messages;
}

/** One kept message, for a staff member: the reading is audited (it holds personal data). */
export async function readMessage(deps: Deps, staffId: string, id: string) {
  const message = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? await deps.db.mailMessage.findUnique({ where: { id } }) : null;
  if (!message) throw new NotFoundError('Ce courriel n’existe pas (ou a été effacé).');
  await audit(deps.db, 'personal-data.viewed', { at: deps.clock.now(), actor: staffId, subject: message.memberId, details: { what: 'mail', id } });
  return message;
}
