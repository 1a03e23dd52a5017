// A short-lived cache of the public pages as a visitor without a session sees them
// (docs/decisions/0016-public-page-cache.md). Such a page is the same for every such visitor: no
// member, no flash message, no form token. A route opts in with `publicPage` before its handler;
// the page rendered by `res.page` is then kept for `ttlMs` under its URL and served as is to the
// next visitors without a session, without running the handler (no query, no render).
//
// Freshness: any request of this process that may change data (not GET/HEAD) and succeeds empties
// the cache, so a staff edit is seen at once; changes made elsewhere (another process, a background
// job) show within `ttlMs`. The age is measured on the monotonic clock: it says nothing about the
// application's dates and must not follow the injected clock.
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

export interface PageCacheOptions {
  /** 0 disables the cache. */
  ttlMs: number;
  /** At most this many URLs are kept; the oldest stored goes first. */
  maxEntries?: number;
  /** Monotonic milliseconds (tests pass their own). */
  now?: () => number;
}

/** A kept page, ready to send: its bytes and their ETag are worked out once, when it is kept. */
export interface KeptPage {
  body: Buffer;
  /** The weak ETag Express would send for these bytes (W/"<length>-<sha1>"). */
  etag: string;
}

interface Entry extends KeptPage {
  storedAt: number;
}

function weakEtag(body: Buffer): string {
  const hash = createHash('sha1').update(body).digest('base64').slice(0, 27);
  return `W/"${body.length.toString(16)}-${hash}"`;
}

export class PageCache {
  readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();

  constructor(opts: PageCacheOptions) {
    this.ttlMs = opts.ttlMs;
    this.maxEntries = opts.maxEntries ?? 500;
    this.now = opts.now ?? (() => performance.now());
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): KeptPage | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() - e.storedAt >= this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  set(key: string, html: string): void {
    this.entries.delete(key);
    const body = Buffer.from(html);
    this.entries.set(key, { body, etag: weakEtag(body), storedAt: this.now() });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** URLs longer than this (long search strings) are not kept. */
const MAX_KEY_LENGTH = 300;

declare module 'express-serve-static-core' {
  interface Locals {
    /** Set by `publicPage` when the page rendered by `res.page` may be kept under this URL. */
    pageCacheKey?: string;
  }
}

/**
 * The app-wide part: empties the cache when a request that may change data succeeds. Mounted
 * before the routes by app.ts, with the app's cache.
 */
export function pageCacheInvalidation(cache: PageCache): RequestHandler {
  return (req, res, next) => {
    if (cache.enabled && req.method !== 'GET' && req.method !== 'HEAD') {
      res.on('finish', () => {
        if (res.statusCode < 400) cache.clear();
      });
    }
    next();
  };
}

/**
 * Route middleware: marks the request so that `res.page` keeps what it renders, when the visitor
 * has no session cookie. A page already kept was sent earlier (`serveKeptPage`); reaching the
 * route means it was not. `anonymous` tells whether the request carries no session cookie.
 */
export function publicPageFor(cache: PageCache, anonymous: (req: Request) => boolean): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!cache.enabled || (req.method !== 'GET' && req.method !== 'HEAD') || !anonymous(req)) return next();
    const key = req.originalUrl;
    if (key.length > MAX_KEY_LENGTH) return next();
    res.setHeader('X-Page-Cache', 'miss');
    res.locals.pageCacheKey = key;
    next();
  };
}

/** True when the request's If-None-Match names this ETag (weak comparison, as Express's `fresh`). */
function notModified(req: Request, etag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.slice(2);
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === etag || t === opaque;
  });
}

/**
 * App-wide, early in the chain: a kept page is sent before the body parsers, the session, the
 * module routers and the route itself run. A page is only ever kept for a URL whose route opted in
 * and rendered it with a 200, so the same URL gets the same answer. The response is written in one
 * step with `headers` (the site's security headers, worked out once) and the page's own: what
 * Express would send for it (type, length, ETag, 304 when the browser has it), without the
 * per-request work of res.send.
 */
export function serveKeptPage(
  cache: PageCache,
  anonymous: (req: Request) => boolean,
  headers: (req: Request) => string[],
): RequestHandler {
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || cache.size === 0 || !anonymous(req)) return next();
    const page = cache.get(req.originalUrl);
    if (page === undefined) return next();
    const common = headers(req);
    if (notModified(req, page.etag)) {
      res.writeHead(304, [...common, 'ETag', page.etag, 'X-Page-Cache', 'hit']);
      res.end();
      return;
    }
    res.writeHead(200, [
      ...common,
      'Content-Type',
      'text/html; charset=utf-8',
      'Content-Length',
      String(page.body.length),
      'ETag',
      page.etag,
      'X-Page-Cache',
      'hit',
    ]);
    res.end(req.method === 'HEAD' ? undefined : page.body);
  };
}

/**
 * Called by `res.page` once a page is rendered: keeps it when the route opted in and nothing made
 * it personal (a form token that starts a session, a cookie, a status other than 200).
 */
export function keepRenderedPage(cache: PageCache, res: Response, html: string, personal: boolean): void {
  const key = res.locals.pageCacheKey;
  if (!key || personal || res.statusCode !== 200 || res.getHeader('Set-Cookie')) return;
  cache.set(key, html);
}

/**
 * What a module puts before a public page's handler: `router.get('/boutique', publicPage, handler)`.
 * The app (app.ts) holds the cache; without one (PAGE_CACHE_SECONDS=0) this only calls next.
 */
export const publicPage: RequestHandler = (req, res, next) => {
  const handler = req.app.locals.publicPage as RequestHandler | undefined;
  if (!handler) return next();
  return handler(req, res, next);
};
