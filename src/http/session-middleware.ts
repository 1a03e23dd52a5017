// The site's session: a signed cookie holding an id, the data in the database (session-store.ts).
// It replaces express-session, with the same cookie (`s:<id>.<HMAC-SHA256>`, so sessions survive
// the change) and the same rules: a new session is stored only once something is put in it; a
// stored one is written again only when its data changed, else its expiry moves (rolling, at most
// once a minute: session-store.ts); its cookie is sent again with every response (30 minutes from
// now). What express-session did on every request and this does not: hash the session twice
// (SHA-1 of its JSON), compute two HMACs, build cookie objects (14 % of the account page's CPU;
// decision 0023). The data is compared as JSON text, a verified cookie's id is kept.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { PrismaSessionStore } from './session-store.ts';

/** What a session holds; domains add their keys (`declare module '…/session-middleware.ts'`). */
export interface SessionData {
  memberId?: string;
  /** Time of the login on the injected clock (ms): sessions older than 12 h, or than a password change, are refused. */
  authAt?: number;
  csrfToken?: string;
  flash?: { kind: 'success' | 'error' | 'info'; text: string }[];
}

/** The methods of `req.session` (its data are its own enumerable properties). */
export interface SessionMethods {
  readonly id: string;
  /** A new id and empty data (login: no session fixation); the old row is deleted. */
  regenerate(cb: (err?: unknown) => void): void;
  /** Deletes the row; the request has no session after it. */
  destroy(cb: (err?: unknown) => void): void;
  /** Writes the data now (the end of the response otherwise does when they changed). */
  save(cb?: (err?: unknown) => void): void;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Present once the session middleware ran (not for anonymous reads: app.ts). */
      session: SessionMethods & Partial<SessionData>;
      sessionID: string;
    }
  }
}

export interface SessionOptions {
  name: string;
  secret: string;
  store: PrismaSessionStore;
  /** Idle lifetime of the cookie and of the row (rolling). */
  maxAgeMs: number;
  /** The cookie is sent only over HTTPS (`req.secure`, which follows 'trust proxy'). */
  secure: boolean;
}

/** Per-request state of a session, out of its data. */
interface State {
  req: Request;
  opts: SessionOptions;
  sid: string;
  /** The id the request's cookie carried (verified), if any. */
  cookieSid: string | undefined;
  /** The data as stored (JSON), to tell a change. */
  stored: string;
  /** Written by this request (a new session then needs its cookie). */
  saved?: boolean;
  /** Its row was read from the store: a write only updates it, never creates it again. */
  storedRow?: boolean;
  /** Its last write failed: a new session then has no row, and gets no cookie. */
  failed?: boolean;
}

class Session {
  // A private field: not one of the data (JSON.stringify leaves it out), and read as fast as one.
  readonly #state: State;
  static stateOf(session: object): State {
    return (session as Session).#state;
  }
  constructor(state: State, data: object) {
    this.#state = state;
    Object.assign(this, data);
  }
  get id(): string {
    return this.#state.sid;
  }
  regenerate(cb: (err?: unknown) => void): void {
    const state = this.#state;
    state.opts.store.destroy(state.sid).then(() => {
      fresh(state.req, state.opts, state.cookieSid);
      cb();
    }, cb);
  }
  destroy(cb: (err?: unknown) => void): void {
    const state = this.#state;
    delete (state.req as Partial<Request>).session;
    state.opts.store.destroy(state.sid).then(() => cb(), cb);
  }
  save(cb?: (err?: unknown) => void): void {
    const state = this.#state;
    const { store, maxAgeMs } = state.opts;
    const data = JSON.stringify(this);
    const memberId = (this as Partial<SessionData>).memberId ?? null;
    const done = (written: string) => {
      state.stored = written;
      state.saved = true;
      state.failed = false;
      cb?.();
    };
    const fail = (err: unknown) => {
      state.failed = true;
      cb?.(err);
    };
    // A session read from the store and ended meanwhile (a logout in another tab, a password
    // reset) is not logged in again by this request: its row is written again without the login,
    // keeping what the request put in it (a message, a form token).
    const written = state.storedRow ? store.update(state.sid, data, memberId, maxAgeMs) : store.set(state.sid, data, memberId, maxAgeMs).then(() => true);
    written.then((updated) => {
      if (updated) return done(data);
      delete (this as Partial<SessionData>).memberId;
      delete (this as Partial<SessionData>).authAt;
      const anonymous = JSON.stringify(this);
      store.set(state.sid, anonymous, null, maxAgeMs).then(() => done(anonymous), fail);
    }, fail);
  }
}

/** The session's data changed since it was read or written. */
const changed = (session: object): boolean => JSON.stringify(session) !== Session.stateOf(session).stored;
/**
 * The session's cookie goes with the response: a stored session's always, a new one's once it
 * holds something, unless its write failed (the cookie would name a session that does not exist).
 */
const needsCookie = (req: Request, cookieSid: string | undefined): boolean => {
  if (req.sessionID === cookieSid) return true;
  const state = Session.stateOf(req.session);
  return !state.failed && (!!state.saved || changed(req.session));
};

/** A new, empty session on a new id. */
function fresh(req: Request, opts: SessionOptions, cookieSid: string | undefined): void {
  const state: State = { req, opts, sid: randomBytes(24).toString('base64url'), cookieSid, stored: '{}' };
  req.sessionID = state.sid;
  req.session = new Session(state, {}) as unknown as Request['session'];
}

/** A cookie's value (URI-decoded), the first one of that name, as express-session read it. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let at = 0;
  while (at < header.length) {
    let end = header.indexOf(';', at);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', at);
    if (eq !== -1 && eq < end && header.slice(at, eq).trim() === name) {
      let value = header.slice(eq + 1, end).trim();
      if (value.length > 1 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      try {
        return value.includes('%') ? decodeURIComponent(value) : value;
      } catch {
        return value;
      }
    }
    at = end + 1;
  }
  return undefined;
}

/** Verified cookie values and the signed value of an id: each HMAC is computed once per id. */
const KEPT = 10_000;

/** What the response's two hooks need, kept on the response. */
interface Hooks {
  req: Request;
  opts: SessionOptions;
  cookieSid: string | undefined;
  /** The Set-Cookie value that carries this id. */
  cookie: (sid: string) => string;
  writeHead: Response['writeHead'];
  end: Response['end'];
}
const HOOKS = Symbol('session hooks');
type Hooked = Response & { [HOOKS]: Hooks };

/** The cookie goes with the response's headers: a stored session's every time (its expiry moves), a new one's once it holds something. */
function writeHeadWithCookie(this: Response, ...args: unknown[]): Response {
  const hooks = (this as Hooked)[HOOKS];
  this.writeHead = hooks.writeHead;
  const { req } = hooks;
  if (req.session && (!hooks.opts.secure || req.secure) && needsCookie(req, hooks.cookieSid)) this.appendHeader('Set-Cookie', hooks.cookie(req.sessionID));
  return (hooks.writeHead as (...a: unknown[]) => Response).apply(this, args);
}

/** The data is written before the response ends: the next request (after a redirect) reads it. */
function endAfterSave(this: Response, ...args: unknown[]): Response {
  const hooks = (this as Hooked)[HOOKS];
  const end = hooks.end as (...a: unknown[]) => Response;
  this.end = hooks.end;
  const { req, opts } = hooks;
  const session = req.session;
  if (!session) return end.apply(this, args);
  if (changed(session)) {
    session.save((err) => {
      if (err && !this.headersSent) return req.next?.(err);
      end.apply(this, args);
    });
    return this;
  }
  const touching = req.sessionID === hooks.cookieSid ? opts.store.touch(req.sessionID, opts.maxAgeMs) : undefined;
  if (!touching) return end.apply(this, args);
  const finish = () => end.apply(this, args);
  touching.then(finish, finish);
  return this;
}

export function sessionMiddleware(opts: SessionOptions): RequestHandler {
  const verified = new Map<string, string>(); // cookie value -> id
  const encodedById = new Map<string, string>(); // id -> cookie value, URI-encoded
  const keep = (map: Map<string, string>, key: string, value: string) => {
    if (map.size >= KEPT) map.clear();
    map.set(key, value);
  };
  const signed = (sid: string) => `s:${sid}.${createHmac('sha256', opts.secret).update(sid).digest('base64').replace(/=+$/, '')}`;
  // Only ids this process issued or verified are kept: a forged cookie fills nothing.
  const encoded = (sid: string): string => {
    let value = encodedById.get(sid);
    if (value === undefined) keep(encodedById, sid, (value = encodeURIComponent(signed(sid))));
    return value;
  };
  const unsign = (value: string): string | undefined => {
    const known = verified.get(value);
    if (known !== undefined) return known;
    if (!value.startsWith('s:')) return undefined;
    const dot = value.lastIndexOf('.');
    if (dot <= 2) return undefined;
    const sid = value.slice(2, dot);
    const expected = Buffer.from(signed(sid));
    const given = Buffer.from(value);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    keep(verified, value, sid);
    keep(encodedById, sid, encodeURIComponent(value));
    return sid;
  };
  // The cookie expires maxAgeMs after the response (the browser's clock: real time); its date is
  // written to the second, so it is worked out once a second.
  const flags = `; HttpOnly${opts.secure ? '; Secure' : ''}; SameSite=Lax`;
  let expiresSecond = -1;
  let expires = '';
  const cookie = (sid: string): string => {
    const second = Math.floor((Date.now() + opts.maxAgeMs) / 1000);
    if (second !== expiresSecond) {
      expiresSecond = second;
      expires = new Date(second * 1000).toUTCString();
    }
    return `${opts.name}=${encoded(sid)}; Path=/; Expires=${expires}${flags}`;
  };

  return function session(req: Request, res: Response, next: NextFunction): void {
    if (req.session) return next();
    const raw = readCookie(req.headers.cookie, opts.name);
    const cookieSid = raw === undefined ? undefined : unsign(raw);
    const hooks = (res as Hooked)[HOOKS];
    if (hooks) {
      // Run again on the same response (a page with a form after a logout starts a new session):
      // its methods are hooked already; hooking them twice would make each call itself.
      hooks.cookieSid = cookieSid;
    } else {
      (res as Hooked)[HOOKS] = { req, opts, cookieSid, cookie, writeHead: res.writeHead, end: res.end };
      res.writeHead = writeHeadWithCookie as Response['writeHead'];
      res.end = endAfterSave as Response['end'];
    }

    if (cookieSid === undefined) {
      fresh(req, opts, cookieSid);
      return next();
    }
    opts.store.get(cookieSid).then(
      (read) => {
        if (!read) {
          fresh(req, opts, cookieSid);
          return next();
        }
        const state: State = { req, opts, sid: cookieSid, cookieSid, stored: '', storedRow: true };
        let session: Session;
        let legacy: boolean;
        try {
          const data = JSON.parse(read.data) as unknown;
          if (!data || typeof data !== 'object' || Array.isArray(data)) throw new TypeError('not an object');
          // Rows written by express-session carry its cookie's settings: not data.
          legacy = 'cookie' in data;
          if (legacy) delete (data as { cookie?: unknown }).cookie;
          session = new Session(state, data);
        } catch {
          // A row that is not a session's data (written by hand, damaged): a new, empty session.
          fresh(req, opts, cookieSid);
          return next();
        }
        req.sessionID = cookieSid;
        req.session = session as unknown as Request['session'];
        state.stored = legacy ? JSON.stringify(session) : read.data;
        (req as WithMemberRead)[MEMBER_READ] = { member: read.member, facts: read.facts };
        next();
      },
      (err: unknown) => next(err),
    );
  };
}

/** What the store read beside a session: its member (null when none or erased) and that member's facts. */
export interface MemberRead<M> {
  member: M | null;
  facts: Record<string, unknown>;
}

const MEMBER_READ = Symbol('member read with the session');
type WithMemberRead = Request & { [MEMBER_READ]?: MemberRead<{ id: string }> };

/**
 * The member read with this request's session, and its facts (`undefined` when the store did not
 * read one): `loadMember` uses them instead of further queries.
 */
export function memberReadWithSession<M extends { id: string }>(req: Request): MemberRead<M> | undefined {
  return (req as WithMemberRead)[MEMBER_READ] as MemberRead<M> | undefined;
}
