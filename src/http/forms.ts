// The one way a form is handled: parse the body with its zod schema, call one service, then
// redirect (Post/Redirect/Get) or re-render the form with its errors beside the fields and the
// values kept. A typed error from the service lands on the field it names.
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import { AppError } from '../core/errors.ts';

export type FieldErrors = Record<string, string>;
export interface FormState {
  values: Record<string, string>;
  errors: FieldErrors;
}

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? '_form');
    out[key] ??= issue.message;
  }
  return out;
}

/** The submitted values to put back in the form: never passwords or the CSRF token. */
export function keepValues(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (typeof v === 'string' && !/password|_csrf/i.test(k)) out[k] = v;
  }
  return out;
}

export interface FormAction<S extends z.ZodType, R> {
  schema: S;
  /** Shows the form again (the status is already set: 422, or the typed error's). */
  render(req: Request, res: Response, form: FormState): unknown;
  /** The one service call. */
  run(req: Request, data: z.output<S>): Promise<R>;
  /** After success: flash and redirect, or a page of its own. */
  done(req: Request, res: Response, result: R): unknown;
}

export function formAction<S extends z.ZodType, R>(action: FormAction<S, R>): RequestHandler {
  return async (req, res) => {
    const values = keepValues(req.body);
    const parsed = action.schema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(422);
      return void (await action.render(req, res, { values, errors: fieldErrors(parsed.error) }));
    }
    let result: R;
    try {
      result = await action.run(req, parsed.data);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      res.status(err.status);
      return void (await action.render(req, res, { values, errors: { [err.field ?? '_form']: err.message } }));
    }
    await action.done(req, res, result);
  };
}
