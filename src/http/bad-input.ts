// Requests the site cannot read: a malformed address, a body in an unknown charset or compression,
// too large, too many fields, a NUL byte. A French 4xx page, and a warning in the log, never a 500.
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../core/errors.ts';

/** A mistake in the request itself rather than in a form's content; `reason` goes to the log, never the value. */
export class BadRequestError extends AppError {
  constructor(
    message: string,
    status = 400,
    readonly reason = 'bad-request',
  ) {
    super(message, status);
  }
}

export const BAD_INPUT_MESSAGES = {
  malformedPath: 'L’adresse de la page est mal formée. Vérifiez le lien, ou repartez de l’accueil.',
  nul: 'Votre envoi contient un caractère nul (invisible), que le site ne peut pas enregistrer. Revenez en arrière, retapez le texte concerné et réessayez.',
  charset:
    'Le formulaire a été envoyé dans un jeu de caractères que le site ne prend pas en charge (seul UTF-8 est accepté).',
  encoding: 'Le formulaire a été envoyé avec une compression que le site ne prend pas en charge.',
  tooLarge: 'Le formulaire envoyé est trop volumineux.',
  tooManyFields: 'Le formulaire envoyé contient trop de champs.',
  unreadable: 'Le formulaire envoyé n’a pas pu être lu. Rechargez la page et réessayez.',
  notAForm: 'Le site n’accepte que des formulaires envoyés depuis ses pages.',
  generic: 'Votre demande n’a pas pu être comprise. Rechargez la page et réessayez.',
} as const;

const nulByte = () => new BadRequestError(BAD_INPUT_MESSAGES.nul, 400, 'nul-byte');

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\0');
  if (value === null || typeof value !== 'object' || depth > 8) return false;
  for (const [k, v] of Object.entries(value)) if (k.includes('\0') || hasNul(v, depth + 1)) return true;
  return false;
}

/**
 * Runs before any route, session or login check: a path that does not decode, or that holds a NUL
 * byte, and a query string with a NUL byte are refused (PostgreSQL text cannot hold NUL).
 */
export function checkUrl(req: Request, _res: Response, next: NextFunction): void {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(new BadRequestError(BAD_INPUT_MESSAGES.malformedPath, 400, 'malformed-path'));
  }
  if (path.includes('\0') || hasNul(req.query)) return next(nulByte());
  next();
}

// body-parser's error types (its `type` property), and what the visitor reads for each.
const BODY_ERRORS: Record<string, [number, string]> = {
  'charset.unsupported': [415, BAD_INPUT_MESSAGES.charset],
  'encoding.unsupported': [415, BAD_INPUT_MESSAGES.encoding],
  'entity.too.large': [413, BAD_INPUT_MESSAGES.tooLarge],
  'parameters.too.many': [413, BAD_INPUT_MESSAGES.tooManyFields],
};

interface HttpErrorLike {
  status?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  code?: string;
}

/** A client error raised by Express itself or one of its parsers (http-errors, router), as a typed error; null otherwise. */
export function asBadRequest(err: unknown): BadRequestError | null {
  if (err instanceof BadRequestError) return err;
  if (!err || typeof err !== 'object') return null;
  const e = err as HttpErrorLike;
  const status = e.status ?? e.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499) return null;
  const known = e.type ? BODY_ERRORS[e.type] : undefined;
  if (known) return new BadRequestError(known[1], known[0], e.type);
  // The router's decodeURIComponent failure on a route parameter.
  if (err instanceof URIError) return new BadRequestError(BAD_INPUT_MESSAGES.malformedPath, 400, 'malformed-path');
  // http-errors marks the 4xx it creates as safe to show; anything else is not ours to interpret.
  if (e.expose !== true) return null;
  return new BadRequestError(
    status === 400 ? BAD_INPUT_MESSAGES.unreadable : BAD_INPUT_MESSAGES.generic,
    status,
    e.type ?? e.code ?? 'unreadable',
  );
}

const hasBody = (req: Request) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;

/**
 * Reads an urlencoded form body (the only kind the site accepts) and refuses, as a client error,
 * a body it cannot read, of another type (415), or that holds a NUL byte. Without a body, req.body
 * is an empty form, so handlers never read a field of undefined. Repeated fields stay arrays: the
 * form schemas refuse them.
 */
export function readForm(options: { limit: string }): RequestHandler {
  const parse = express.urlencoded({ extended: false, limit: options.limit });
  return (req, res, next) => {
    // A page read without a body (nearly every GET) has nothing to parse.
    if ((req.method === 'GET' || req.method === 'HEAD') && !hasBody(req)) {
      req.body = {};
      return next();
    }
    // A file upload is read later, once the member is known (multipart.ts).
    if (/^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '') && req.method === 'POST') {
      req.body = {};
      return next();
    }
    parse(req, res, (err?: unknown) => {
      if (err) return next(asBadRequest(err) ?? err);
      if (req.body === undefined) {
        if (req.method !== 'GET' && req.method !== 'HEAD' && hasBody(req)) {
          return next(new BadRequestError(BAD_INPUT_MESSAGES.notAForm, 415, 'content-type.unsupported'));
        }
        req.body = {};
      }
      if (hasNul(req.body)) return next(nulByte());
      next();
    });
  };
}
