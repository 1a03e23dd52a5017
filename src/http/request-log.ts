// One log line per request (id, method, path without query string, status, duration), and a
// request id on the response. Cheaper than a child logger per request: `req.log` is built only
// when something logs during the request (errors, warnings).
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../logger.ts';
import { safeUrl } from '../logger.ts';

declare module 'http' {
  interface IncomingMessage {
    id: string;
    log: Logger;
  }
}

export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const id = randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    let child: Logger | undefined;
    Object.defineProperty(req, 'log', {
      configurable: true,
      get: () => (child ??= logger.child({ req: { id, method: req.method, url: safeUrl(req.originalUrl) } })),
    });
    res.on('finish', () => {
      const status = res.statusCode;
      const line = {
        req: { id, method: req.method, url: safeUrl(req.originalUrl) },
        res: { statusCode: status },
        responseTime: Number(process.hrtime.bigint() - started) / 1e6,
      };
      // 503 (database unreachable) is an expected state, answered and retried: a warning.
      if (status === 503) logger.warn(line, 'request completed');
      else if (status >= 500) logger.error(line, 'request errored');
      else logger.info(line, 'request completed');
    });
    next();
  };
}
