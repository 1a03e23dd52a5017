// Builds the Express app from its dependencies; does not listen (server.ts does).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { keepRenderedPage, PageCache, pageCacheInvalidation, publicPageFor, serveKeptPage } from './page-cache.ts';
import type { Deps } from '../deps.ts';
import { requestLog } from './request-log.ts';
import { NotFoundError } from '../core/errors.ts';
import { checkUrl, readForm } from './bad-input.ts';
import { readUploads } from './multipart.ts';
import { errorPage } from './error-page.ts';
import { chain } from './chain.ts';
import { PrismaSessionStore } from './session-store.ts';
import { readCookie, sessionMiddleware } from './session-middleware.ts';
import { csrfToken, newCsrfToken, verifyCsrf } from './csrf.ts';
import { flashLocals } from './flash.ts';
import { loadMember, requireArea } from './auth.ts';
import type { MemberLookup } from './auth.ts';
import { viewHelpers } from './view-helpers.ts';
import { viewEngine } from './view-engine.ts';
import { healthRoutes } from './health.ts';
import { SESSION_COOKIE } from './session.ts';
import { AREA_PREFIX } from '../core/module.ts';
import type { GuardedArea } from '../core/module.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export { SESSION_COOKIE };

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Response {
      /** Renders a view inside the site layout. */
      page(view: string, locals?: Record<string, unknown>): void;
    }
  }
}

/** Builds the HTTP app around the modules in deps.registry; does not listen. */
export function createHttpApp(deps: Deps, memberLookup: MemberLookup): express.Express {
  const { config, logger } = deps;
  const app = express();
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  const views = path.join(ROOT, 'views');
  app.set('views', views);
  // Compiled templates are cached except in development, where views are edited live.
  app.set('view cache', config.env !== 'development');
  // Includes are written from the views folder (`include('/partials/field')`); the engine runs an
  // include without copying the page's locals (view-engine.ts).
  const engine = viewEngine({ root: views });
  app.engine('ejs', engine);
  const layout = path.join(views, 'layouts/main.ejs');
  app.disable('x-powered-by');
  // The site's own origin, for the same-origin check of the forms posted without a session (csrf.ts).
  app.set('public url', config.publicUrl);
  app.locals.siteName = 'Club Petites Stars';

  // What every request passes through, up to the static files, runs as one layer (chain.ts).
  const first: RequestHandler[] = [requestLog(logger, app.request, deps.registry.secretPaths)];
  const pageCache = new PageCache({ ttlMs: config.pageCacheSeconds * 1000 });
  app.locals.pageCache = pageCache;
  if (pageCache.enabled) {
    app.locals.publicPage = publicPageFor(pageCache, (req) => !hasCookie(req, SESSION_COOKIE));
    first.push(pageCacheInvalidation(pageCache));
  }
  // helmet's headers do not depend on the request here (no nonce): they are worked out once and
  // set in one step, instead of by a chain of twelve middlewares on every request.
  const securityHeaders = headersOf(
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
  // A kept public page is written in one step with these headers (page-cache.ts).
  if (pageCache.enabled) {
    const flat = securityHeaders.flat();
    first.push(serveKeptPage(pageCache, (req) => !hasCookie(req, SESSION_COOKIE), (req) => [...flat, 'X-Request-Id', req.id]));
  }
  first.push((req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    res.setHeader('X-Request-Id', req.id);
    next();
  });

  Object.assign(app.locals, viewHelpers, { navFor: deps.registry.nav });
  const sessions = sessionMiddleware({
    name: SESSION_COOKIE,
    secret: config.sessionSecret,
    store: new PrismaSessionStore(deps.db, deps.clock, (sid) => memberLookup.withSession(sid)),
    // 30 minutes without a request ends the session (ASVS 3.3.2); 12 h at most after login (auth.ts).
    maxAgeMs: 30 * 60 * 1000,
    secure: config.isProduction,
  });

  first.push((req: Request, res: Response, next: NextFunction) => {
    // Defaults first: the error pages render with the layout even when a later middleware failed.
    res.locals.member = null;
    res.locals.flash = [];
    // A visitor without a session gets one only when the page shows a form (see lazySession).
    res.locals.csrf = () => (req.session ? csrfToken(req) : (res.locals.pendingCsrf ??= newCsrfToken()));
    res.locals.currentPath = req.path;
    res.locals.year = deps.clock.now().getFullYear();
    next();
  });
  // One render: the layout includes the view (views/layouts/main.ejs). A method of the app's
  // responses, not a function made for each one.
  app.response.page = function page(this: Response, view: string, locals: Record<string, unknown> = {}) {
    const { req } = this;
    // The locals res.render would give the layout (the app's, the response's, the page's), without
    // its lookup of the view and its extra turn of the event loop.
    // layoutState: what the view tells the layout while it renders (an error summary shown: the
    // layout then starts the page's title with « Erreur : »).
    const data = Object.assign(Object.create(app.locals) as Record<string, unknown>, this.locals, locals, {
      bodyView: `/${view}`,
      layoutState: { errorSummary: false },
    });
    engine(layout, data, (err: Error | null, html?: string) => {
      if (err) return req.next?.(err);
      const token = this.locals.pendingCsrf as string | undefined;
      keepRenderedPage(pageCache, this, html ?? '', !!token || !!req.session);
      if (!token || req.session) return void sendPage(req, this, html ?? '');
      sessions(req, this, (e?: unknown) => {
        if (e) return req.next?.(e);
        req.session.csrfToken = token;
        sendPage(req, this, html ?? '');
      });
    });
  };
  first.push(checkUrl);
  app.use(chain(...first));
  app.use('/static/pico', express.static(path.join(ROOT, 'node_modules/@picocss/pico/css'), { maxAge: '7d' }));
  app.use('/static', express.static(path.join(ROOT, 'public'), { maxAge: '1d' }));
  healthRoutes(app, deps);

  app.use(
    chain(
      readForm({ limit: '100kb' }),
      // Reading a page without a session cookie loads no session: nothing is built, hashed or looked
      // up for an anonymous visitor; a page with a form starts one when it renders (res.page above).
      (req: Request, res: Response, next: NextFunction) => {
        const safe = req.method === 'GET' || req.method === 'HEAD';
        if (safe && !hasCookie(req, SESSION_COOKIE)) return next();
        sessions(req, res, next);
      },
      loadMember(memberLookup),
      flashLocals,
      readUploads({ maxFileBytes: 5 * 1024 * 1024, maxRequestBytes: 8 * 1024 * 1024 }),
      verifyCsrf,
    ),
  );
  mountModules(app, deps);

  app.use((_req, _res, next) => next(new NotFoundError()));
  app.use(errorPage());
  return app;
}

/**
 * Each module's router of a guarded area (/compte, /gestion, /comptabilite, /admin) is mounted under
 * the area's prefix, behind the area's role guard: a request goes through one router, its module's,
 * not through an area router first (one level of the router's work less per request). The public
 * routers are mounted at the root after them, so that a request of an area is not matched against
 * every public route first (no public route lives under an area's prefix: the role-matrix test
 * checks it). The route table (route-table.ts) reads the prefixes back for the role-matrix test.
 */
function mountModules(app: express.Express, deps: Deps): void {
  for (const [area, prefix] of Object.entries(AREA_PREFIX) as [GuardedArea, string][]) {
    const guard = requireArea(area);
    for (const m of deps.registry.modules) {
      const make = m.routes?.[area];
      if (!make) continue;
      const router = make(deps);
      Object.assign(router, { mountPath: prefix, area });
      app.use(prefix, guard, router);
    }
  }
  for (const m of deps.registry.modules) {
    const make = m.routes?.public;
    if (make) app.use(make(deps));
  }
}

/** The same reading of the cookie as the session middleware's, so both agree on who has a session. */
function hasCookie(req: Request, name: string): boolean {
  return readCookie(req.headers.cookie, name) !== undefined;
}

/** The headers a request-independent middleware (helmet) sets, collected once. */
function headersOf(middleware: (req: Request, res: Response, next: (err?: unknown) => void) => void): [string, string][] {
  const headers = new Map<string, string>();
  const res = {
    setHeader: (name: string, value: string) => headers.set(name, String(value)),
    removeHeader: (name: string) => headers.delete(name),
    getHeader: (name: string) => headers.get(name),
  } as unknown as Response;
  let called = false;
  middleware({ headers: {}, method: 'GET', url: '/' } as Request, res, (err?: unknown) => {
    if (err) throw err;
    called = true;
  });
  if (!called) throw new Error('the headers middleware did not finish synchronously');
  return [...headers];
}

/**
 * A page marked `no-store` (a logged-in member's) goes out without an ETag: no browser keeps it to
 * revalidate, and res.send would copy the page into a buffer and hash it for nothing (3 % of the
 * account page's CPU). Other pages keep res.send: ETag and 304 for a page a browser may keep.
 * The page is encoded once, into the buffer that is sent: its length is the Content-Length. As a
 * string, it was flattened and scanned for its UTF-8 length, then joined to the headers and
 * flattened again to be written (a French page holds ’ and €: two bytes per character in memory),
 * 14 KiB of the 120 KiB the account page allocated (decision 0025).
 */
function sendPage(req: Request, res: Response, html: string): void {
  if (res.getHeader('Cache-Control') !== 'no-store') return void res.send(html);
  const body = Buffer.from(html);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}
