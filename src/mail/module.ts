// E-mail: the outgoing-mail job, and (without SMTP) the development mailbox for staff: the copies
// (links masked, see mask.ts) of the e-mails the site keeps; every view of one is audited.
import { Router } from 'express';
import { z } from 'zod';
import { defineJob } from '../core/module.ts';
import type { DomainModule } from '../core/module.ts';
import { mailboxPage, readMessage } from './service.ts';
import { pageHref, parseCursor, uuidId } from '../core/keyset.ts';
import { removeEml } from './eml.ts';
import { maskSecrets } from './mask.ts';
import { isActiveMember } from '../accounts/service.ts';

const EmailPayload = z.object({ to: z.string(), subject: z.string(), text: z.string(), memberId: z.string().nullable().optional() });

export const mailModule: DomainModule = {
  name: 'mail',
  routes: {
    staff: (deps) =>
      Router()
        .get('/courriels', async (req, res) => {
          const page = { title: 'Courriels envoyés', mailerKind: deps.mailer.kind };
          const { avant, apres } = req.query;
          const raw = avant ?? apres;
          const cursor = raw === undefined ? undefined : avant !== undefined && apres !== undefined ? null : parseCursor(raw, uuidId);
          if (cursor === null) {
            // A malformed page link: said on the page (nothing listed, nothing audited), never a 500.
            res.status(422);
            return res.page('mail/mailbox', { ...page, messages: [], prevHref: null, nextHref: null, badPage: true });
          }
          const r = await mailboxPage(deps, req.member!.id, apres !== undefined ? 'newer' : 'older', cursor, raw as string | undefined);
          res.page('mail/mailbox', {
            ...page,
            messages: r.rows,
            prevHref: r.newer ? pageHref('/gestion/courriels', {}, { apres: r.newer }) : null,
            nextHref: r.older ? pageHref('/gestion/courriels', {}, { avant: r.older }) : null,
            badPage: false,
          });
        })
        .get('/courriels/:id', async (req, res) => {
          const message = await readMessage(deps, req.member!.id, String(req.params.id));
          res.page('mail/message', { title: message.subject, message });
        }),
  },
  jobs: {
    email: defineJob('Envoi de courriel', EmailPayload, async (deps, mail) => {
      // A member erased after the mail was queued gets nothing, and nothing is kept.
      if (mail.memberId && !(await isActiveMember(deps, mail.memberId))) return;
      await deps.mailer.send(mail);
    }, { exportPayload: (mail) => ({ destinataire: mail.to, objet: mail.subject, texte: maskSecrets(mail.text) }) }),
  },
  erasure: {
    // The development mailbox's files hold the whole message: those of the member's kept copies,
    // and of any copy sent to their address without their id, go with the copies.
    before: async (tx, { deps, memberId }) => {
      const rows = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "MailMessage"
        WHERE "memberId" = ${memberId}::uuid OR lower("to") = (SELECT lower(email) FROM "Member" WHERE id = ${memberId}::uuid)`;
      await tx.$executeRaw`
        DELETE FROM "MailMessage" WHERE "memberId" IS NULL AND lower("to") = (SELECT lower(email) FROM "Member" WHERE id = ${memberId}::uuid)`;
      if (deps.mailer.dir) await removeEml(deps.mailer.dir, rows.map((r) => r.id));
    },
  },
  classification: {
    MailMessage: {
      owner: 'memberId',
      onErase: 'delete',
      fields: { id: 'operational', to: 'personal', subject: 'operational', text: 'personal', memberId: 'pseudonymous-id', createdAt: 'operational' },
    },
  },
  exports: [
    {
      key: 'courriels',
      title: 'Courriels conservés',
      description: 'Sans serveur d’envoi configuré, le site garde ses courriels 30 jours au lieu de les envoyer ; les voici.',
      table: 'MailMessage',
      orderBy: ['createdAt', 'id'],
    },
  ],
  nav: [{ area: 'staff', href: '/gestion/courriels', label: 'Courriels', hint: 'Les courriels gardés par le site quand aucun serveur SMTP n’est configuré.' }],
};
