// The development mailbox: the copies (links masked, see mask.ts) of the e-mails the site keeps when
// no SMTP server is configured. Staff only, and every view of a message (personal data) is audited.
import { Router } from 'express';
import type { Deps } from '../deps.ts';
import { requireArea } from '../http/auth.ts';
import { NotFoundError } from '../http/errors.ts';
import { audit } from '../privacy/audit.ts';

export function mailboxRoutes(deps: Deps): Router {
  const r = Router();
  const staff = requireArea('staff');
  r.get('/gestion/courriels', staff, async (_req, res) => {
    const messages = await deps.db.mailMessage.findMany({ orderBy: { createdAt: 'desc' }, take: 100 });
    res.page('mail/mailbox', { title: 'Courriels envoyés', messages, mailerKind: deps.mailer.kind });
  });
  r.get('/gestion/courriels/:id', staff, async (req, res) => {
    const id = String(req.params.id);
    const message = /^[0-9a-f-]{36}$/.test(id) ? await deps.db.mailMessage.findUnique({ where: { id } }) : null;
    if (!message) throw new NotFoundError('Ce courriel n’existe pas (ou a été effacé).');
    await audit(deps.db, 'personal-data.viewed', { actor: req.member!.id, subject: message.memberId, details: { what: 'mail', id } });
    res.page('mail/message', { title: message.subject, message });
  });
  return r;
}
