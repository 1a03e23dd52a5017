// Builds the Express app from its dependencies; does not listen (server.ts does).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import type { Deps } from '../deps.ts';
import { safeUrl } from '../logger.ts';
import { NotFoundError } from './errors.ts';
import { checkUrl, readForm } from './bad-input.ts';
import { errorPage } from './error-page.ts';
import { PrismaSessionStore } from './session-store.ts';
import { systemClock } from '../clock.ts';
import { csrfToken, verifyCsrf } from './csrf.ts';
import { flashLocals } from './flash.ts';
import { loadMember } from './auth.ts';
import { viewHelpers } from './view-helpers.ts';
import { healthRoutes } from './health.ts';
import { pageRoutes } from '../pages/routes.ts';
import { accountRoutes } from '../accounts/routes.ts';
import { memberAccountRoutes } from '../accounts/account-routes.ts';
import { adminRoutes } from '../admin/routes.ts';
import { mailboxRoutes } from '../mail/routes.ts';
import { couponMemberRoutes } from '../coupons/member-routes.ts';
import { couponStaffRoutes } from '../coupons/staff-routes.ts';
import { staffRoutes } from '../staff/routes.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SESSION_COOKIE = 'cps.sid';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Response {
      /** Renders a view inside the site layout. */
      page(view: string, locals?: Record<string, unknown>): void;
    }
  }
}

export function createApp(deps: Deps): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(ROOT, 'views'));
  // Compiled templates are cached except in development, where views are edited live.
  app.set('view cache', config.env !== 'development');
  app.disable('x-powered-by');
  app.locals.siteName = 'Club Petites Stars';

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      serializers: {
        req: (req) => ({ id: req.id, method: req.method, url: safeUrl(req.url) }),
        res: (res) => ({ statusCode: res.statusCode }),
      },
      // 503 (database unreachable) is an expected state, answered and retried: a warning without a stack.
      customLogLevel: (_req, res, err) => (res.statusCode === 503 ? 'warn' : err || res.statusCode >= 500 ? 'error' : 'info'),
      customErrorObject: (_req, res, _err, val) => (res.statusCode === 503 ? { ...val, err: undefined } : val),
    }),
  );
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          ...(config.isProduction ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.isProduction,
      referrerPolicy: { policy: 'same-origin' },
    }),
  );

  app.use((req: Request, res: Response, next: NextFunction) => {
    // Defaults first: the error pages render with the layout even when a later middleware failed.
    res.locals.member = null;
    res.locals.flash = [];
    res.locals.csrf = () => csrfToken(req);
    res.locals.currentPath = req.path;
    res.locals.year = deps.clock.now().getFullYear();
    Object.assign(res.locals, viewHelpers);
    res.page = (view, locals = {}) => {
      res.render(view, locals, (err: Error | null, body?: string) => {
        if (err) return req.next?.(err);
        res.render('layouts/main', { ...locals, body }, (err2: Error | null, html?: string) =>
          err2 ? req.next?.(err2) : res.send(html),
        );
      });
    };
    next();
  });
  app.use(checkUrl);
  app.use('/static/pico', express.static(path.join(ROOT, 'node_modules/@picocss/pico/css'), { maxAge: '7d' }));
  app.use('/static', express.static(path.join(ROOT, 'public'), { maxAge: '1d' }));
  app.use(healthRoutes(deps));

  app.use(readForm({ limit: '100kb' }));
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      // Session expiry follows express-session's own (wall) clock, not the injectable one.
      store: new PrismaSessionStore(deps.db, systemClock),
      resave: false,
      saveUninitialized: false,
      // 30 minutes without a request ends the session (ASVS 3.3.2); 12 h at most after login (auth.ts).
      rolling: true,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: config.isProduction,
        maxAge: 30 * 60 * 1000,
      },
    }),
  );
  app.use(loadMember(deps));
  app.use(flashLocals);
  app.use(verifyCsrf);

  app.use(pageRoutes(deps));
  app.use(accountRoutes(deps));
  app.use(memberAccountRoutes(deps));
  app.use(couponMemberRoutes(deps));
  app.use(staffRoutes(deps));
  app.use(couponStaffRoutes(deps));
  app.use(mailboxRoutes(deps));
  app.use(adminRoutes(deps));

  app.use((_req, _res, next) => next(new NotFoundError()));
  app.use(errorPage());
  return app;
}
