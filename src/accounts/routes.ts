// Public account pages: registration, confirmation, login, logout, forgotten password.
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Deps } from '../deps.ts';
import { COUNTRIES, ForgotSchema, LoginSchema, RegisterSchema, ResetSchema } from './schema.ts';
import { fieldErrors, keepValues } from '../http/forms.ts';
import type { FieldErrors } from '../http/forms.ts';
import { flash } from '../http/flash.ts';
import { AppError, TooManyRequestsError } from '../http/errors.ts';
import { LIMITS, hit, sourceOf } from '../http/rate-limit.ts';
import { grantLoginAfterReset, loginAfterResetOf } from './login-throttle.ts';
import { safeReturnPath } from '../http/auth.ts';
import { authenticate, confirmEmail, isResetTokenValid, registerMember, requestPasswordReset, resetPassword } from './service.ts';

const ip = (req: Request) => sourceOf(req.ip);

/** Logs a member in on a fresh session id (no session fixation). */
export function startSession(req: Request, memberId: string): Promise<void> {
  return new Promise((resolve, reject) =>
    req.session.regenerate((err) => {
      if (err) return reject(err);
      req.session.memberId = memberId;
      req.session.authAt = Date.now();
      req.session.save((e) => (e ? reject(e) : resolve()));
    }),
  );
}

export function accountRoutes(deps: Deps): Router {
  const r = Router();

  const registerForm = (res: Response, values: Record<string, string> = {}, errors: FieldErrors = {}) =>
    res.page('accounts/register', { title: 'Inscription', values, errors, countries: COUNTRIES });

  r.get('/inscription', (req, res) => {
    if (req.member) return res.redirect(303, '/compte');
    registerForm(res);
  });

  r.post('/inscription', async (req, res) => {
    const parsed = RegisterSchema.safeParse(req.body);
    if (!parsed.success) return registerForm(res.status(422), keepValues(req.body), fieldErrors(parsed.error));
    if (!(await hit(deps, LIMITS.register, ip(req)))) {
      return registerForm(res.status(429), keepValues(req.body), { _form: 'Trop d’inscriptions depuis votre connexion. Réessayez dans une heure.' });
    }
    await registerMember(deps, parsed.data);
    res.redirect(303, '/inscription/verifiez-vos-courriels');
  });

  r.get('/inscription/verifiez-vos-courriels', (_req, res) => res.page('accounts/check-inbox', { title: 'Vérifiez vos courriels' }));

  r.get('/inscription/confirmer', (req, res) => {
    const token = typeof req.query.jeton === 'string' ? req.query.jeton : '';
    res.page('accounts/confirm', { title: 'Confirmer votre adresse', token });
  });

  r.post('/inscription/confirmer', async (req, res) => {
    const token = typeof req.body.jeton === 'string' ? req.body.jeton : '';
    let ok = false;
    try {
      ok = token.length > 10 && (await confirmEmail(deps, token));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return res.status(err.status).page('accounts/confirm', { title: 'Confirmer votre adresse', token: '', error: err.message });
    }
    if (!ok) {
      return res.status(400).page('accounts/confirm', {
        title: 'Confirmer votre adresse',
        token: '',
        error: 'Ce lien n’est plus valable (déjà utilisé ou expiré). Connectez-vous pour en recevoir un nouveau.',
      });
    }
    flash(req, 'success', 'Votre adresse électronique est confirmée. Merci !');
    res.redirect(303, req.member ? '/compte' : '/connexion');
  });

  const loginForm = (res: Response, values: Record<string, string> = {}, errors: FieldErrors = {}, retour = '') =>
    res.page('accounts/login', { title: 'Connexion', values, errors, retour });

  r.get('/connexion', (req, res) => {
    if (req.member) return res.redirect(303, '/compte');
    loginForm(res, {}, {}, safeReturnPath(req.query.retour, ''));
  });

  r.post('/connexion', async (req, res) => {
    const retour = safeReturnPath(req.body.retour, '');
    const parsed = LoginSchema.safeParse(req.body);
    if (!parsed.success) return loginForm(res.status(422), keepValues(req.body), fieldErrors(parsed.error), retour);
    try {
      const member = await authenticate(deps, parsed.data.email, parsed.data.password, ip(req), loginAfterResetOf(req.session, deps.clock.now()));
      await startSession(req, member.id);
      res.redirect(303, retour || (member.role === 'STAFF' || member.role === 'ADMIN' ? '/gestion' : '/compte'));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      loginForm(res.status(err instanceof TooManyRequestsError ? 429 : 422), keepValues(req.body), { _form: err.message }, retour);
    }
  });

  r.get('/deconnexion', (_req, res) => res.redirect(303, '/'));
  r.post('/deconnexion', (req, res, next) => {
    req.session.destroy((err) => {
      if (err) return next(err);
      res.clearCookie('cps.sid', { httpOnly: true, sameSite: 'lax', secure: deps.config.isProduction });
      res.redirect(303, '/');
    });
  });

  const forgotForm = (res: Response, values: Record<string, string> = {}, errors: FieldErrors = {}, sent = false) =>
    res.page('accounts/forgot', { title: 'Mot de passe oublié', values, errors, sent });

  r.get('/mot-de-passe-oublie', (_req, res) => forgotForm(res));
  r.post('/mot-de-passe-oublie', async (req, res) => {
    const parsed = ForgotSchema.safeParse(req.body);
    if (!parsed.success) return forgotForm(res.status(422), keepValues(req.body), fieldErrors(parsed.error));
    if (!(await hit(deps, LIMITS.reset, ip(req)))) {
      return forgotForm(res.status(429), keepValues(req.body), { _form: 'Trop de demandes depuis votre connexion. Réessayez dans une heure.' });
    }
    await requestPasswordReset(deps, parsed.data.email);
    forgotForm(res, {}, {}, true);
  });

  const resetForm = (res: Response, token: string, errors: FieldErrors = {}, valid = true) =>
    res.page('accounts/reset', { title: 'Nouveau mot de passe', token, errors, valid });

  r.get('/mot-de-passe/reinitialiser', async (req, res) => {
    const token = typeof req.query.jeton === 'string' ? req.query.jeton : '';
    resetForm(res, token, {}, await isResetTokenValid(deps, token));
  });
  r.post('/mot-de-passe/reinitialiser', async (req, res) => {
    const parsed = ResetSchema.safeParse(req.body);
    const token = typeof req.body.token === 'string' ? req.body.token : '';
    if (!parsed.success) return resetForm(res.status(422), token, fieldErrors(parsed.error));
    const memberId = await resetPassword(deps, parsed.data.token, parsed.data.password);
    if (!memberId) return resetForm(res.status(400), '', {}, false);
    grantLoginAfterReset(req.session, memberId, deps.clock.now());
    flash(req, 'success', 'Votre mot de passe a été modifié. Vous pouvez vous connecter.');
    res.redirect(303, '/connexion');
  });

  return r;
}
