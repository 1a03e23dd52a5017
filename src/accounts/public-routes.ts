// Public account pages: registration, confirmation, login, logout, forgotten password, the
// confirmation of a deleted account.
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Deps } from '../deps.ts';
import { COUNTRIES, ForgotSchema, LoginSchema, RegisterSchema, ResetSchema } from './schema.ts';
import { formAction } from '../http/forms.ts';
import type { FormState } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { safeReturnPath } from '../http/auth.ts';
import { SESSION_COOKIE, startSession } from '../http/session.ts';
import { AppError } from '../core/errors.ts';
import { sourceOf } from '../core/rate-limit.ts';
import { grantLoginAfterReset, loginAfterResetOf } from './login-throttle.ts';
import { askPasswordReset, authenticate, confirmEmail, isResetTokenValid, resetPassword, signUp } from './service.ts';

/** Where each role lands after logging in: its own area. */
const HOME_OF = { MEMBER: '/compte', STAFF: '/gestion', ADMIN: '/gestion', ACCOUNTANT: '/comptabilite' } as const;

const ip = (req: Request) => sourceOf(req.ip);
const empty: FormState = { values: {}, errors: {} };

export function accountPublicRoutes(deps: Deps): Router {
  const r = Router();

  const registerForm = (res: Response, form: FormState = empty) => res.page('accounts/register', { title: 'Inscription', ...form, countries: COUNTRIES });
  r.get('/inscription', (req, res) => (req.member ? res.redirect(303, '/compte') : registerForm(res)));
  r.post(
    '/inscription',
    formAction({
      schema: RegisterSchema,
      render: (_req, res, form) => registerForm(res, form),
      run: (req, data) => signUp(deps, data, ip(req)),
      done: (_req, res) => res.redirect(303, '/inscription/verifiez-vos-courriels'),
    }),
  );
  // Where a member lands after deleting their account (member-routes.ts): nothing personal, no session.
  r.get('/compte-supprime', (_req, res) => res.page('accounts/deleted', { title: 'Compte supprimé' }));
  r.get('/inscription/verifiez-vos-courriels', (_req, res) => res.page('accounts/check-inbox', { title: 'Vérifiez vos courriels' }));

  const confirmPage = (res: Response, token: string, error?: string) => res.page('accounts/confirm', { title: 'Confirmer votre adresse', token, error });
  r.get('/inscription/confirmer', (req, res) => confirmPage(res, typeof req.query.jeton === 'string' ? req.query.jeton : ''));
  r.post('/inscription/confirmer', async (req, res) => {
    const token = typeof req.body?.jeton === 'string' ? req.body.jeton : '';
    let ok = false;
    try {
      ok = token.length > 10 && (await confirmEmail(deps, token));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return confirmPage(res.status(err.status), '', err.message);
    }
    if (!ok) return confirmPage(res.status(400), '', 'Ce lien n’est plus valable (déjà utilisé ou expiré). Connectez-vous pour en recevoir un nouveau.');
    flash(req, 'success', 'Votre adresse électronique est confirmée. Merci !');
    res.redirect(303, req.member ? '/compte' : '/connexion');
  });

  const loginForm = (req: Request, res: Response, form: FormState = empty) =>
    res.page('accounts/login', { title: 'Connexion', ...form, retour: safeReturnPath(req.method === 'GET' ? req.query.retour : req.body?.retour, '') });
  r.get('/connexion', (req, res) => (req.member ? res.redirect(303, '/compte') : loginForm(req, res)));
  r.post(
    '/connexion',
    formAction({
      schema: LoginSchema,
      render: loginForm,
      run: async (req, data) => {
        const member = await authenticate(deps, data.email, data.password, ip(req), loginAfterResetOf(req.session, deps.clock.now()));
        await startSession(req, member.id, deps.clock.now());
        return member;
      },
      done: (req, res, member) =>
        res.redirect(303, safeReturnPath(req.body?.retour, '') || HOME_OF[member.role]),
    }),
  );

  r.get('/deconnexion', (_req, res) => res.redirect(303, '/'));
  r.post('/deconnexion', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure: deps.config.isProduction });
      res.redirect(303, '/');
    });
  });

  const forgotForm = (res: Response, form: FormState = empty, sent = false) => res.page('accounts/forgot', { title: 'Mot de passe oublié', ...form, sent });
  r.get('/mot-de-passe-oublie', (_req, res) => forgotForm(res));
  r.post(
    '/mot-de-passe-oublie',
    formAction({
      schema: ForgotSchema,
      render: (_req, res, form) => forgotForm(res, form),
      run: (req, data) => askPasswordReset(deps, data.email, ip(req)),
      done: (_req, res) => forgotForm(res, empty, true),
    }),
  );

  const resetForm = (res: Response, token: string, errors: FormState['errors'] = {}, valid = true) =>
    res.page('accounts/reset', { title: 'Nouveau mot de passe', token, errors, valid });
  r.get('/mot-de-passe/reinitialiser', async (req, res) => {
    const token = typeof req.query.jeton === 'string' ? req.query.jeton : '';
    resetForm(res, token, {}, await isResetTokenValid(deps, token));
  });
  r.post(
    '/mot-de-passe/reinitialiser',
    formAction({
      schema: ResetSchema,
      render: (req, res, form) => resetForm(res, typeof req.body?.token === 'string' ? req.body.token : '', form.errors),
      run: (_req, data) => resetPassword(deps, data.token, data.password),
      done: (req, res, memberId) => {
        if (!memberId) return resetForm(res.status(400), '', {}, false);
        grantLoginAfterReset(req.session, memberId, deps.clock.now());
        flash(req, 'success', 'Votre mot de passe a été modifié. Vous pouvez vous connecter.');
        res.redirect(303, '/connexion');
      },
    }),
  );

  return r;
}
