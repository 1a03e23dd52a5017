// The one error middleware: typed errors become French pages. A client's mistake is a 4xx logged at
// most as a warning; an unreachable database is a 503 with Retry-After, also a warning; only what
// nobody expected is a 500 with an error line and its stack (never shown to the visitor).
import type { ErrorRequestHandler } from 'express';
import { scrubText } from '../logger.ts';
import { connectionFailure } from '../db/connection-failure.ts';
import { AppError } from '../core/errors.ts';
import { asBadRequest, BadRequestError } from './bad-input.ts';

/** Seconds a client should wait before retrying while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 30;

export class ServiceUnavailableError extends AppError {
  constructor(
    readonly failure: string,
    message = 'Le site ne peut pas traiter votre demande pour le moment. Réessayez dans quelques instants.',
  ) {
    super(message, 503);
  }
}

const TITLES: Record<number, string> = {
  403: 'Accès refusé',
  404: 'Page introuvable',
  429: 'Trop de tentatives',
  503: 'Service momentanément indisponible',
};

function typed(err: unknown): AppError | null {
  if (err instanceof AppError) return err;
  const down = connectionFailure(err);
  if (down) return new ServiceUnavailableError(down);
  return asBadRequest(err);
}

export function errorPage(): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = typed(err);
    if (known instanceof BadRequestError) {
      req.log?.warn({ reason: known.reason, status: known.status }, 'request refused');
    } else if (known instanceof ServiceUnavailableError) {
      req.log?.warn({ cause: known.failure }, 'database unreachable');
    } else if (!known) {
      const e = err as Error;
      req.log?.error(
        { err: { type: e.name, message: scrubText(String(e.message)), stack: scrubText(String(e.stack)) } },
        'unhandled error',
      );
    }
    if (res.headersSent) return;
    const status = known ? known.status : 500;
    res.status(status);
    if (status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    const message = known ? known.message : null;
    const view =
      status === 404 ? 'errors/404' : status === 503 ? 'errors/503' : status >= 500 ? 'errors/500' : 'errors/error';
    const title = TITLES[status] ?? 'Erreur';
    res.render(view, { title, message, status, requestId: req.id }, (e1: Error | null, body?: string) => {
      if (e1) return res.type('text/plain').send(`Erreur ${status}. Référence : ${req.id}`);
      res.render('layouts/main', { title, body }, (e2: Error | null, html?: string) =>
        e2 ? res.type('text/plain').send(`Erreur ${status}. Référence : ${req.id}`) : res.send(html),
      );
    });
  };
}
