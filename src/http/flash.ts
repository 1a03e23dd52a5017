import type { NextFunction, Request, Response } from 'express';

export function flash(req: Request, kind: 'success' | 'error' | 'info', text: string): void {
  (req.session.flash ??= []).push({ kind, text });
}

/** Moves pending flash messages into the view, without creating a session for visitors. */
export function flashLocals(req: Request, res: Response, next: NextFunction): void {
  const pending = req.session?.flash;
  res.locals.flash = pending ?? [];
  if (pending) delete req.session.flash;
  next();
}
