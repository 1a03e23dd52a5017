// The development mailbox: e-mails kept by the site when no SMTP server is configured.
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../core/errors.ts';
import { audit } from '../audit/service.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import { cursorOf, keysetOrder, keysetPage, keysetWhere } from '../core/keyset.ts';
import type { Cursor, Direction, KeysetPage } from '../core/keyset.ts';

/** Messages per page of the mailbox. */
export const MAILBOX_PAGE_SIZE = 50;

type MessageRow = Awaited<ReturnType<Deps['db']['mailMessage']['findMany']>>[number];

/**
 * One page of the kept messages, newest first, by keyset on (createdAt, id) after `cursor` in `dir`
 * (none: the newest): at most MAILBOX_PAGE_SIZE + 1 rows read through the (createdAt, id) index.
 * Their recipients are personal data: the listing is audited, with the number of messages shown.
 */
export async function mailboxPage(deps: Deps, staffId: string, dir: Direction = 'older', cursor?: Cursor<string>, raw?: string): Promise<KeysetPage<MessageRow>> {
  const rows = await deps.db.mailMessage.findMany({
    where: cursor ? (keysetWhere('createdAt', cursor, dir) as Prisma.MailMessageWhereInput) : {},
    orderBy: keysetOrder('createdAt', dir) as Prisma.MailMessageOrderByWithRelationInput[],
    take: MAILBOX_PAGE_SIZE + 1,
  });
  const page = keysetPage(rows, MAILBOX_PAGE_SIZE, dir, raw, (m) => cursorOf(m.createdAt, m.id));
  // Back past the first page's start: the first page.
  if (!page) return mailboxPage(deps, staffId);
  await audit(deps.db, 'personal-data.viewed', { at: deps.clock.now(), actor: staffId, details: { what: 'mailbox', hits: page.rows.length } });
  return page;
}

/** One kept message, for a staff member: the reading is audited (it holds personal data). */
export async function readMessage(deps: Deps, staffId: string, id: string) {
  const message = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? await deps.db.mailMessage.findUnique({ where: { id } }) : null;
  if (!message) throw new NotFoundError('Ce courriel n’existe pas (ou a été effacé).');
  await audit(deps.db, 'personal-data.viewed', { at: deps.clock.now(), actor: staffId, subject: message.memberId, details: { what: 'mail', id } });
  return message;
}
