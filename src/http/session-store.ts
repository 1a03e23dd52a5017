// express-session store in the database, so several app processes share sessions.
import session from 'express-session';
import type { SessionData } from 'express-session';
import type { Request } from 'express';
import type { Db } from '../db/connect.ts';
import type { Clock } from '../core/clock.ts';

const DEFAULT_TTL_MS = 7 * 24 * 3600 * 1000;

/**
 * A request moves the session's server-side expiry forward (rolling) only when that moves it by at
 * least this much: a member clicking through pages costs no write per page. The idle timeout is
 * then between 30 minutes minus this and 30 minutes.
 */
export const TOUCH_GRANULARITY_MS = 60_000;
/** Expiries read by get(), by session id, so that touch() knows whether to write (bounded). */
const MAX_REMEMBERED = 10_000;

/**
 * A session row with its member, read in one statement by the accounts domain (wired by the
 * composition root): `member` is null when the session has none, or an erased one.
 */
export interface SessionRead<M> {
  data: string;
  expiresAt: Date;
  member: M | null;
  /** The modules' member facts (DomainModule.memberFacts), read in the same statement. */
  facts: Record<string, unknown>;
}

/** What the store read beside a session: its member and that member's facts. */
export type MemberRead<M> = Pick<SessionRead<M>, 'member' | 'facts'>;

const READ_MEMBER = Symbol('member read with the session');
const membersRead = new WeakMap<Request, MemberRead<{ id: string }>>();

/**
 * The member read with this request's session, and its facts (`undefined` when the store did not
 * read one): `loadMember` uses them instead of further queries.
 */
export function memberReadWithSession<M extends { id: string }>(req: Request): MemberRead<M> | undefined {
  return membersRead.get(req) as MemberRead<M> | undefined;
}

export class PrismaSessionStore extends session.Store {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly read: (sid: string) => Promise<SessionRead<{ id: string }> | null>,
  ) {
    super();
  }

  /**
   * The server-side expiry follows the injected clock: now + the cookie's max age (renewed on every
   * request, rolling). The cookie's own Expires attribute is for the browser, which has its own clock.
   */
  private expiry(sess: SessionData): Date {
    return new Date(this.clock.now().getTime() + (sess.cookie?.originalMaxAge ?? DEFAULT_TTL_MS));
  }

  private readonly readExpiry = new Map<string, number>();

  private remember(sid: string, expiresAt: Date): void {
    this.readExpiry.delete(sid);
    this.readExpiry.set(sid, expiresAt.getTime());
    if (this.readExpiry.size > MAX_REMEMBERED) this.readExpiry.delete(this.readExpiry.keys().next().value as string);
  }

  get(sid: string, cb: (err: unknown, session?: SessionData | null) => void): void {
    this.read(sid)
      .then((row) => {
        if (!row || row.expiresAt <= this.clock.now()) return cb(null, null);
        this.remember(sid, row.expiresAt);
        const data = JSON.parse(row.data) as SessionData & { [READ_MEMBER]?: MemberRead<{ id: string }> };
        data[READ_MEMBER] = { member: row.member, facts: row.facts };
        cb(null, data);
      })
      .catch(cb);
  }

  /** express-session makes req.session here: the member read with it is kept aside for the request. */
  override createSession(req: Request, sess: SessionData): session.Session & Partial<SessionData> {
    const data = sess as SessionData & { [READ_MEMBER]?: MemberRead<{ id: string }> };
    if (data[READ_MEMBER]) {
      membersRead.set(req, data[READ_MEMBER]);
      delete data[READ_MEMBER];
    }
    return super.createSession(req, sess);
  }

  set(sid: string, sess: SessionData, cb?: (err?: unknown) => void): void {
    const data = JSON.stringify(sess);
    const memberId = sess.memberId ?? null;
    const expiresAt = this.expiry(sess);
    this.remember(sid, expiresAt);
    this.db.session
      .upsert({ where: { sid }, create: { sid, data, memberId, expiresAt }, update: { data, memberId, expiresAt } })
      .then(() => cb?.())
      .catch((err) => cb?.(err));
  }

  touch(sid: string, sess: SessionData, cb?: (err?: unknown) => void): void {
    const expiresAt = this.expiry(sess);
    const known = this.readExpiry.get(sid);
    if (known !== undefined && expiresAt.getTime() - known < TOUCH_GRANULARITY_MS) {
      cb?.();
      return;
    }
    this.remember(sid, expiresAt);
    this.db.session
      .updateMany({ where: { sid }, data: { expiresAt } })
      .then(() => cb?.())
      .catch((err) => cb?.(err));
  }

  destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.readExpiry.delete(sid);
    this.db.session
      .deleteMany({ where: { sid } })
      .then(() => cb?.())
      .catch((err) => cb?.(err));
  }
}

declare module 'express-session' {
  interface SessionData {
    memberId?: string;
    /** Time of the login on the injected clock (ms): sessions older than 12 h, or than a password change, are refused. */
    authAt?: number;
    csrfToken?: string;
    flash?: { kind: 'success' | 'error' | 'info'; text: string }[];
  }
}
