// Turning a zod failure into per-field French messages for a re-rendered form.
import { z } from 'zod';

export type FieldErrors = Record<string, string>;

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
