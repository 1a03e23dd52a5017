// File uploads (multipart/form-data): read only for a signed-in member allowed into the staff
// area, only under /gestion/, after the session is loaded and before the CSRF check (the token is a
// field of the form). Everyone else gets the 415 page an unknown body gets. One file per form, in
// memory, cut at its limit; fields are read like a urlencoded form (a repeated field is an array).
// Decision 0051.
import busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import { AREA_ROLES } from './auth.ts';
import { BAD_INPUT_MESSAGES, BadRequestError } from './bad-input.ts';

export interface Upload {
  field: string;
  filename: string;
  data: Buffer;
  /** The file was longer than the limit: `data` holds only its beginning. */
  truncated: boolean;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      upload?: Upload;
    }
  }
}

export const isMultipart = (req: Request): boolean =>
  /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '');

export function readUploads(opts: { maxFileBytes: number; maxRequestBytes: number }) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!isMultipart(req) || req.method !== 'POST') return next();
    const allowed = !!req.member && AREA_ROLES.staff.includes(req.member.role) && req.path.startsWith('/gestion/');
    if (!allowed) return next(new BadRequestError(BAD_INPUT_MESSAGES.notAForm, 415, 'content-type.unsupported'));
    if (Number(req.headers['content-length'] ?? 0) > opts.maxRequestBytes) {
      req.resume();
      return next(new BadRequestError(BAD_INPUT_MESSAGES.tooLarge, 413, 'entity.too.large'));
    }
    let bb: busboy.Busboy;
    try {
      bb = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: { fileSize: opts.maxFileBytes, files: 1, fields: 30, fieldSize: 100 * 1024, parts: 32 },
      });
    } catch {
      return next(new BadRequestError(BAD_INPUT_MESSAGES.unreadable, 400, 'multipart.malformed'));
    }
    const body: Record<string, string | string[]> = {};
    let failed: BadRequestError | null = null;
    let received = 0;
    const fail = (e: BadRequestError) => {
      failed ??= e;
    };
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) return fail(new BadRequestError(BAD_INPUT_MESSAGES.tooLarge, 413, 'entity.too.large'));
      if (name.includes('\0') || value.includes('\0'))
        return fail(new BadRequestError(BAD_INPUT_MESSAGES.nul, 400, 'nul-byte'));
      if (name === '__proto__' || name === 'constructor' || name === 'prototype') return;
      const prev = body[name];
      body[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
    });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      let truncated = false;
      stream.on('data', (c: Buffer) => {
        received += c.length;
        chunks.push(c);
      });
      stream.on('limit', () => {
        truncated = true;
      });
      stream.on('close', () => {
        req.upload = { field: name, filename: info.filename ?? '', data: Buffer.concat(chunks, received), truncated };
      });
    });
    bb.on('filesLimit', () => fail(new BadRequestError(BAD_INPUT_MESSAGES.tooManyFields, 413, 'parameters.too.many')));
    bb.on('fieldsLimit', () => fail(new BadRequestError(BAD_INPUT_MESSAGES.tooManyFields, 413, 'parameters.too.many')));
    bb.on('partsLimit', () => fail(new BadRequestError(BAD_INPUT_MESSAGES.tooManyFields, 413, 'parameters.too.many')));
    bb.on('error', () => {
      req.unpipe(bb);
      req.resume();
      next(new BadRequestError(BAD_INPUT_MESSAGES.unreadable, 400, 'multipart.malformed'));
    });
    bb.on('close', () => {
      if (failed) return next(failed);
      req.body = body;
      next();
    });
    req.pipe(bb);
  };
}
