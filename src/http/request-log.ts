// One log line per request (id, method, path without query string, status, duration), and a
// request id on the response. Cheaper than a child logger per request: `req.log` is built only
// when something logs during the request (errors, warnings).
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { safeUrl } from '../logger.ts';

declare module 'http' {
  interface IncomingMessage {
    id: string;
    log: Logger;
  }
}

const CHILD = Symbol('request logger');

/**
 * The middleware, and `req.log` on the app's requests (`request`: the app's request prototype,
 * `app.request`): a getter defined there once, not a property defined on each request.
 */
/**
 * The path as logged: without its query string, and with what follows a secret prefix (a path that
 * carries a capability, such as an unsubscribe link's token: DomainModule.secretPaths) as `…`.
 */
export function loggedPath(url: string | undefined, secretPrefixes: readonly string[]): string {
  const path = safeUrl(url);
  for (const prefix of secretPrefixes) if (path.startsWith(prefix) && path.length > prefix.length) return `${prefix}…`;
  return path;
}

export function requestLog(logger: Logger, request: object, secretPrefixes: readonly string[] = []): RequestHandler {
  // The completed-request line holds only an id, the method, the path without its query string,
  // the status and the duration: no key of it can hold personal data, so it skips the redaction
  // pass (about 6 times the cost of the line itself, for every request). Other lines keep it.
  const access = logger.child({}, { redact: [] });
  Object.defineProperty(request, 'log', {
    configurable: true,
    get(this: Request & { [CHILD]?: Logger }): Logger {
      return (this[CHILD] ??= logger.child({ req: { id: this.id, method: this.method, url: loggedPath(this.originalUrl, secretPrefixes) } }));
    },
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const id = randomUUID();
    // Sent as X-Request-Id with the security headers (app.ts), or with a kept page's headers.
    req.id = id;
    res.on('finish', () => {
      const status = res.statusCode;
      const line = {
        req: { id, method: req.method, url: loggedPath(req.originalUrl, secretPrefixes) },
        res: { statusCode: status },
        responseTime: Number(process.hrtime.bigint() - started) / 1e6,
      };
      // 503 (database unreachable) is an expected state, answered and retried: a warning.
      if (status === 503) access.warn(line, 'request completed');
      else if (status >= 500) access.error(line, 'request errored');
      else access.info(line, 'request completed');
    });
    next();
  };
}
