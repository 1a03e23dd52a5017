// The member's own pages under /compte: details, e-mail and password changes, deletion.
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Deps } from '../deps.ts';
import type { Member } from '../generated/prisma/client.ts';
import { formAction } from '../http/forms.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { endSession, SESSION_COOKIE, startSession } from '../http/session.ts';
import { AppError } from '../core/errors.ts';
import { memberNumber } from '../core/member-number.ts';
import { formatPhone } from '../core/display.ts';
import { ChangeEmailSchema, ChangePasswordSchema, ContactSchema, COUNTRIES, DeleteSchema } from './schema.ts';
import { changePassword, deleteOwnAccount, ownAccountDeletionVeto, requestEmailChange, resendConfirmation, updateContact } from './service.ts';
import { shownBalance } from '../credit/ledger.ts';

const contactValues = (m: Member): Record<string, string> => ({
  firstName: m.firstName ?? '',
  lastName: m.lastName ?? '',
  addressLine1: m.addressLine1 ?? '',
  addressLine2: m.addressLine2 ?? '',
  postcode: m.postcode ?? '',
  city: m.city ?? '',
  country: m.country ?? 'FR',
  // Shown in pairs when French (stored as digits; the schema takes the spaces out again).
  phone: formatPhone(m.phone),
});

interface Forms {
  contact?: FormState;
  email?: FormState;
  password?: FormState;
}

export function accountMemberRoutes(deps: Deps): Router {
  const r = Router();

  const accountPage = async (req: Request, res: Response, forms: Forms = {}) => {
    const m = req.member!;
    res.page('accounts/account', {
      title: 'Mon compte',
      m,
      number: memberNumber(m.number),
      balanceCents: await shownBalance(deps, req, m.id),
      countries: COUNTRIES,
      contact: forms.contact ?? { values: contactValues(m), errors: {} },
      email: forms.email ?? { values: {}, errors: {} },
      password: forms.password ?? { values: {}, errors: {} },
    });
  };

  r.get('/', (req, res) => accountPage(req, res));
  r.post(
    '/',
    formAction({
      schema: ContactSchema,
      render: (req, res, contact) => accountPage(req, res, { contact }),
      run: (req, data) => updateContact(deps, req.member!.id, data),
      done: (req, res) => {
        flash(req, 'success', 'Vos coordonnées ont été enregistrées.');
        res.redirect(303, '/compte');
      },
    }),
  );

  r.post(
    '/email',
    formAction({
      schema: ChangeEmailSchema,
      render: (req, res, email) => accountPage(req, res, { email }),
      run: (req, data) => requestEmailChange(deps, req.member!, data.email, data.currentPassword),
      done: (req, res) => {
        flash(req, 'info', 'Un lien de confirmation a été envoyé à la nouvelle adresse. Elle remplacera l’actuelle une fois confirmée.');
        res.redirect(303, '/compte');
      },
    }),
  );

  r.post(
    '/mot-de-passe',
    formAction({
      schema: ChangePasswordSchema,
      render: (req, res, password) => accountPage(req, res, { password }),
      run: async (req, data) => {
        await changePassword(deps, req.member!, data.currentPassword, data.password, req.sessionID);
        // A privilege-relevant change: the session id is renewed too.
        await startSession(req, req.member!.id, deps.clock.now());
      },
      done: (req, res) => {
        flash(req, 'success', 'Votre mot de passe a été modifié ; vos autres sessions ont été fermées.');
        res.redirect(303, '/compte');
      },
    }),
  );

  r.post('/confirmation', async (req, res) => {
    try {
      await resendConfirmation(deps, req.member!);
      flash(req, 'info', 'Un nouveau lien de confirmation vous a été envoyé.');
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      flash(req, 'error', err.message);
    }
    res.redirect(303, '/compte');
  });

  // A refused form leaves its POST address in the address bar: opening it again leads back.
  r.get(['/email', '/mot-de-passe', '/confirmation'], (_req, res) => res.redirect(303, '/compte'));

  const deletePage = async (req: Request, res: Response, form: FormState = { values: {}, errors: {} }) =>
    res.page('accounts/delete', {
      title: 'Supprimer mon compte',
      number: memberNumber(req.member!.number),
      balanceCents: await shownBalance(deps, req, req.member!.id),
      // Said before the password is asked for; the eraser checks again under the member's lock.
      veto: await ownAccountDeletionVeto(deps, req.member!.id),
      privacyEmail: deps.config.privacyEmail,
      errors: form.errors,
    });

  r.get('/suppression', (req, res) => deletePage(req, res));
  r.post(
    '/suppression',
    formAction({
      schema: DeleteSchema,
      render: deletePage,
      run: (req, data) => deleteOwnAccount(deps, req.member!, data.currentPassword, data.confirmForfeit),
      // Post/Redirect/Get: the confirmation is a public page, which a reload shows again.
      done: async (req, res) => {
        await endSession(req);
        res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: deps.config.isProduction });
        res.redirect(303, '/compte-supprime');
      },
    }),
  );

  return r;
}
