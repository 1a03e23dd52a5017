// Middlewares that every request passes through, run one after the other as a single layer of
// Express's router. Each layer of the router costs its matching work (the path parsed and matched,
// req.url and req.next kept and restored) even for a middleware mounted at the root; the account
// page went through sixteen of them (decision 0024). The order and the error handling are
// Express's: an error passed to next, thrown, or a rejected promise goes to the error handlers.
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/** The handlers as one middleware, called in order; any of them may end the response instead. */
export function chain(...handlers: RequestHandler[]): RequestHandler {
  return function chained(req: Request, res: Response, next: NextFunction): void {
    let at = 0;
    const step = (err?: unknown): void => {
      // next('route') in a middleware is next() for Express's router: the chain goes on too.
      if (err && err !== 'route') return next(err);
      const handler = handlers[at++];
      if (!handler) return next();
      try {
        const returned: unknown = handler(req, res, step);
        if (returned instanceof Promise) returned.then(undefined, (e: unknown) => step(e ?? new Error('Rejected promise')));
      } catch (e) {
        step(e ?? new Error('Thrown without a value'));
      }
    };
    step();
  };
}
