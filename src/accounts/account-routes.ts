// The member's own pages: details, e-mail and password changes, data download, deletion.
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Deps } from '../deps.ts';
import type { Member } from '../generated/prisma/client.ts';
import { requireArea } from '../http/auth.ts';
import { fieldErrors, keepValues } from '../http/forms.ts';
import type { FieldErrors } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { AppError } from '../http/errors.ts';
import { ChangeEmailSchema, ChangePasswordSchema, ContactSchema, COUNTRIES, DeleteSchema, NewsletterSchema } from './schema.ts';
import { changePassword, checkPassword, requestEmailChange, resendConfirmation, setNewsletter, updateContact } from './service.ts';
import { exportMemberData } from '../privacy/export.ts';
import { eraseMember } from '../privacy/eraser.ts';
import { balanceOf } from '../credit/ledger.ts';
import { memberNumber } from '../http/view-helpers.ts';

const contactValues = (m: Member): Record<string, string> => ({
  firstName: m.firstName ?? '',
  lastName: m.lastName ?? '',
  addressLine1: m.addressLine1 ?? '',
  addressLine2: m.addressLine2 ?? '',
  postcode: m.postcode ?? '',
  city: m.city ?? '',
  country: m.country ?? 'FR',
  phone: m.phone ?? '',
});

interface Forms {
  contact?: { values: Record<string, string>; errors: FieldErrors };
  email?: { values: Record<string, string>; errors: FieldErrors };
  password?: { errors: FieldErrors };
  newsletter?: { errors: FieldErrors };
}

export function memberAccountRoutes(deps: Deps): Router {
  const r = Router();
  const member = requireArea('member');

  const accountPage = async (req: Request, res: Response, forms: Forms = {}) => {
    const m = req.member!;
    res.page('accounts/account', {
      title: 'Mon compte',
      m,
      number: memberNumber(m.number),
      balanceCents: await balanceOf(deps.db, m.id),
      countries: COUNTRIES,
      contact: forms.contact ?? { values: contactValues(m), errors: {} },
      email: forms.email ?? { values: {}, errors: {} },
      password: forms.password ?? { errors: {} },
      news: forms.newsletter ?? { errors: {} },
    });
  };

  r.get('/compte', member, (req, res) => accountPage(req, res));

  r.post('/compte', member, async (req, res) => {
    const parsed = ContactSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(422);
      return accountPage(req, res, { contact: { values: keepValues(req.body), errors: fieldErrors(parsed.error) } });
    }
    await updateContact(deps, req.member!.id, parsed.data);
    flash(req, 'success', 'Vos coordonnées ont été enregistrées.');
    res.redirect(303, '/compte');
  });

  r.post('/compte/email', member, async (req, res) => {
    const parsed = ChangeEmailSchema.safeParse(req.body);
    const fail = (errors: FieldErrors) => {
      res.status(422);
      return accountPage(req, res, { email: { values: keepValues(req.body), errors } });
    };
    if (!parsed.success) return fail(fieldErrors(parsed.error));
    try {
      await requestEmailChange(deps, req.member!, parsed.data.email, parsed.data.currentPassword);
    } catch (err) {
      if (err instanceof AppError) return fail({ currentPassword: err.message });
      throw err;
    }
    flash(req, 'info', 'Un lien de confirmation a été envoyé à la nouvelle adresse. Elle remplacera l’actuelle une fois confirmée.');
    res.redirect(303, '/compte');
  });

  r.post('/compte/mot-de-passe', member, async (req, res) => {
    const parsed = ChangePasswordSchema.safeParse(req.body);
    const fail = (errors: FieldErrors) => {
      res.status(422);
      return accountPage(req, res, { password: { errors } });
    };
    if (!parsed.success) return fail(fieldErrors(parsed.error));
    try {
      await changePassword(deps, req.member!, parsed.data.currentPassword, parsed.data.password, req.sessionID);
    } catch (err) {
      if (err instanceof AppError) return fail({ currentPassword: err.message });
      throw err;
    }
    // A privilege-relevant change: the session id is renewed too.
    const memberId = req.member!.id;
    await new Promise<void>((resolve, reject) => req.session.regenerate((e) => (e ? reject(e) : resolve())));
    req.session.memberId = memberId;
    req.session.authAt = Date.now();
    flash(req, 'success', 'Votre mot de passe a été modifié ; vos autres sessions ont été fermées.');
    res.redirect(303, '/compte');
  });

  // A refused form leaves its POST address in the address bar: opening it again leads back.
  r.get(['/compte/email', '/compte/mot-de-passe', '/compte/lettre', '/compte/confirmation'], member, (_req, res) => res.redirect(303, '/compte'));

  r.post('/compte/lettre', member, async (req, res) => {
    const parsed = NewsletterSchema.safeParse(req.body);
    if (!parsed.success) return accountPage(req, res.status(422), { newsletter: { errors: fieldErrors(parsed.error) } });
    const { newsletter } = parsed.data;
    await setNewsletter(deps, req.member!, newsletter);
    flash(req, 'success', newsletter ? 'Vous êtes inscrit à la lettre d’information.' : 'Vous êtes désinscrit de la lettre d’information.');
    res.redirect(303, '/compte');
  });

  r.post('/compte/confirmation', member, async (req, res) => {
    try {
      await resendConfirmation(deps, req.member!);
      flash(req, 'info', 'Un nouveau lien de confirmation vous a été envoyé.');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, '/compte');
  });

  r.get('/compte/donnees', member, async (req, res) => {
    const data = await exportMemberData(deps, req.member!.id);
    const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris' }).format(deps.clock.now());
    res.setHeader('Content-Disposition', `attachment; filename="mes-donnees-${memberNumber(req.member!.number)}-${day}.json"`);
    res.setHeader('Cache-Control', 'no-store');
    res.type('application/json').send(JSON.stringify(data, null, 2));
  });

  const deletePage = async (req: Request, res: Response, errors: FieldErrors = {}) =>
    res.page('accounts/delete', {
      title: 'Supprimer mon compte',
      number: memberNumber(req.member!.number),
      balanceCents: await balanceOf(deps.db, req.member!.id),
      errors,
    });

  r.get('/compte/suppression', member, (req, res) => deletePage(req, res));

  r.post('/compte/suppression', member, async (req, res) => {
    const parsed = DeleteSchema.safeParse(req.body);
    if (!parsed.success) return deletePage(req, res.status(422), fieldErrors(parsed.error));
    const m = req.member!;
    try {
      await checkPassword(deps, m, parsed.data.currentPassword);
    } catch (err) {
      if (err instanceof AppError) return deletePage(req, res.status(422), { currentPassword: err.message });
      throw err;
    }
    const balance = await balanceOf(deps.db, m.id);
    if (balance > 0 && !parsed.data.confirmForfeit) {
      return deletePage(req, res.status(422), { confirmForfeit: 'Cochez la case pour confirmer que vous renoncez à votre crédit restant.' });
    }
    await eraseMember(deps, m.id, { reason: 'self', actorId: m.id });
    const number = memberNumber(m.number);
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.clearCookie('cps.sid', { httpOnly: true, sameSite: 'lax', secure: deps.config.isProduction });
    res.locals.member = null;
    res.page('accounts/deleted', { title: 'Compte supprimé', number });
  });

  return r;
}
