// The one cookie of the site, and what a login writes into the session.
import type { Request } from 'express';

export const SESSION_COOKIE = 'cps.sid';

/**
 * Logs a member in on a fresh session id (no session fixation); `now` comes from the injected clock.
 * The session middleware writes the new session once, before the response goes out (its data
 * changed): no explicit save here, which would write it twice.
 */
export function startSession(req: Request, memberId: string, now: Date): Promise<void> {
  // The visitor's cart survives the login (it holds product ids and quantities, nothing else).
  const cart = req.session.cart;
  return new Promise((resolve, reject) =>
    req.session.regenerate((err) => {
      if (err) return reject(err);
      if (cart) req.session.cart = cart;
      req.session.memberId = memberId;
      req.session.authAt = now.getTime();
      resolve();
    }),
  );
}

/** Ends the session (logout, deletion). */
export function endSession(req: Request): Promise<void> {
  return new Promise((resolve) => req.session.destroy(() => resolve()));
}
