// Synchronizer-token CSRF protection: the token lives in the session, so a visitor only gets
// a session cookie once a page shows them a form.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { ForbiddenError } from '../core/errors.ts';

export const newCsrfToken = (): string => randomBytes(32).toString('base64url');

export function csrfToken(req: Request): string {
  req.session.csrfToken ??= newCsrfToken();
  return req.session.csrfToken;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The only POSTs without a CSRF token: server-to-server webhooks, authenticated by the secret in
 * their URL and carrying no cookie (Mailchimp's, checked by src/newsletter/module.ts).
 */
const CSRF_EXEMPT = [/^\/webhooks\/mailchimp\/[^/]+$/];

/**
 * Forms posted from pages that must not start a session (the product page's "Ajouter au panier")
 * carry no session token; for these paths only, a request the browser marks as same-origin is
 * accepted instead (Sec-Fetch-Site, or an Origin equal to the site's). A cross-site form or fetch
 * always carries one of these headers with another value; decision 0060.
 */
export const ORIGIN_CHECKED_PATHS = new Set(['/panier/ajouter']);

export function isSameOrigin(req: Request, publicUrl: string): boolean {
  const site = req.get('sec-fetch-site');
  if (site) return site === 'same-origin';
  const origin = req.get('origin');
  if (!origin || origin === 'null') return false;
  return (!!publicUrl && origin === new URL(publicUrl).origin) || origin === `${req.protocol}://${req.get('host')}`;
}

export function verifyCsrf(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
  if (req.method === 'POST' && CSRF_EXEMPT.some((re) => re.test(req.path))) return next();
  const sent = (req.body as Record<string, unknown> | undefined)?._csrf ?? req.get('x-csrf-token');
  const expected = req.session?.csrfToken;
  if (typeof sent === 'string' && expected && same(sent, expected)) return next();
  if (ORIGIN_CHECKED_PATHS.has(req.path) && isSameOrigin(req, String(res.app.get('public url') ?? ''))) return next();
  next(new ForbiddenError('Le formulaire a expiré ou n’est pas valide. Rechargez la page et réessayez.'));
}
